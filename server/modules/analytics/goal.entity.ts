/**
 * A goal leadership sets: a metric, a target with its direction, one period (a week,
 * month or quarter from its start) and a scope (the company, one salesperson, or every
 * salesperson), weighted in scorecards. Progress is never stored: it is computed live
 * from the same metric code as the reports (goal.service.ts).
 */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { GoalDirection, GoalMetric, GoalStatus } from './metrics.formulas';

export enum GoalPeriod {
  WEEK = 'WEEK',
  MONTH = 'MONTH',
  QUARTER = 'QUARTER',
}

export enum GoalScope {
  COMPANY = 'COMPANY',
  SALESPERSON = 'SALESPERSON',
  EVERY_SALESPERSON = 'EVERY_SALESPERSON',
}

registerEnumType(GoalMetric, {
  name: 'GoalMetric',
  description: 'What a goal measures (docs/metrics.md). Rates and CEI are ratios in [0,1], DSO is days, OVERDUE_AMOUNT money.',
});
registerEnumType(GoalDirection, { name: 'GoalDirection', description: 'AT_LEAST: the actual must reach the target; AT_MOST: must not exceed it.' });
registerEnumType(GoalStatus, {
  name: 'GoalStatus',
  description: 'While the period runs: ON_TRACK (target met so far) or AT_RISK; once it is over: MET or MISSED.',
});
registerEnumType(GoalPeriod, { name: 'GoalPeriod', description: 'WEEK starts on a Monday, MONTH on the 1st, QUARTER on 1 Jan/Apr/Jul/Oct.' });
registerEnumType(GoalScope, { name: 'GoalScope' });

@ObjectType({ description: 'A goal and its live progress (computed with the same metric code as the reports).' })
@Entity({ tableName: 'goal' })
export class Goal {
  [OptionalProps]?: 'createdAt' | 'updatedAt' | 'archivedAt' | 'salespersonId';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Field(() => GoalMetric)
  @Enum({ items: () => GoalMetric, type: 'text' })
  metric!: GoalMetric;

  @Field(() => GoalDirection)
  @Enum({ items: () => GoalDirection, type: 'text' })
  direction!: GoalDirection;

  /** numeric(18,4) as text; the GraphQL field formats it for the metric. */
  @Property({ type: 'string', columnType: 'numeric(18,4)' })
  target!: string;

  @Field(() => GoalPeriod)
  @Enum({ items: () => GoalPeriod, type: 'text' })
  period!: GoalPeriod;

  @Field(() => LocalDateScalar)
  @Property({ type: 'date' })
  periodStart!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'Last day of the period.' })
  @Property({ type: 'date' })
  periodEnd!: LocalDate;

  @Field(() => GoalScope)
  @Enum({ items: () => GoalScope, type: 'text' })
  scope!: GoalScope;

  @Property({ type: 'uuid', nullable: true })
  salespersonId: string | null = null;

  @Field(() => Int, { description: 'Weight in scorecards, 1–100.' })
  @Property({ type: 'integer' })
  weight!: number;

  @Property({ type: 'uuid' })
  createdById!: string;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  archivedAt: Date | null = null;
}
