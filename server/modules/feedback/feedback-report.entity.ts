/**
 * A front-line report for one period and its items. Neither table has a column naming
 * a person or a timestamp: authorship of named reports is in `feedback_report_author`,
 * and an anonymous report stores no date at all (see the feedback migration).
 */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { FeedbackCategory, FeedbackItemKind, FeedbackPeriod, FeedbackSeverity, FeedbackStatus } from './feedback.enums';

@ObjectType({ description: 'A weekly or monthly front-line report. `author` is null whenever `anonymous` is true.' })
@Entity({ tableName: 'feedback_report' })
export class FeedbackReport {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => FeedbackPeriod)
  @Enum({ items: () => FeedbackPeriod, type: 'text' })
  period!: FeedbackPeriod;

  @Field(() => LocalDateScalar)
  @Property({ type: 'date' })
  periodStart!: LocalDate;

  @Field()
  @Property({ type: 'boolean' })
  anonymous!: boolean;

  @Field(() => [String], { description: 'Problems the system solved in the period.' })
  @Property({ type: 'json' })
  solvedProblems!: string[];

  /** numeric(7,2) as the driver returns it; exposed as a Float by the resolver. */
  @Property({ type: 'decimal', columnType: 'numeric(7,2)' })
  hoursSaved!: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Day of the first submission; null for anonymous reports (they keep no date).' })
  @Property({ type: 'date', nullable: true })
  submittedOn!: LocalDate | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Day of the last amendment; null for anonymous reports.' })
  @Property({ type: 'date', nullable: true })
  amendedOn!: LocalDate | null;

  @Property({ type: 'text', nullable: true, hidden: true })
  amendSecretHash!: string | null;
}

@ObjectType({ description: 'An open problem or suggestion of a report, and where it stands in the workflow.' })
@Entity({ tableName: 'feedback_item' })
export class FeedbackItem {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  reportId!: string;

  @Property({ type: 'boolean' })
  reportAnonymous!: boolean;

  @Field(() => Int, { description: 'Order of the item within its report.' })
  @Property({ type: 'integer' })
  position!: number;

  @Field(() => FeedbackItemKind)
  @Enum({ items: () => FeedbackItemKind, type: 'text' })
  kind!: FeedbackItemKind;

  @Field(() => FeedbackCategory)
  @Enum({ items: () => FeedbackCategory, type: 'text' })
  category!: FeedbackCategory;

  @Field(() => FeedbackSeverity)
  @Enum({ items: () => FeedbackSeverity, type: 'text' })
  severity!: FeedbackSeverity;

  @Field()
  @Property({ type: 'text' })
  text!: string;

  @Property({ type: 'uuid', nullable: true })
  customerId!: string | null;

  @Property({ type: 'uuid', nullable: true })
  receivableId!: string | null;

  @Field(() => FeedbackStatus)
  @Enum({ items: () => FeedbackStatus, type: 'text' })
  status!: FeedbackStatus;

  @Property({ type: 'uuid', nullable: true })
  proposalId!: string | null;
}

/** One workflow step after submission (triage, escalation, decision): who, when, why. */
@ObjectType({
  description:
    'A workflow step after submission, by a project lead or manager. Submission itself is not a step: it has no time and, when anonymous, no person.',
})
@Entity({ tableName: 'feedback_item_step' })
export class FeedbackItemStep {
  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  itemId!: string;

  @Field(() => FeedbackStatus)
  @Enum({ items: () => FeedbackStatus, type: 'text' })
  fromStatus!: FeedbackStatus;

  @Field(() => FeedbackStatus)
  @Enum({ items: () => FeedbackStatus, type: 'text' })
  toStatus!: FeedbackStatus;

  @Property({ type: 'uuid' })
  actorId!: string;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  note!: string | null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  occurredAt!: Date;
}
