/** A customer buying on credit, owned by one salesperson at a time. */
import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type Cents } from '../../core/money';
import { MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

// Plain fields read straight from the object: no per-field middleware, nothing here needs authorization.
@ObjectType({ simpleResolvers: true })
@Entity({ tableName: 'customer' })
export class Customer {
  [OptionalProps]?: 'createdAt' | 'updatedAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field({ description: 'Unique customer code, e.g. from the ERP.' })
  @Property({ type: 'text', unique: true })
  code!: string;

  @Field()
  @Property({ type: 'text' })
  name!: string;

  /** The salesperson who owns the customer now (receivables keep the owner at issue time). */
  @Property({ type: 'uuid' })
  ownerId!: string;

  @Field(() => Int, { description: 'Days from issue to due date for new receivables.' })
  @Property({ type: 'integer' })
  creditTermDays!: number;

  @Field(() => MoneyScalar)
  @Property({ type: MoneyType })
  creditLimit!: Cents;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
