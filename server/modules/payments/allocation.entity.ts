/** The part of a payment applied to one receivable. */
import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { type Cents } from '../../core/money';
import { MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

@ObjectType()
@Entity({ tableName: 'payment_allocation' })
export class Allocation {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  paymentId!: string;

  @Property({ type: 'uuid' })
  receivableId!: string;

  @Field(() => MoneyScalar)
  @Property({ type: MoneyType })
  amount!: Cents;
}
