/**
 * Goals and scorecards. A goal's actual is the metric over its period up to today,
 * taken from the same window sums as collectionStats (MetricsService.sumsByPerson, one
 * query per distinct window and request); attainment, status and scores come from the
 * pure formulas. Who sees what: MANAGER and ADMIN everything; everyone else the goals
 * that apply to them (their own SALESPERSON goals and, for SALES, EVERY_SALESPERSON
 * goals, with only their own progress row) and only their own scorecard.
 */
import { Permission, can, ownerScope, requireAccess } from '../../core/access';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal, Role } from '../../core/auth';
import { Clock } from '../../core/clock';
import { badInput, conflict, notFound, CoreErrorReason } from '../../core/errors';
import { type LocalDate, earlierOf, isBefore, laterOf } from '../../core/local-date';
import { User } from '../users/user.entity';
import { Goal, GoalPeriod, GoalScope } from './goal.entity';
import { CreateGoalInput, GoalProgress, Scorecard, ScorecardGoal, UpdateGoalInput } from './goal.types';
import { decimalsOf, formatDecimal, maxTargetOf, nanoFromNumeric, numericFromNano, parseDecimal, toNano } from './goal.values';
import { attainment, defaultDirection, GoalMetric, goalStatus, metricValue, rankByScore, weightedScore, windowMetrics } from './metrics.formulas';
import { assertWindow, figuresOf, MetricsService } from './metrics.service';
import { findById } from '../../db/find';
import { PERIOD_START_RULE, periodEnd } from '../../core/periods';
import { AnalyticsErrorReason } from './analytics.errors';

export class GoalService {
  private readonly progressCache = new Map<string, Promise<GoalProgress[]>>();

  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  // ------------------------------------------------------------- reads

  async list(principal: Principal, activeOn: LocalDate | null | undefined): Promise<Goal[]> {
    const qb = this.em.createQueryBuilder(Goal, 'g').where({ archivedAt: null });
    if (activeOn) qb.andWhere({ periodStart: { $lte: activeOn }, periodEnd: { $gte: activeOn } });
    if (!can(principal, Permission.GOALS_MANAGE)) {
      const applies: object[] = [{ scope: GoalScope.SALESPERSON, salespersonId: principal.userId }];
      if (ownerScope(principal)) applies.push({ scope: GoalScope.EVERY_SALESPERSON });
      qb.andWhere({ $or: applies });
    }
    return qb.orderBy({ periodStart: 'desc', metric: 'asc', createdAt: 'asc', id: 'asc' }).getResult();
  }

  /** The goal's target as a decimal string in its unit. */
  formatTarget(goal: Goal): string {
    return formatDecimal(nanoFromNumeric(goal.target), decimalsOf(goal.metric));
  }

  /**
   * Live progress rows: COMPANY one row (salespersonId null); SALESPERSON one; EVERY
   * salesperson one per active SALES user by name. A SALES caller gets only their own.
   */
  progress(principal: Principal, goal: Goal): Promise<GoalProgress[]> {
    const key = `${goal.id}/${goal.updatedAt.getTime()}`;
    let rows = this.progressCache.get(key);
    if (!rows) {
      rows = this.computeProgress(goal);
      this.progressCache.set(key, rows);
    }
    const only = ownerScope(principal);
    return rows.then((all) => (only ? all.filter((r) => r.salespersonId === only) : all));
  }

  /** The goal-level figures: the company's (EVERY: all salespeople together), or the caller's own row for SALES. */
  async summary(principal: Principal, goal: Goal): Promise<GoalProgress> {
    if (goal.scope === GoalScope.EVERY_SALESPERSON) {
      if (ownerScope(principal)) {
        const own = (await this.progress(principal, goal))[0];
        if (own) return own;
      }
      return this.measure(goal, null, goal.periodStart, goal.periodEnd);
    }
    return (await this.progress(principal, goal))[0] ?? this.measure(goal, null, goal.periodStart, goal.periodEnd);
  }

  private async computeProgress(goal: Goal): Promise<GoalProgress[]> {
    if (goal.scope === GoalScope.COMPANY) return [await this.measure(goal, null, goal.periodStart, goal.periodEnd)];
    if (goal.scope === GoalScope.SALESPERSON) return [await this.measure(goal, goal.salespersonId, goal.periodStart, goal.periodEnd)];
    const people = await this.salespeople();
    return Promise.all(people.map((p) => this.measure(goal, p.id, goal.periodStart, goal.periodEnd)));
  }

