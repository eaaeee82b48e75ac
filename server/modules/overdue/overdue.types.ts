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
}
registerEnumType(OverdueEventType, {
  name: 'OverdueEventType',
  description:
    'BECAME_OVERDUE: entered a first stage; STAGE_ESCALATED: moved to a later stage; CLEARED: no longer overdue (paid, written off, money arrived in time, or held by a payment notice).',
});

/** One stored transition of a receivable's overdue state; `seq` orders the stream. */
@ObjectType({ description: 'An overdue alarm: one transition of one receivable, in stream order.' })
export class OverdueEvent {
  seq!: string;
  receivableId!: string;
  customerId!: string;
  salespersonId!: string;
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

  @Field(() => Int, { nullable: true, description: 'Stage reached (days past effective due where it starts); null when CLEARED.' })
  stage!: number | null;

  @Field(() => Int, { nullable: true, description: 'Stage before the transition; null for BECAME_OVERDUE.' })
  previousStage!: number | null;

  @Field(() => Int, { description: 'Days past the effective due date on asOf.' })
  daysOverdue!: number;

  @Field(() => MoneyScalar, { description: 'Outstanding on asOf, counting payments by the date the money arrived.' })
  outstanding!: Cents;

  @Field(() => LocalDateScalar, { description: 'The business date the scan judged.' })
  asOf!: LocalDate;

  @Field(() => Date)
  occurredAt!: Date;
}

@InputType()
export class OverdueEventFilter {
  @Field(() => ID, { nullable: true })
  customerId?: string;

  @Field(() => ID, { nullable: true, description: 'The salesperson the receivable was issued under.' })
  salespersonId?: string;

  @Field(() => Int, { nullable: true, description: 'Only events whose stage (or, for CLEARED, previous stage) is at least this.' })
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

  @Field(() => Int)
  durationMs!: number;
}

export const OverdueEventConnection = connectionType('OverdueEvent', OverdueEvent);
export type OverdueEventConnection = InstanceType<typeof OverdueEventConnection>;
