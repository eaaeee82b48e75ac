/**
 * A person (or, for INTEGRATION, a system) that signs in and acts in a role. Reads for
 * GraphQL use `UserRow` (user.queries.ts), plain rows without the credentials; the entity
 * is for sign-in and changes.
 */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { Role } from '../../core/auth';
import { Locale } from './user.locale';

// Plain fields read straight from the object: no per-field middleware, nothing here needs authorization.
@ObjectType({ simpleResolvers: true })
@Entity({ tableName: 'app_user' })
export class User {
  [OptionalProps]?: 'active' | 'createdAt' | 'passwordHash' | 'tokensValidAfter' | 'locale';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text', unique: true })
  email!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  @Field(() => Role)
  @Enum({ items: () => Role, type: 'text' })
  role!: Role;

  /**
   * Null for INTEGRATION users: they authenticate with API tokens only. Optional in the
   * type because read rows (`UserRow`) never carry it.
   */
  @Property({ type: 'text', nullable: true, hidden: true })
  passwordHash?: string | null = null;

  @Field()
  @Property({ type: 'boolean' })
  active: boolean = true;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Locale, { description: 'The user’s language (notifications are written in it); the user sets it with updateMyLocale.' })
  @Enum({ items: () => Locale, type: 'text' })
  locale: Locale = Locale.ZH_CN;

  /** "Sign out everywhere": user tokens issued before this are refused (optional like passwordHash). */
  @Property({ type: 'timestamptz', nullable: true, hidden: true })
  tokensValidAfter?: Date | null = null;
}
