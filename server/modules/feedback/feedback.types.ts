/** Inputs, filters, payloads and connections of the feedback area. */
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';
import { FeedbackReport } from './feedback-report.entity';
import { FeedbackCategory, FeedbackItemKind, FeedbackPeriod, FeedbackSeverity, FeedbackStatus, ProposalStatus } from './feedback.enums';

@InputType()
export class FeedbackItemInput {
  @Field(() => FeedbackItemKind)
  kind!: FeedbackItemKind;

  @Field(() => FeedbackCategory)
  category!: FeedbackCategory;

  @Field(() => FeedbackSeverity)
  severity!: FeedbackSeverity;

  @Field({ description: '1–2000 characters.' })
  text!: string;

  @Field(() => ID, { nullable: true, description: 'A customer you may see. Not allowed in anonymous reports (it would point at you).' })
  customerId?: string;

  @Field(() => ID, { nullable: true, description: 'A receivable you may see. Not allowed in anonymous reports.' })
  receivableId?: string;
}

@InputType()
export class SubmitFeedbackInput {
  @Field(() => FeedbackPeriod)
  period!: FeedbackPeriod;

  @Field(() => LocalDateScalar, { description: 'A Monday for WEEK, the 1st for MONTH; not in the future.' })
  periodStart!: LocalDate;

  @Field({ description: 'When true nobody, ADMIN included, can learn who wrote the report.' })
  anonymous!: boolean;

  @Field(() => [String], { nullable: true, description: 'Problems the system solved (up to 20, 1–2000 characters each).' })
  solvedProblems?: string[];

  @Field(() => Float, { description: 'Estimated hours of work saved in the period, 0–744, at most two decimals.' })
  hoursSaved!: number;

  @Field(() => [FeedbackItemInput], { nullable: true, description: 'Open problems and suggestions (up to 30).' })
  items?: FeedbackItemInput[];

  @Field(() => String, { nullable: true, description: "The amendSecret of an anonymous report's receipt: amends that report." })
  amendSecret?: string;
}

@InputType()
export class FeedbackFilter {
  @Field(() => FeedbackPeriod, { nullable: true })
  period?: FeedbackPeriod;

  @Field(() => LocalDateScalar, { nullable: true })
  periodStart?: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Reports whose period starts on or after this date.' })
  from?: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Reports whose period starts on or before this date.' })
  to?: LocalDate;

  @Field({ nullable: true })
  anonymous?: boolean;

  @Field(() => [FeedbackCategory], { nullable: true, description: 'Reports with an item of one of these categories (and of the status and severity filters).' })
  category?: FeedbackCategory[];

  @Field(() => [FeedbackStatus], { nullable: true })
  status?: FeedbackStatus[];

  @Field(() => [FeedbackSeverity], { nullable: true })
  severity?: FeedbackSeverity[];
}

@InputType()
export class CreateProposalInput {
  @Field({ description: '1–200 characters.' })
  title!: string;

  @Field({ nullable: true, description: 'Up to 5000 characters.' })
  description?: string;

  @Field(() => [ID], { description: 'Items to group (1–100), each SUBMITTED or IN_REVIEW and in no other proposal.' })
  itemIds!: string[];
}

@ObjectType({ description: 'Proof of a submission. For an anonymous report keep amendSecret: it is the only way to amend it and is never shown again.' })
export class FeedbackReceipt {
  @Field(() => ID)
  reportId!: string;

  @Field(() => FeedbackPeriod)
  period!: FeedbackPeriod;

  @Field(() => LocalDateScalar)
  periodStart!: LocalDate;

  @Field()
  anonymous!: boolean;

  @Field({ description: 'True when this submission replaced an earlier one for the same period.' })
  amended!: boolean;

  @Field(() => Int)
  itemCount!: number;

  @Field(() => String, { nullable: true, description: 'Anonymous reports only: pass as input.amendSecret to amend.' })
  amendSecret!: string | null;
}

