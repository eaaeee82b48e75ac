/** An API token for a system integration; only the SHA-256 of its secret is stored. */
import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { ApiTokenScope } from '../../core/auth';

@ObjectType()
@Entity({ tableName: 'api_token' })
export class ApiToken {
  [OptionalProps]?: 'createdAt' | 'revokedAt' | 'lastUsedAt' | 'scopes';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field()
  @Property({ type: 'text' })
  name!: string;

  /** The INTEGRATION user this token acts as. */
  @Property({ type: 'uuid' })
  userId!: string;

  @Property({ type: 'text', unique: true, hidden: true })
  tokenHash!: string;

  @Property({ type: 'uuid' })
  createdById!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => [ApiTokenScope], { description: 'What the token may do beyond its INTEGRATION reads (e.g. IMPORT).' })
  @Property({ type: 'text[]' })
  scopes: ApiTokenScope[] = [];

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null = null;
}
