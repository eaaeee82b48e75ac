/**
 * The metric formulas, pure: they turn the sums that metrics.queries.ts aggregates in
 * PostgreSQL (exact bigint cents) into rates, DSO, CEI, aging buckets, goal attainment
 * and scores. Definitions and worked examples: docs/metrics.md. Nothing here reads the
 * database, so every formula is unit-tested on hand-computed numbers.
 */
import { type Cents } from '../../core/money';

/** Sums of one salesperson (or the company) over a window [from, to]; see metrics.queries.ts. */
export interface WindowSums {
  /** Σ amount of receivables whose effective due date is in the window. */
  due: Cents;
  dueCount: number;
  /** Of those, allocations of non-void payments whose money arrived by `to`. */
  collected: Cents;
  /** Of those, allocations whose money arrived by the receivable's effective due date. */
  collectedOnTime: Cents;
  /** Σ amount of receivables issued in the window (credit sales). */
  sales: Cents;
  /** Σ write-offs and credits dated in the window. */
  writtenOff: Cents;
  /** Outstanding as of the day before `from`. */
  opening: Cents;
  /** Outstanding as of `to`. */
  closing: Cents;
  /** Part of `closing` past its effective due date on `to`. */
  closingOverdue: Cents;
  closingOverdueCount: number;
  /** Part of `closing` that open disputes cover on `to` (each receivable at most its position). */
  closingDisputed: Cents;
  /** Σ amount of the promises to pay due in the window and settled (KEPT, PARTIAL, BROKEN). */
  promised: Cents;
  /** Of those, what was kept: KEPT the amount, PARTIAL the money counted for it, BROKEN nothing. */
  promisedKept: Cents;
  /** Customers that fell overdue in the window (pending ones — SLA not over, not contacted yet — left out). */
  fellOverdue: number;
  /** Of those, the ones contacted within CONTACT_SLA_WORKING_DAYS working days of falling overdue. */
  contactedInTime: number;
}

export interface WindowMetrics {
  due: Cents;
  collected: Cents;
  collectionRate: number | null;
  onTimeRate: number | null;
  dso: number | null;
  cei: number | null;
  /** Money applied to receivables in the window: opening + sales − write-offs − closing. */
  collectedInWindow: Cents;
  sales: Cents;
  opening: Cents;
  closing: Cents;
  overdueAmount: Cents;
  overdueCount: number;
  overdueRatio: number | null;
  /** promisedKept / promised: the amount-weighted promise kept rate; null without settled promises. */
  promiseKeptRate: number | null;
  /** contactedInTime / fellOverdue; null when no customer fell overdue. */
  contactCoverage: number | null;
  /** closingDisputed / closing; null when nothing is outstanding. */
  disputedShare: number | null;
}

const RATIO_SCALE = 1_000_000_000n;

/** numerator / denominator as a float, exact to 9 decimals (bigints can exceed 2^53); null for 0/0-type ratios. */
export function ratio(numerator: Cents, denominator: Cents): number | null {
  if (denominator <= 0n) return null;
  return Number((numerator * RATIO_SCALE) / denominator) / Number(RATIO_SCALE);
}

