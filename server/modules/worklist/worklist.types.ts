/** The GraphQL types of the collection worklist: one item per customer to chase, and its page. */
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { connectionType } from '../../core/pagination';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { CreditStatus } from '../credit/credit.types';
import { PromiseState } from '../promises/promise.types';

@ObjectType({ simpleResolvers: true, description: "The customer's latest promise to pay made by the worklist's date." })
export class WorklistPromise {
  @Field(() => ID)
  id!: string;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field(() => LocalDateScalar)
  promisedOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'The promised date rolled forward to a working day.' })
  dueOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'dueOn plus PROMISE_GRACE_WORKING_DAYS: after it an unpaid promise is BROKEN.' })
  deadlineOn!: LocalDate;

  @Field(() => PromiseState, { description: 'As the overdue scan last judged it.' })
  state!: PromiseState;

  @Field({ description: 'OPEN and its due date not passed on the worklist date: the item is pushed down (docs/metrics.md).' })
  notYetDue!: boolean;
}

@ObjectType({
  simpleResolvers: true,
  description: 'The parts of `priority` (docs/metrics.md, "Collection worklist"): priority = stage + amount + brokenPromises + silence − openPromise.',
})
export class WorklistPriority {
  @Field(() => Int, { description: '1000 × the rank of the highest overdue stage reached (1 for the first of OVERDUE_STAGES, …; 0 none).' })
  stage!: number;

  @Field(() => Int, { description: '1 per full 1,000.00 of chased overdue money (overdue minus disputed), at most 1000.' })
  amount!: number;

  @Field(() => Int, { description: '500 per promise broken (BROKEN or PARTIAL) within the last CREDIT_BROKEN_PROMISE_DAYS days, at most 3.' })
  brokenPromises!: number;

  @Field(() => Int, {
    description:
      '20 per day since the last contact (or, never contacted, since the oldest chased money fell overdue), at most 30 days; 0 without chased overdue money.',
  })
  silence!: number;

  @Field(() => Int, { description: '1500 when the latest promise is OPEN and not yet due, else 0 (subtracted).' })
  openPromise!: number;
}

@ObjectType({
  simpleResolvers: true,
  description:
    'A customer to chase on the worklist date: money overdue, or falling due within WORKLIST_LOOKAHEAD_DAYS working days, that no open dispute covers.',
})
export class WorklistItem {
  @Field(() => ID)
  customerId!: string;

  @Field()
  customerCode!: string;

  @Field()
  customerName!: string;

  @Field(() => ID, { description: 'The salesperson who owns the customer now.' })
  ownerId!: string;

  @Field(() => Int, { description: 'Higher first (docs/metrics.md, "Collection worklist").' })
  priority!: number;

  @Field(() => WorklistPriority)
  priorityParts!: WorklistPriority;

  @Field(() => MoneyScalar, { description: "The customer's outstanding at the end of the date (positions by receivedOn)." })
  outstanding!: Cents;

  @Field(() => MoneyScalar, { description: 'Part of outstanding past its effective due date on the date, disputed money included.' })
  overdueAmount!: Cents;

  @Field(() => MoneyScalar, { description: 'overdueAmount minus what open disputes cover: the money to chase.' })
  chasedOverdueAmount!: Cents;

  @Field(() => MoneyScalar, { description: 'Undisputed money falling due from the date through the lookahead horizon.' })
  dueSoonAmount!: Cents;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The earliest effective due date of undisputed money not yet overdue, up to the horizon.' })
  nextDueOn!: LocalDate | null;

  @Field(() => Int, { nullable: true, description: 'The highest of OVERDUE_STAGES the chased receivables have reached (days), null when none.' })
  highestStage!: number | null;

  @Field(() => Int, { nullable: true, description: 'Days past the effective due date of the oldest chased overdue receivable.' })
  daysOverdue!: number | null;

  @Field(() => Int, { description: 'Receivables with chased overdue money.' })
  overdueReceivables!: number;

  @Field(() => WorklistPromise, { nullable: true })
  promise!: WorklistPromise | null;

  @Field(() => Int, { description: 'Promises broken (BROKEN or PARTIAL) within the last CREDIT_BROKEN_PROMISE_DAYS days up to the date.' })
  brokenPromises!: number;

  @Field(() => Int, { description: 'Disputes of the customer open on the date.' })
  openDisputes!: number;

  @Field(() => MoneyScalar, { description: 'Σ amount of those disputes.' })
  disputedAmount!: Cents;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Business date of the latest logged activity up to the date.' })
  lastContactOn!: LocalDate | null;

  @Field(() => Int, { nullable: true, description: 'Days from lastContactOn to the date.' })
  daysSinceContact!: number | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The next action the latest activity planned (its nextActionOn).' })
  nextActionOn!: LocalDate | null;

  @Field(() => CreditStatus, { description: "The customer's credit status now (Customer.creditStatus)." })
  creditStatus!: CreditStatus;
}

export const WorklistConnection = connectionType('WorklistItem', WorklistItem);
export type WorklistConnection = InstanceType<typeof WorklistConnection>;
