/** GraphQL types of the overdue engine and its event stream. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Loaders } from '../../context';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';

export enum OverdueEventType {
  BECAME_OVERDUE = 'BECAME_OVERDUE',
  STAGE_ESCALATED = 'STAGE_ESCALATED',
  CLEARED = 'CLEARED',
  PROMISE_MADE = 'PROMISE_MADE',
  PROMISE_KEPT = 'PROMISE_KEPT',
  PROMISE_BROKEN = 'PROMISE_BROKEN',
  PROMISE_REOPENED = 'PROMISE_REOPENED',
  DISPUTE_OPENED = 'DISPUTE_OPENED',
  DISPUTE_RESOLVED = 'DISPUTE_RESOLVED',
  CREDIT_STATUS_CHANGED = 'CREDIT_STATUS_CHANGED',
}
registerEnumType(OverdueEventType, {
  name: 'OverdueEventType',
  description:
    'Alarms of a receivable: BECAME_OVERDUE (entered a first stage), STAGE_ESCALATED (moved to a later stage), CLEARED (no longer overdue: paid, written off, money arrived in time, or held by a payment notice). Collection work: PROMISE_MADE, PROMISE_KEPT (also a broken promise corrected by money booked late that arrived in time: previousState BROKEN), PROMISE_BROKEN (also a kept promise whose money was voided after its deadline: previousState KEPT), PROMISE_REOPENED (a kept or broken promise open again before its deadline: its money voided, or the deadline moved by a calendar change), DISPUTE_OPENED, DISPUTE_RESOLVED, CREDIT_STATUS_CHANGED.',
});

/** The alarm kinds: transitions of one receivable's overdue state, written by the engine's judgement. */
export const ALARM_EVENT_TYPES: readonly OverdueEventType[] = [OverdueEventType.BECAME_OVERDUE, OverdueEventType.STAGE_ESCALATED, OverdueEventType.CLEARED];

/** One stored event of the stream (an alarm or a collection event); `seq` orders the stream. */
@ObjectType({
  description:
    'One event of the stream, in stream order: an overdue alarm of one receivable, or a collection event (promise to pay, dispute, credit status) of a customer.',
})
export class OverdueEvent {
  seq!: string;
  /** Null for an event about a customer as a whole (a promise over several receivables, a credit status). */
  receivableId!: string | null;
  customerId!: string;
  /** The salesperson the receivable was issued under; for a customer-level event, the customer's owner when it happened. */
  salespersonId!: string;
  /** The promise to pay a PROMISE_* event is about. */
  promiseId!: string | null;
  /** The dispute a DISPUTE_* event is about. */
  disputeId!: string | null;
  /** Owner of the customer when the event was read (for SALES visibility). */
  customerOwnerId!: string;
  /** Loaders primed for the batch this event was delivered in (subscriptions). */
  batch?: { em: EntityManager; loaders: Loaders };

  @Field(() => ID)
  id!: string;

  @Field({ description: 'Pass as `after` to resume the stream after this event.' })
  cursor!: string;

  @Field(() => OverdueEventType)
  type!: OverdueEventType;

  @Field(() => Int, {
    nullable: true,
    description: 'Alarms: stage reached (days past effective due where it starts); null when CLEARED and for collection events.',
  })
  stage!: number | null;

  @Field(() => Int, { nullable: true, description: 'Alarms: stage before the transition; null for BECAME_OVERDUE and for collection events.' })
  previousStage!: number | null;

  @Field(() => Int, { nullable: true, description: 'Alarms: days past the effective due date on asOf; null for collection events.' })
  daysOverdue!: number | null;

  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'Alarms: outstanding on asOf, counting payments by the date the money arrived; null for collection events.',
  })
  outstanding!: Cents | null;

  @Field(() => LocalDateScalar, {
    description: 'The business date the event belongs to: the date judged (alarms, kept and broken promises), or the day it was recorded.',
  })
  asOf!: LocalDate;

  @Field(() => String, {
    nullable: true,
    description:
      'Collection events: the state after the event, e.g. a promise OPEN / KEPT / PARTIAL / BROKEN, a dispute OPEN / VALID / INVALID / PARTIAL, a credit status OK / WARN / HOLD; null for alarms.',
  })
  state!: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Collection events: the state before (e.g. BROKEN for a promise a late booking turned KEPT); null when there was none.',
  })
  previousState!: string | null;

  @Field(() => MoneyScalar, { nullable: true, description: 'Collection events: the amount concerned (promised, disputed); null when none.' })
  amount!: Cents | null;

  @Field(() => String, { nullable: true, description: 'Collection events: what happened, in a sentence for people.' })
  detail!: string | null;

  @Field(() => Date)
  occurredAt!: Date;
}

@InputType()
export class OverdueEventFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => ID, {
    nullable: true,
    description: 'The salesperson the receivable was issued under (customer-level events: the customer owner when it happened).',
  })
  salespersonId?: string;

  @Field(() => Int, {
    nullable: true,
    description: 'Only alarms whose stage (or, for CLEARED, previous stage) is at least this; collection events have no stage.',
  })
  minStage?: number;

  @Field(() => [OverdueEventType], { nullable: true })
  types?: OverdueEventType[];
}

@ObjectType({
  description:
    'What one overdue scan judged. A scan judges the receivables whose next judgement date has come (a stage threshold, the end of a payment notice hold) and those changed since; after days without a scan it judges everything those days would have, as of its own date.',
})
export class OverdueScanResult {
  @Field(() => ID, { nullable: true, description: 'Pass to overdueScan(id) to read this scan again (kept 35 days); null when it judged nothing.' })
  id!: string | null;

  @Field(() => LocalDateScalar, { description: 'The business date judged; the engine date from now on.' })
  asOf!: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The date of the scan before this one; null for the first scan.' })
  previousScanOn!: LocalDate | null;

  @Field(() => Int, { description: 'Days between the previous scan and this one that no scan covered (downtime); their judgements were made as of asOf.' })
  missedDays!: number;

  @Field({ description: 'False when another scan was running and this one was skipped.' })
  ran!: boolean;

  @Field(() => Int, { description: 'Receivables judged: see judgedReceivables.' })
  judged!: number;

  @Field(() => Int, { description: 'Of those, judged late: their judgement date fell on a day no scan covered.' })
  judgedLate!: number;

  @Field(() => Int, { description: 'Of those, judged because a payment, void, write-off, payment notice or calendar change touched them.' })
  judgedChanged!: number;

  @Field(() => Int)
  becameOverdue!: number;

  @Field(() => Int)
  escalated!: number;

  @Field(() => Int)
  cleared!: number;

  @Field(() => Int, { description: 'Receivables overdue after the scan.' })
  overdueCount!: number;

  @Field(() => Int, {
    description:
      'Milliseconds from the start of the scan (a wait for a running scan included) to just before its commit; the commit, which writes the transaction to disk, comes on top.',
  })
  durationMs!: number;
}

export const OverdueEventConnection = connectionType('OverdueEvent', OverdueEvent);
export type OverdueEventConnection = InstanceType<typeof OverdueEventConnection>;
