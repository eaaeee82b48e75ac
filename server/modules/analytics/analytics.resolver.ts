/**
 * GraphQL surface of analytics: aging, collection statistics, weekly analyses, goals
 * and scorecards. Thin: arguments and roles here, rules in the services.
 *
 * Roles: MANAGER and ADMIN everything. FINANCE and INTEGRATION (BI) read aging,
 * collection statistics and weekly analyses. PROJECT_LEAD reads weekly analyses (the
 * trend and booking lag behind improvement proposals), not individual numbers. SALES
 * read aging and collection statistics of their own receivables, their own scorecard
 * and the goals that apply to them.
 */
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { User } from '../users/user.entity';
import { AgingReport, CollectionStats, SalespersonAging, SalespersonCollectionStats } from './analytics.types';
import { Goal } from './goal.entity';
import { CreateGoalInput, GoalProgress, Scorecard, ScorecardGoal, UpdateGoalInput } from './goal.types';
import { GoalStatus } from './metrics.formulas';
import { ClerkBookingLag, WeeklyAnalysis } from './weekly-analysis.types';

@Resolver()
export class AnalyticsResolver {
  @Authorized(Permission.COLLECTION_STATS_READ)
  @Query(() => AgingReport, {
    description: 'Outstanding as the ledger stood at the end of asOf, in buckets of days past the effective due date. SALES: their own receivables only.',
  })
  agingReport(
    @Arg('asOf', () => LocalDateScalar) asOf: LocalDate,
    @Arg('salespersonId', () => ID, { nullable: true }) salespersonId: string | null,
    @Ctx() ctx: Context,
  ): Promise<AgingReport> {
    return ctx.services.metrics.aging(ctx.principal!, asOf, salespersonId);
  }

  @Authorized(Permission.COLLECTION_STATS_READ)
  @Query(() => CollectionStats, { description: 'Collection figures over [from, to] (docs/metrics.md). SALES: their own receivables only.' })
  collectionStats(
    @Arg('from', () => LocalDateScalar) from: LocalDate,
    @Arg('to', () => LocalDateScalar) to: LocalDate,
    @Arg('salespersonId', () => ID, { nullable: true }) salespersonId: string | null,
    @Ctx() ctx: Context,
  ): Promise<CollectionStats> {
    return ctx.services.metrics.collectionStats(ctx.principal!, from, to, salespersonId);
  }

  @Authorized(Permission.WEEKLY_ANALYSIS_READ)
  @Query(() => WeeklyAnalysis, {
    nullable: true,
    description: 'The stored analysis of the Monday-to-Sunday week containing weekOf; null when none was stored.',
  })
  weeklyAnalysis(@Arg('weekOf', () => LocalDateScalar) weekOf: LocalDate, @Ctx() ctx: Context): Promise<WeeklyAnalysis | null> {
    return ctx.services.weeklyAnalyses.find(weekOf);
  }

  @Authorized(Permission.WEEKLY_ANALYSIS_READ)
  @Query(() => [WeeklyAnalysis], { description: 'The latest stored weekly analyses, newest first (last: 1–104, default 8).' })
  weeklyAnalyses(@Arg('last', () => Int, { nullable: true }) last: number | null, @Ctx() ctx: Context): Promise<WeeklyAnalysis[]> {
    return ctx.services.weeklyAnalyses.latest(last);
  }

  @Authorized(Permission.GOALS_MANAGE)
  @Mutation(() => WeeklyAnalysis, {
    description: 'Stores the analysis of the finished week containing weekOf now; a week already stored is returned unchanged (snapshots are immutable).',
  })
  publishWeeklyAnalysis(@Arg('weekOf', () => LocalDateScalar) weekOf: LocalDate, @Ctx() ctx: Context): Promise<WeeklyAnalysis> {
    return ctx.services.weeklyAnalyses.publish(ctx.principal!, weekOf);
  }

  @Authorized()
  @Query(() => [Goal], {
    description: 'Goals not archived (whose period contains activeOn, when given). MANAGER/ADMIN: all; others: the goals that apply to them.',
  })
  goals(@Arg('activeOn', () => LocalDateScalar, { nullable: true }) activeOn: LocalDate | null, @Ctx() ctx: Context): Promise<Goal[]> {
    return ctx.services.goals.list(ctx.principal!, activeOn);
  }

  @Authorized(Permission.GOALS_MANAGE)
  @Mutation(() => Goal)
  createGoal(@Arg('input', () => CreateGoalInput) input: CreateGoalInput, @Ctx() ctx: Context): Promise<Goal> {
    return ctx.services.goals.create(ctx.principal!, input);
  }

