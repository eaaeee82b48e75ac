/**
 * Weekly analysis: one immutable snapshot per Monday-to-Sunday week, computed from the
 * same query module as the live reports and stored as it was reported, so the trend
 * stays visible after later corrections to the ledger. Publishing is serialised by an
 * advisory lock and the week is the primary key: several instances (or a manager
 * and the schedule at once) store one snapshot, never two.
 */
import { EntityManager, IsolationLevel } from '@mikro-orm/postgresql';
import { Principal, Role } from '../../core/auth';
import { Clock } from '../../core/clock';
import { badInput, CoreErrorReason } from '../../core/errors';
import { addDays, type LocalDate, isBefore } from '../../core/local-date';
import { mondayOf } from '../../core/periods';
import { type Cents, centsFromNumeric, formatMoney } from '../../core/money';
import { MetricsService } from './metrics.service';
import { queryAging, queryBookingLag, queryNewOverdue, queryReceived, queryTopOverdueCustomers } from './metrics.queries';
import { WeeklyAnalysis, WeeklyAnalysisTrigger } from './weekly-analysis.types';
import { INSERT_SNAPSHOT, LATEST_SNAPSHOTS, SNAPSHOT_OF_WEEK, type SnapshotRow } from './weekly-analysis.queries';
import { lockForTransaction } from '../../db/locks';
import { AnalyticsErrorReason } from './analytics.errors';

const PUBLISH_LOCK = 0x68_6b_77_61; // "hkwa"
export const MAX_WEEKLY_ANALYSES = 104;

/** Keys whose values are money in a stored snapshot (decimal strings in the JSON). */
const MONEY_KEYS = new Set([
  'total',
  'current',
  'd1to30',
  'd31to60',
  'd61to90',
  'over90',
  'disputed',
  'promised',
  'promisedKept',
  'due',
  'collected',
  'sales',
  'collectedInWindow',
  'openingOutstanding',
  'closingOutstanding',
  'overdueAmount',
  'received',
  'newOverdueAmount',
]);

/** JSON of a snapshot: money as exact decimal strings. */
export function encodeSnapshot(data: object): string {
  return JSON.stringify(data, (_key, value: unknown) => (typeof value === 'bigint' ? formatMoney(value) : value));
}

export function decodeSnapshot(json: string | object): Record<string, unknown> {
  const text = typeof json === 'string' ? json : JSON.stringify(json);
  return JSON.parse(text, (key, value: unknown) => (MONEY_KEYS.has(key) && typeof value === 'string' ? centsFromNumeric(value) : value)) as Record<
    string,
    unknown
  >;
}

/**
 * Snapshots stored before disputes existed have no `disputed` slice: nothing was disputed
 * then; those stored before promises and the contact log have no collection-work figures:
 * none were recorded then (rates null, sums 0).
 */
function withDisputed<T extends object>(figures: T): T & { disputed: Cents } {
  return {
    disputed: 0n,
    disputedShare: null,
    promised: 0n,
    promisedKept: 0n,
    promiseKeptRate: null,
    customersFellOverdue: 0,
    customersContactedInTime: 0,
    contactCoverage: null,
    ...figures,
  };
}

/** A stored snapshot as the API answers it (also what the notifications area digests). */
export function analysisFromSnapshot(row: SnapshotRow): WeeklyAnalysis {
  const stored = decodeSnapshot(row.data) as unknown as Omit<WeeklyAnalysis, 'id' | 'weekStart' | 'weekEnd' | 'publishedAt' | 'publishedById' | 'trigger'>;
  const data = {
    ...stored,
    aging: { ...withDisputed(stored.aging), bySalesperson: stored.aging.bySalesperson.map(withDisputed) },
    collections: { ...withDisputed(stored.collections), bySalesperson: stored.collections.bySalesperson.map(withDisputed) },
  };
  // The change holds signed decimal strings under money-like keys: keep them as text.
  const change = data.change && Object.fromEntries(Object.entries(data.change).map(([k, v]) => [k, typeof v === 'bigint' ? formatMoney(v) : v]));
  return {
    ...data,
    change: change as WeeklyAnalysis['change'],
    id: row.weekStart,
    weekStart: row.weekStart,
    weekEnd: row.weekEnd,
    publishedAt: row.publishedAt,
    publishedById: row.publishedById,
    trigger: row.trigger,
  };
}

const signed = (a: Cents, b: Cents) => formatMoney(a - b);
const rateChange = (a: number | null, b: number | null) => (a === null || b === null ? null : Math.round((a - b) * 1e9) / 1e9);

