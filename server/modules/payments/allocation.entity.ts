/** The part of a payment applied to one receivable. */
import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType } from 'type-graphql';
import { type Cents } from '../../core/money';
import { type LocalDate } from '../../core/local-date';
import { MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

@ObjectType()
@Entity({ tableName: 'payment_allocation' })
export class Allocation {
  [OptionalProps]?: 'voided';

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

  /** The payment's `receivedOn` and the receivable's `issuedOn` (neither ever changes), kept here for positions as of a past date. */
  @Property({ type: 'date' })
  receivedOn!: LocalDate;

  @Property({ type: 'date' })
  issuedOn!: LocalDate;

  /** Whether the payment is voided (set with `payment.voidedAt`). */
  @Property()
  voided: boolean = false;
}