  @Authorized(Permission.GOALS_MANAGE)
  @Mutation(() => Goal)
  updateGoal(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateGoalInput) input: UpdateGoalInput, @Ctx() ctx: Context): Promise<Goal> {
    return ctx.services.goals.update(id, input);
  }

  @Authorized(Permission.GOALS_MANAGE)
  @Mutation(() => Goal, { description: 'Retires a goal: it leaves goals and scorecards; archiving twice changes nothing.' })
  archiveGoal(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Goal> {
    return ctx.services.goals.archive(id);
  }

  @Authorized(Permission.GOALS_READ)
  @Query(() => [Scorecard], { description: 'Per salesperson: goals over [from, to], weighted score and rank, best first. SALES: only their own card.' })
  scorecards(@Arg('from', () => LocalDateScalar) from: LocalDate, @Arg('to', () => LocalDateScalar) to: LocalDate, @Ctx() ctx: Context): Promise<Scorecard[]> {
    return ctx.services.goals.scorecards(ctx.principal!, from, to);
  }
}

@Resolver(() => Goal)
export class GoalResolver {
  @FieldResolver(() => String, { description: 'Decimal string in the metric’s unit (ratio, days or money).' })
  target(@Root() goal: Goal, @Ctx() ctx: Context): string {
    return ctx.services.goals.formatTarget(goal);
  }

  @FieldResolver(() => User, { nullable: true, description: 'The salesperson of a SALESPERSON goal.' })
  salesperson(@Root() goal: Goal, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(goal.salespersonId);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Measured over the period up to today: the company’s (EVERY_SALESPERSON: all salespeople together; for a SALES caller their own).',
  })
  async actual(@Root() goal: Goal, @Ctx() ctx: Context): Promise<string | null> {
    return (await ctx.services.goals.summary(ctx.principal!, goal)).actual;
  }

  @FieldResolver(() => Number, { nullable: true, description: 'Share of the target reached, in [0, 1].' })
  async attainment(@Root() goal: Goal, @Ctx() ctx: Context): Promise<number | null> {
    return (await ctx.services.goals.summary(ctx.principal!, goal)).attainment;
  }

  @FieldResolver(() => GoalStatus)
  async status(@Root() goal: Goal, @Ctx() ctx: Context): Promise<GoalStatus> {
    return (await ctx.services.goals.summary(ctx.principal!, goal)).status;
  }

  @FieldResolver(() => [GoalProgress], {
    description: 'COMPANY: one row; SALESPERSON: theirs; EVERY_SALESPERSON: one per active salesperson (SALES callers: their own).',
  })
  progress(@Root() goal: Goal, @Ctx() ctx: Context): Promise<GoalProgress[]> {
    return ctx.services.goals.progress(ctx.principal!, goal);
  }
}

@Resolver(() => GoalProgress)
export class GoalProgressResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Null for the company.' })
  salesperson(@Root() row: GoalProgress, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(row.salespersonId);
  }
}

@Resolver(() => ScorecardGoal)
export class ScorecardGoalResolver {
  @FieldResolver(() => Goal)
  goal(@Root() row: ScorecardGoal): Goal {
    return row.goal;
  }

  @FieldResolver(() => User, { nullable: true })
  salesperson(@Root() row: ScorecardGoal, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(row.salespersonId);
  }
}

@Resolver(() => Scorecard)
export class ScorecardResolver {
  @FieldResolver(() => User)
  async salesperson(@Root() card: Scorecard, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userOrNull(card.salespersonId))!;
  }
}

@Resolver(() => SalespersonAging)
export class SalespersonAgingResolver {
  @FieldResolver(() => User)
  async salesperson(@Root() row: SalespersonAging, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userOrNull(row.salespersonId))!;
  }
}

@Resolver(() => SalespersonCollectionStats)
export class SalespersonCollectionStatsResolver {
  @FieldResolver(() => User)
  async salesperson(@Root() row: SalespersonCollectionStats, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userOrNull(row.salespersonId))!;
  }
}

@Resolver(() => ClerkBookingLag)
export class ClerkBookingLagResolver {
  @FieldResolver(() => User, { description: 'The user who booked the payments.' })
  async clerk(@Root() row: ClerkBookingLag, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userOrNull(row.clerkId))!;
  }
}

@Resolver(() => WeeklyAnalysis)
export class WeeklyAnalysisResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who published it on demand; null for the schedule.' })
  publishedBy(@Root() row: WeeklyAnalysis, @Ctx() ctx: Context): Promise<User | null> {
    return ctx.loaders.userOrNull(row.publishedById);
  }
}

export const ANALYTICS_RESOLVERS = [
  AnalyticsResolver,
  GoalResolver,
  GoalProgressResolver,
  ScorecardGoalResolver,
  ScorecardResolver,
  SalespersonAgingResolver,
  SalespersonCollectionStatsResolver,
  ClerkBookingLagResolver,
  WeeklyAnalysisResolver,
] as const;