@ObjectType({ description: 'Whether a front-line user (SALES or FINANCE) has submitted for a period. Says nothing about which report.' })
export class ComplianceEntry {
  userId!: string;

  @Field()
  submitted!: boolean;

  @Field(() => Date, { nullable: true, description: 'When the last reminder for this period was written.' })
  lastRemindedAt!: Date | null;
}

@ObjectType({ description: 'A reminder event, stored for a deliverer to send later.' })
export class FeedbackReminder {
  userId!: string;

  @Field(() => ID)
  id!: string;

  @Field(() => FeedbackPeriod)
  period!: FeedbackPeriod;

  @Field(() => LocalDateScalar)
  periodStart!: LocalDate;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;
}

@ObjectType()
export class CategoryCount {
  @Field(() => FeedbackCategory)
  category!: FeedbackCategory;

  @Field(() => Int)
  count!: number;

  @Field(() => Int, { description: 'Count in the previous window of the same length.' })
  previousCount!: number;

  @Field(() => Int)
  change!: number;
}

@ObjectType()
export class SeverityCount {
  @Field(() => FeedbackSeverity)
  severity!: FeedbackSeverity;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class StatusCount {
  @Field(() => FeedbackStatus)
  status!: FeedbackStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType()
export class ProposalStatusCount {
  @Field(() => ProposalStatus)
  status!: ProposalStatus;

  @Field(() => Int)
  count!: number;
}

@ObjectType({ description: 'Problems of the same category whose text is the same after normalising case, punctuation and spaces, in two or more reports.' })
export class RecurringProblem {
  @Field(() => FeedbackCategory)
  category!: FeedbackCategory;

  @Field({ description: 'One of the texts of the group.' })
  text!: string;

  @Field(() => Int)
  occurrences!: number;

  @Field(() => Int)
  reportCount!: number;

  @Field(() => FeedbackSeverity)
  highestSeverity!: FeedbackSeverity;

  @Field(() => [ID])
  itemIds!: string[];
}

@ObjectType()
export class FeedbackTotals {
  @Field(() => LocalDateScalar)
  from!: LocalDate;

  @Field(() => LocalDateScalar)
  to!: LocalDate;

  @Field(() => Int)
  reportCount!: number;

  @Field(() => Int)
  anonymousReportCount!: number;

  @Field(() => Int)
  itemCount!: number;

  @Field(() => Int)
  problemCount!: number;

  @Field(() => Int)
  suggestionCount!: number;

  @Field(() => Float)
  hoursSaved!: number;
}

@ObjectType({ description: 'Current window minus the previous window of the same length.' })
export class FeedbackChange {
  @Field(() => Int)
  reportCount!: number;

  @Field(() => Int)
  itemCount!: number;

  @Field(() => Int)
  problemCount!: number;

  @Field(() => Float)
  hoursSaved!: number;
}

@ObjectType({ description: 'Reports whose period starts within [from, to], aggregated in SQL.' })
export class FeedbackSummary {
  @Field(() => FeedbackTotals)
  totals!: FeedbackTotals;

  @Field(() => FeedbackTotals, { description: 'The window of the same length just before from.' })
  previous!: FeedbackTotals;

  @Field(() => FeedbackChange)
  change!: FeedbackChange;

  @Field(() => [CategoryCount])
  byCategory!: CategoryCount[];

  @Field(() => [SeverityCount])
  bySeverity!: SeverityCount[];

  @Field(() => [StatusCount])
  byStatus!: StatusCount[];

  @Field(() => [RecurringProblem])
  recurringProblems!: RecurringProblem[];

  @Field(() => [ProposalStatusCount], { description: 'Proposals grouping items of these reports.' })
  proposalsByStatus!: ProposalStatusCount[];
}

export const FeedbackReportConnection = connectionType('FeedbackReport', FeedbackReport);
export type FeedbackReportConnection = InstanceType<typeof FeedbackReportConnection>;