export class WeeklyAnalysisService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly rules: { timeZone: string; bookingLagLimitDays: number; contactSlaWorkingDays: number },
  ) {}

  async find(weekOf: LocalDate): Promise<WeeklyAnalysis | null> {
    const row = await SNAPSHOT_OF_WEEK.maybeOne(this.em, { weekStart: mondayOf(weekOf) });
    return row ? analysisFromSnapshot(row) : null;
  }

  async latest(last: number | null | undefined): Promise<WeeklyAnalysis[]> {
    const n = last ?? 8;
    if (!Number.isInteger(n) || n < 1 || n > MAX_WEEKLY_ANALYSES)
      throw badInput('last', `last must be between 1 and ${MAX_WEEKLY_ANALYSES}`, CoreErrorReason.OUT_OF_RANGE);
    const rows = await LATEST_SNAPSHOTS.all(this.em, { limit: n });
    return rows.map(analysisFromSnapshot);
  }

  /** On demand (publishWeeklyAnalysis): the week must be over; an existing snapshot is returned unchanged. */
  async publish(principal: Principal, weekOf: LocalDate): Promise<WeeklyAnalysis> {
    const weekStart = mondayOf(weekOf);
    const today = this.clock.today();
    if (!isBefore(addDays(weekStart, 6), today)) {
      throw badInput(
        'weekOf',
        `the week of ${weekStart} is not over yet (today is ${today}): a snapshot is taken once its Sunday has passed`,
        AnalyticsErrorReason.WEEK_NOT_OVER,
      );
    }
    const published = await this.store(weekStart, WeeklyAnalysisTrigger.MANUAL, principal.role === Role.INTEGRATION ? null : principal.userId, false);
    return published!;
  }

  /** The schedule: stores the week if nobody has; skips when another instance is publishing. */
  publishScheduled(weekStart: LocalDate): Promise<WeeklyAnalysis | null> {
    return this.store(weekStart, WeeklyAnalysisTrigger.SCHEDULE, null, true);
  }

  private async store(weekStart: LocalDate, trigger: WeeklyAnalysisTrigger, publishedById: string | null, skipIfBusy: boolean): Promise<WeeklyAnalysis | null> {
    // Repeatable read: every figure of the snapshot sees the same ledger.
    return this.em.fork().transactional(
      async (em) => {
        if (!(await lockForTransaction(em, PUBLISH_LOCK, { skipIfBusy }))) return null;
        const existing = await SNAPSHOT_OF_WEEK.maybeOne(em, { weekStart });
        if (existing) return analysisFromSnapshot(existing);
        const data = await this.compute(em, weekStart);
        const row = await INSERT_SNAPSHOT.one(em, { weekStart, weekEnd: addDays(weekStart, 6), publishedById, trigger, data: encodeSnapshot(data) });
        return analysisFromSnapshot(row);
      },
      { isolationLevel: IsolationLevel.REPEATABLE_READ },
    );
  }

  private async compute(em: EntityManager, weekStart: LocalDate) {
    const weekEnd = addDays(weekStart, 6);
    const metrics = new MetricsService(em, this.rules.timeZone, this.rules.contactSlaWorkingDays);
    const everyone = metrics.scope(undefined);
    const aging = await metrics.agingReport(weekEnd, await queryAging(em, weekEnd, everyone));
    const collections = await metrics.collectionStatsOf(weekStart, weekEnd, undefined);
    const received = await queryReceived(em, weekStart, weekEnd);
    const newOverdue = await queryNewOverdue(em, weekStart, weekEnd, everyone);
    const topOverdueCustomers = await queryTopOverdueCustomers(em, weekEnd, 10, everyone);
    const lag = await queryBookingLag(em, weekStart, weekEnd, this.rules.timeZone, this.rules.bookingLagLimitDays);
    const lagTotal = lag.find((r) => r.clerkId === null)!;
    const byClerk = lag
      .filter((r) => r.clerkId !== null)
      .sort((a, b) => b.latePayments - a.latePayments || (b.maxLagDays ?? 0) - (a.maxLagDays ?? 0) || (a.clerkId! < b.clerkId! ? -1 : 1))
      .map(({ clerkId, ...figures }) => ({ ...figures, clerkId: clerkId! }));
    const overdueAmount = aging.total - aging.current;

    const previousRow = await SNAPSHOT_OF_WEEK.maybeOne(em, { weekStart: addDays(weekStart, -7) });
    const previous = previousRow ? analysisFromSnapshot(previousRow) : null;
    const change = previous && {
      previousWeekStart: previous.weekStart,
      outstanding: signed(aging.total, previous.aging.total),
      overdueAmount: signed(overdueAmount, previous.overdueAmount),
      overdueCount: aging.overdueCount - previous.overdueCount,
      received: signed(received.amount, previous.received),
      collectionRate: rateChange(collections.collectionRate, previous.collections.collectionRate),
      onTimeRate: rateChange(collections.onTimeRate, previous.collections.onTimeRate),
    };
    const { clerkId: _total, ...lagFigures } = lagTotal;
    return {
      aging,
      collections,
      received: received.amount,
      paymentsReceived: received.count,
      overdueAmount,
      overdueCount: aging.overdueCount,
      newOverdueCount: newOverdue.count,
      newOverdueAmount: newOverdue.amount,
      topOverdueCustomers,
      bookingLag: { ...lagFigures, byClerk },
      change,
    };
  }
}
