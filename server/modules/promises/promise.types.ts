/** GraphQL types of promises to pay. */
import { ArgsType, Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { connectionType, PageArgs } from '../../core/pagination';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';

export enum PromiseState {
  OPEN = 'OPEN',
  KEPT = 'KEPT',
  PARTIAL = 'PARTIAL',
  BROKEN = 'BROKEN',
}
registerEnumType(PromiseState, {
  name: 'PromiseState',
  description:
    'OPEN: not judged yet (the deadline has not passed and the money has not all come). KEPT: money that arrived by the due date covers the amount (final). PARTIAL / BROKEN: the deadline passed with some / none of it; money booked late that arrived by the due date still turns either into KEPT.',
});

@ObjectType({ description: 'A promise to pay: an amount of some receivables of a customer by a date, judged by the overdue scan.' })
export class PromiseToPay {
  customerId!: string;
  salespersonId!: string;
  activityId!: string | null;
  receivableIds!: string[];
  recordedById!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field(() => LocalDateScalar, { description: 'The date the customer promised.' })
  promisedOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'promisedOn rolled forward to a working day: money that arrived by this date counts.' })
  dueOn!: LocalDate;

  @Field(() => LocalDateScalar, {
    description: 'dueOn plus PROMISE_GRACE_WORKING_DAYS working days: a scan of a later date judges an unkept promise PARTIAL or BROKEN.',
  })
  deadlineOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'The day it was made (its activity happened); money that arrived from this day on counts.' })
  madeOn!: LocalDate;

  @Field(() => PromiseState)
  state!: PromiseState;

  @Field(() => MoneyScalar, {
    description: 'Money counted for it at its last judgement: allocations to its receivables that arrived from madeOn through dueOn (by receivedOn).',
  })
  paidAmount!: Cents;

  @Field(() => LocalDateScalar, {
    nullable: true,
    description:
      'The business date of the judgement that last changed it (its state or counted money; the first judgement always does); null before the first.',
  })
  judgedOn!: LocalDate | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The date judged when it became KEPT.' })
  keptOn!: LocalDate | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The date judged when it was first found PARTIAL or BROKEN (kept even if corrected to KEPT).' })
  brokenOn!: LocalDate | null;

  @Field(() => Date)
  recordedAt!: Date;
}

@ArgsType()
export class PromisesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'One customer; omitted: every customer the caller may see.' })
  customerId?: string;

  @Field(() => [PromiseState], { nullable: true, description: 'Only promises in these states.' })
  states?: PromiseState[];
}

export const PromiseToPayConnection = connectionType('PromiseToPay', PromiseToPay);
export type PromiseToPayConnection = InstanceType<typeof PromiseToPayConnection>;
