/** Inputs of goals, and the types of their progress and of scorecards. */
import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { GoalDirection, GoalMetric, GoalStatus } from './metrics.formulas';
import { Goal, GoalPeriod, GoalScope } from './goal.entity';
import { CollectionFigures } from './analytics.types';

@InputType()
export class CreateGoalInput {
  @Field(() => GoalMetric)
  metric!: GoalMetric;

  @Field({
    description:
      'Decimal string in the metric’s unit: a ratio in [0,1] with up to 4 decimals for rates and CEI ("0.95"), days with up to 2 decimals for DSO ("45"), money for OVERDUE_AMOUNT ("10000.00").',
  })
  target!: string;

  @Field(() => GoalDirection, { nullable: true, description: 'Default: AT_LEAST for rates and CEI, AT_MOST for overdue amounts, ratios and DSO.' })
  direction?: GoalDirection;

  @Field(() => GoalPeriod)
  period!: GoalPeriod;

  @Field(() => LocalDateScalar, { description: 'A Monday for WEEK, the 1st for MONTH, 1 Jan/Apr/Jul/Oct for QUARTER.' })
  periodStart!: LocalDate;

  @Field(() => GoalScope)
  scope!: GoalScope;

  @Field(() => ID, { nullable: true, description: 'The SALES user, for scope SALESPERSON only.' })
  salespersonId?: string;

  @Field(() => Int, { nullable: true, description: 'Weight in scorecards, 1–100 (default 1).' })
  weight?: number;
}

@InputType({ description: 'Fields to change; omitted ones stay. Metric and scope are fixed: archive and create instead.' })
export class UpdateGoalInput {
  @Field(() => String, { nullable: true, description: 'Decimal string in the metric’s unit.' })
  target?: string;

  @Field(() => GoalDirection, { nullable: true })
  direction?: GoalDirection;

  @Field(() => GoalPeriod, { nullable: true })
  period?: GoalPeriod;

  @Field(() => LocalDateScalar, { nullable: true })
  periodStart?: LocalDate;

  @Field(() => Int, { nullable: true })
  weight?: number;
}

@ObjectType({ description: 'Progress of a goal for one salesperson (or the company).' })
export class GoalProgress {
  salespersonId!: string | null;
  goal!: Goal;

  @Field(() => String, {
    nullable: true,
    description:
      'The measured value in the metric’s unit, as a decimal string; null when there is nothing to measure (e.g. nothing fell due) or the period has not started.',
  })
  actual!: string | null;

  @Field(() => Float, { nullable: true, description: 'Share of the target reached, in [0, 1] (1 = met).' })
  attainment!: number | null;

  @Field(() => GoalStatus)
  status!: GoalStatus;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Measured from this date …' })
  measuredFrom!: LocalDate | null;

  @Field(() => LocalDateScalar, { nullable: true, description: '… to this date (the period end, or today while it runs).' })
  measuredTo!: LocalDate | null;
}

@ObjectType({ description: 'One goal in a scorecard.' })
export class ScorecardGoal extends GoalProgress {
  @Field(() => Int)
  weight!: number;
}

@ObjectType({ description: 'A salesperson’s goals over a window, their weighted score and rank among all salespeople.' })
export class Scorecard {
  salespersonId!: string;

  @Field(() => LocalDateScalar)
  from!: LocalDate;

  @Field(() => LocalDateScalar)
  to!: LocalDate;

  @Field(() => Float, { nullable: true, description: 'Weighted mean of the goals’ attainment in [0, 1]; null when no goal could be measured.' })
  score!: number | null;

  @Field(() => Int, { description: '1 = best; equal scores share a rank; unscored salespeople come last.' })
  rank!: number;

  @Field(() => [ScorecardGoal])
  goals!: ScorecardGoal[];

  @Field(() => CollectionFigures, { description: 'The salesperson’s collection figures over the window.' })
  stats!: CollectionFigures;
}