/** Days in the inclusive window [from, to]. */
export function windowDays(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

/** DSO = closing receivables / credit sales × days in the window (null without sales). */
export function dso(closing: Cents, sales: Cents, days: number): number | null {
  const r = ratio(closing, sales);
  return r === null ? null : Math.round(r * days * 100) / 100;
}

/**
 * CEI = (opening + sales − write-offs − closing) / (opening + sales − write-offs − closing current),
 * the Collection Effectiveness Index with write-offs taken out of both sides, so writing
 * a debt off never counts as collecting it. Equals collected / (collected + closing overdue).
 */
export function cei(sums: Pick<WindowSums, 'opening' | 'sales' | 'writtenOff' | 'closing' | 'closingOverdue'>): number | null {
  const collected = sums.opening + sums.sales - sums.writtenOff - sums.closing;
  const closingCurrent = sums.closing - sums.closingOverdue;
  return ratio(collected, sums.opening + sums.sales - sums.writtenOff - closingCurrent);
}

export function windowMetrics(sums: WindowSums, from: string, to: string): WindowMetrics {
  return {
    due: sums.due,
    collected: sums.collected,
    collectionRate: ratio(sums.collected, sums.due),
    onTimeRate: ratio(sums.collectedOnTime, sums.due),
    dso: dso(sums.closing, sums.sales, windowDays(from, to)),
    cei: cei(sums),
    collectedInWindow: sums.opening + sums.sales - sums.writtenOff - sums.closing,
    sales: sums.sales,
    opening: sums.opening,
    closing: sums.closing,
    overdueAmount: sums.closingOverdue,
    overdueCount: sums.closingOverdueCount,
    overdueRatio: ratio(sums.closingOverdue, sums.closing),
    promiseKeptRate: ratio(sums.promisedKept, sums.promised),
    contactCoverage: ratio(BigInt(sums.contactedInTime), BigInt(sums.fellOverdue)),
    disputedShare: ratio(sums.closingDisputed, sums.closing),
  };
}

export type AgingBucket = 'current' | 'd1to30' | 'd31to60' | 'd61to90' | 'over90';

/** Bucket of a receivable `daysPast` days past its effective due date (≤ 0: current). The SQL uses the same bounds. */
export function agingBucket(daysPast: number): AgingBucket {
  if (daysPast <= 0) return 'current';
  if (daysPast <= 30) return 'd1to30';
  if (daysPast <= 60) return 'd31to60';
  if (daysPast <= 90) return 'd61to90';
  return 'over90';
}

// ---------------------------------------------------------------- goals

export enum GoalMetric {
  COLLECTION_RATE = 'COLLECTION_RATE',
  ON_TIME_RATE = 'ON_TIME_RATE',
  OVERDUE_AMOUNT = 'OVERDUE_AMOUNT',
  OVERDUE_RATIO = 'OVERDUE_RATIO',
  DSO = 'DSO',
  CEI = 'CEI',
  PROMISE_KEPT_RATE = 'PROMISE_KEPT_RATE',
  CONTACT_COVERAGE = 'CONTACT_COVERAGE',
  DISPUTED_SHARE = 'DISPUTED_SHARE',
}

export enum GoalDirection {
  AT_LEAST = 'AT_LEAST',
  AT_MOST = 'AT_MOST',
}

export enum GoalStatus {
  ON_TRACK = 'ON_TRACK',
  AT_RISK = 'AT_RISK',
  MET = 'MET',
  MISSED = 'MISSED',
}

/** The direction a metric is naturally judged in (used when a goal does not say). */
export function defaultDirection(metric: GoalMetric): GoalDirection {
  return metric === GoalMetric.COLLECTION_RATE ||
    metric === GoalMetric.ON_TIME_RATE ||
    metric === GoalMetric.CEI ||
    metric === GoalMetric.PROMISE_KEPT_RATE ||
    metric === GoalMetric.CONTACT_COVERAGE
    ? GoalDirection.AT_LEAST
    : GoalDirection.AT_MOST;
}

/**
 * The metric's value from the window metrics, as a decimal number in the goal's unit:
 * a ratio in [0,1], days for DSO, cents for OVERDUE_AMOUNT (exact bigint).
 */
export function metricValue(metric: GoalMetric, m: WindowMetrics): number | bigint | null {
  switch (metric) {
    case GoalMetric.COLLECTION_RATE:
      return m.collectionRate;
    case GoalMetric.ON_TIME_RATE:
      return m.onTimeRate;
    case GoalMetric.OVERDUE_AMOUNT:
      return m.overdueAmount;
    case GoalMetric.OVERDUE_RATIO:
      // Nothing outstanding: nothing is overdue either.
      return m.overdueRatio ?? 0;
    case GoalMetric.DSO:
      return m.dso;
    case GoalMetric.CEI:
      return m.cei;
    case GoalMetric.PROMISE_KEPT_RATE:
      return m.promiseKeptRate;
    case GoalMetric.CONTACT_COVERAGE:
      return m.contactCoverage;
    case GoalMetric.DISPUTED_SHARE:
      // Nothing outstanding: nothing is disputed either.
      return m.disputedShare ?? 0;
  }
}

/**
 * Attainment: the share of the target reached, capped at 1 (1 = met). AT_LEAST:
 * actual / target; AT_MOST: target / actual. Null when there is nothing to measure.
 * Targets and actuals come as scaled bigints of the same unit, so money stays exact.
 */
export function attainment(direction: GoalDirection, actual: bigint | null, target: bigint): number | null {
  if (actual === null) return null;
  if (direction === GoalDirection.AT_LEAST) {
    if (actual >= target) return 1;
    return ratio(actual, target) ?? 1;
  }
  if (actual <= target) return 1;
  return ratio(target, actual) ?? 1;
}

/**
 * Status: once the period is over MET or MISSED; while it runs ON_TRACK when the target
 * is met so far, else AT_RISK. No measurement (e.g. nothing fell due): ON_TRACK while
 * running, MET once over (nothing was missed).
 */
export function goalStatus(attained: number | null, periodOver: boolean): GoalStatus {
  const met = attained === null || attained >= 1;
  if (periodOver) return met ? GoalStatus.MET : GoalStatus.MISSED;
  return met ? GoalStatus.ON_TRACK : GoalStatus.AT_RISK;
}

/** Weighted mean of attainments; goals without a measurement are left out. Null when none is measured. */
export function weightedScore(parts: { attainment: number | null; weight: number }[]): number | null {
  const measured = parts.filter((p) => p.attainment !== null);
  const weights = measured.reduce((s, p) => s + p.weight, 0);
  if (weights === 0) return null;
  return Math.round((measured.reduce((s, p) => s + p.attainment! * p.weight, 0) / weights) * 1e6) / 1e6;
}

/**
 * Competition ranking (1, 2, 2, 4) by score, highest first; unscored last, sharing the
 * last rank. Ties keep the caller's order (by name).
 */
export function rankByScore<T extends { score: number | null }>(rows: T[]): (T & { rank: number })[] {
  const sorted = [...rows].sort((a, b) => (b.score ?? -1) - (a.score ?? -1));
  let rank = 0;
  return sorted.map((row, i) => {
    if (i === 0 || (row.score ?? -1) !== (sorted[i - 1].score ?? -1)) rank = i + 1;
    return { ...row, rank };
  });
}