  /** Measures `goal` for one salesperson (null: company) over [from, to] ∩ up to today. */
  private async measure(goal: Goal, salespersonId: string | null, from: LocalDate, to: LocalDate): Promise<GoalProgress> {
    const today = this.clock.today();
    const end = earlierOf(to, today);
    const periodOver = isBefore(to, today);
    const base = { goal, salespersonId };
    if (isBefore(end, from)) {
      return { ...base, actual: null, attainment: null, status: goalStatus(null, false), measuredFrom: null, measuredTo: null };
    }
    const sums = this.metrics.sumsOf(await this.metrics.sumsByPerson(from, end), salespersonId);
    const value = toNano(metricValue(goal.metric, windowMetrics(sums, from, end)), goal.metric);
    const attained = attainment(goal.direction, value, nanoFromNumeric(goal.target));
    return {
      ...base,
      actual: value === null ? null : formatDecimal(value, goal.metric === GoalMetric.OVERDUE_AMOUNT || goal.metric === GoalMetric.DSO ? 2 : 6),
      attainment: attained,
      status: goalStatus(attained, periodOver),
      measuredFrom: from,
      measuredTo: end,
    };
  }

  private salespeople(): Promise<User[]> {
    return this.em.find(User, { role: Role.SALES, active: true }, { orderBy: { name: 'asc', id: 'asc' } });
  }

  // ------------------------------------------------------------- scorecards

  /**
   * Per active salesperson: every goal that applies to them and overlaps [from, to],
   * measured over the overlap (up to today), the weighted score and the rank among all
   * salespeople. A SALES caller gets only their own card (with their rank among all).
   */
  async scorecards(principal: Principal, from: LocalDate, to: LocalDate): Promise<Scorecard[]> {
    requireAccess(principal, Permission.GOALS_READ, 'Scorecards are for managers and the salespeople themselves');
    assertWindow(from, to);
    const goals = await this.em.find(
      Goal,
      {
        archivedAt: null,
        scope: { $in: [GoalScope.SALESPERSON, GoalScope.EVERY_SALESPERSON] },
        periodStart: { $lte: to },
        periodEnd: { $gte: from },
      },
      { orderBy: { periodStart: 'asc', metric: 'asc', createdAt: 'asc', id: 'asc' } },
    );
    const people = await this.salespeople();
    const today = this.clock.today();
    const statsEnd = earlierOf(to, today);
    const stats = isBefore(statsEnd, from) ? undefined : await this.metrics.sumsByPerson(from, statsEnd);
    const cards = await Promise.all(
      people.map(async (person) => {
        const own = goals.filter((g) => g.scope === GoalScope.EVERY_SALESPERSON || g.salespersonId === person.id);
        const parts: ScorecardGoal[] = await Promise.all(
          own.map(async (g) => ({
            ...(await this.measure(g, person.id, laterOf(g.periodStart, from), earlierOf(g.periodEnd, to))),
            weight: g.weight,
          })),
        );
        return {
          salespersonId: person.id,
          from,
          to,
          score: weightedScore(parts),
          goals: parts,
          stats: figuresOf(stats ? this.metrics.sumsOf(stats, person.id) : this.metrics.sumsOf(new Map(), person.id), from, laterOf(statsEnd, from)),
        };
      }),
    );
    const ranked = rankByScore(cards);
    const only = ownerScope(principal);
    return only ? ranked.filter((c) => c.salespersonId === only) : ranked;
  }

  // ------------------------------------------------------------- writes

