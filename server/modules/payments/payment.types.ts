/** Inputs, filters and connections of the payments area. */
import { Field, ID, InputType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';
import { Payment, PaymentMethod } from './payment.entity';

@InputType()
export class AllocationInput {
  @Field(() => ID)
  receivableId!: string;

  @Field(() => MoneyScalar, { description: 'Greater than zero, at most the receivable’s outstanding.' })
  amount!: Cents;
}

@InputType()
export class RecordPaymentInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => MoneyScalar, { description: 'Greater than zero.' })
  amount!: Cents;

  @Field(() => LocalDateScalar, { description: 'The date the money actually arrived; not in the future.' })
  receivedOn!: LocalDate;

  @Field(() => PaymentMethod)
  method!: PaymentMethod;

  @Field({ nullable: true, description: 'Bank reference, receipt number, … (at most 200 characters).' })
  reference?: string;

  @Field(() => [AllocationInput], {
    nullable: true,
    description: 'Explicit allocations. When omitted, the payment is applied oldest-due-first; the rest stays as customer credit.',
  })
  allocations?: AllocationInput[];

  @Field({ nullable: true, description: 'Required when booked more than BOOKING_LAG_LIMIT_DAYS working days after receivedOn (at most 1000 characters).' })
  lagReason?: string;

  @Field({ nullable: true, description: 'A retried booking with the same key returns the first payment and creates nothing (at most 200 characters).' })
  idempotencyKey?: string;
}

@InputType()
export class PaymentFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => LocalDateScalar, { nullable: true })
  receivedFrom?: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true })
  receivedTo?: LocalDate;

  @Field(() => PaymentMethod, { nullable: true })
  method?: PaymentMethod;

  @Field({ nullable: true, description: 'true: only voided; false: only valid; omitted: both.' })
  voided?: boolean;

  @Field({ nullable: true, description: 'Only payments with (true) or without (false) unallocated credit.' })
  hasUnallocated?: boolean;
}

export const PaymentConnection = connectionType('Payment', Payment);
export type PaymentConnection = InstanceType<typeof PaymentConnection>;