  async create(principal: Principal, input: CreateGoalInput): Promise<Goal> {
    const metric = input.metric;
    const target = this.parseTarget(metric, input.target, 'input.target');
    const periodEndOn = this.parsePeriod(input.period, input.periodStart, 'input.periodStart');
    const weight = this.parseWeight(input.weight ?? 1, 'input.weight');
    let salespersonId: string | null = null;
    if (input.scope === GoalScope.SALESPERSON) {
      if (!input.salespersonId) throw badInput('input.salespersonId', 'a SALESPERSON goal needs salespersonId', AnalyticsErrorReason.SALESPERSON_REQUIRED);
      const user = await findById(this.em, User, input.salespersonId);
      if (!user) throw notFound('Salesperson', input.salespersonId, 'input.salespersonId');
      if (user.role !== Role.SALES) throw badInput('input.salespersonId', `${user.name} is not a salesperson`, AnalyticsErrorReason.NOT_A_SALESPERSON);
      salespersonId = user.id;
    } else if (input.salespersonId) {
      throw badInput('input.salespersonId', `salespersonId is only for scope SALESPERSON (got ${input.scope})`, AnalyticsErrorReason.SALESPERSON_NOT_ALLOWED);
    }
    const goal = this.em.create(Goal, {
      metric,
      direction: input.direction ?? defaultDirection(metric),
      target,
      period: input.period,
      periodStart: input.periodStart,
      periodEnd: periodEndOn,
      scope: input.scope,
      salespersonId,
      weight,
      createdById: principal.userId,
    });
    await this.em.flush();
    return goal;
  }

  async update(id: string, input: UpdateGoalInput): Promise<Goal> {
    const goal = await this.get(id);
    if (goal.archivedAt) throw conflict('The goal is archived', AnalyticsErrorReason.GOAL_ARCHIVED, 'id');
    // Validate everything before changing anything.
    const target = input.target !== undefined && input.target !== null ? this.parseTarget(goal.metric, input.target, 'input.target') : undefined;
    const period = input.period ?? goal.period;
    const start = input.periodStart ?? goal.periodStart;
    const end = input.period || input.periodStart ? this.parsePeriod(period, start, input.periodStart ? 'input.periodStart' : 'input.period') : goal.periodEnd;
    const weight = input.weight !== undefined && input.weight !== null ? this.parseWeight(input.weight, 'input.weight') : undefined;
    if (target !== undefined) goal.target = target;
    if (input.direction) goal.direction = input.direction;
    goal.period = period;
    goal.periodStart = start;
    goal.periodEnd = end;
    if (weight !== undefined) goal.weight = weight;
    goal.updatedAt = this.clock.now();
    await this.em.flush();
    return goal;
  }

  async archive(id: string): Promise<Goal> {
    const goal = await this.get(id);
    if (!goal.archivedAt) {
      goal.archivedAt = this.clock.now();
      goal.updatedAt = this.clock.now();
      await this.em.flush();
    }
    return goal;
  }

  private async get(id: string): Promise<Goal> {
    const goal = await findById(this.em, Goal, id);
    if (!goal) throw notFound('Goal', id, 'id');
    return goal;
  }

  private parseTarget(metric: GoalMetric, text: string, field: string): string {
    const decimals = metric === GoalMetric.OVERDUE_AMOUNT || metric === GoalMetric.DSO ? 2 : 4;
    const value = parseDecimal(text.trim(), decimals);
    if (value === undefined) {
      throw badInput(
        field,
        `target "${text.slice(0, 40)}" is not a non-negative decimal with at most ${decimals} fraction digits`,
        AnalyticsErrorReason.INVALID_TARGET,
      );
    }
    if (value > maxTargetOf(metric)) {
      const unit = metric === GoalMetric.DSO ? 'days' : metric === GoalMetric.OVERDUE_AMOUNT ? 'money' : 'a ratio in [0, 1]';
      throw badInput(field, `target ${text} is out of range for ${metric} (${unit}, e.g. 0.95 for 95%)`, AnalyticsErrorReason.TARGET_OUT_OF_RANGE);
    }
    return numericFromNano(value);
  }

  private parsePeriod(period: GoalPeriod, start: LocalDate, field: string): LocalDate {
    const end = periodEnd(period, start);
    if (!end) throw badInput(field, `${start} cannot start a ${period}: ${PERIOD_START_RULE[period]}`, CoreErrorReason.PERIOD_START_INVALID);
    return end;
  }

  private parseWeight(weight: number, field: string): number {
    if (!Number.isInteger(weight) || weight < 1 || weight > 100)
      throw badInput(field, 'weight must be a whole number from 1 to 100', AnalyticsErrorReason.INVALID_WEIGHT);
    return weight;
  }
}
