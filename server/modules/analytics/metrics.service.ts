/**
 * Aging and collection statistics for callers: argument rules, who may see whose
 * numbers (a SALES user only their own), and the mapping of the query module's sums
 * (metrics.queries.ts) through the formulas (metrics.formulas.ts). Goals, scorecards and
 * weekly snapshots call the same two methods, so every figure has one definition.
 */
import { ownerScope } from '../../core/access';
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { forbidden, notFound } from '../../core/errors';
import { type LocalDate, assertDateRange } from '../../core/local-date';
import { User } from '../users/user.entity';
import { AgingReport, CollectionFigures, CollectionStats, SalespersonAging, SalespersonCollectionStats } from './analytics.types';
import { windowMetrics, type WindowSums } from './metrics.formulas';
import { AgingRow, queryAging, queryWindowSums, type Scope, WindowSumsRow } from './metrics.queries';
import { findById } from '../../db/find';

/** Longest window a statistic may span, both ends included: three years (one of them a leap year). */
export const MAX_WINDOW_DAYS = 1096;

export function figuresOf(sums: WindowSums, from: LocalDate, to: LocalDate): CollectionFigures {
  const m = windowMetrics(sums, from, to);
  return {
    due: m.due,
    dueCount: sums.dueCount,
    collected: m.collected,
    collectionRate: m.collectionRate,
    onTimeRate: m.onTimeRate,
    dso: m.dso,
    cei: m.cei,
    sales: m.sales,
    collectedInWindow: m.collectedInWindow,
    openingOutstanding: m.opening,
    closingOutstanding: m.closing,
    overdueAmount: m.overdueAmount,
    overdueCount: m.overdueCount,
    overdueRatio: m.overdueRatio,
    disputed: sums.closingDisputed,
    disputedShare: m.disputedShare,
    promised: sums.promised,
    promisedKept: sums.promisedKept,
    promiseKeptRate: m.promiseKeptRate,
    customersFellOverdue: sums.fellOverdue,
    customersContactedInTime: sums.contactedInTime,
    contactCoverage: m.contactCoverage,
  };
}

const ZERO_SUMS: WindowSums = {
  due: 0n,
  dueCount: 0,
  collected: 0n,
  collectedOnTime: 0n,
  sales: 0n,
  writtenOff: 0n,
  opening: 0n,
  closing: 0n,
  closingOverdue: 0n,
  closingOverdueCount: 0,
  closingDisputed: 0n,
  promised: 0n,
  promisedKept: 0n,
  fellOverdue: 0,
  contactedInTime: 0,
};

export function assertWindow(from: LocalDate, to: LocalDate): void {
  assertDateRange(from, to, { maxDays: MAX_WINDOW_DAYS });
}

export class MetricsService {
  /** Window sums of everyone, per request: goals and scorecards of one period share one query. */
  private readonly windowCache = new Map<string, Promise<WindowSumsRow[]>>();

  constructor(
    private readonly em: EntityManager,
    private readonly timeZone: string,
    /** CONTACT_SLA_WORKING_DAYS (contact coverage). */
    private readonly contactSlaWorkingDays: number,
  ) {}

  /**
   * The salespeople a caller may ask about: SALES only themselves (omitted = themselves),
   * others anyone. An unknown id is NOT_FOUND.
   */
  async resolveSalesperson(principal: Principal, salespersonId: string | null | undefined): Promise<string | undefined> {
    const self = ownerScope(principal);
    if (self) {
      if (salespersonId && salespersonId !== self) throw forbidden('A salesperson sees only their own numbers');
      return self;
    }
    if (!salespersonId) return undefined;
    const user = await findById(this.em, User, salespersonId);
    if (!user) throw notFound('Salesperson', salespersonId, 'salespersonId');
    return user.id;
  }

  async aging(principal: Principal, asOf: LocalDate, salespersonId?: string | null): Promise<AgingReport> {
    const only = await this.resolveSalesperson(principal, salespersonId);
    const rows = await queryAging(this.em, asOf, this.scope(only));
    return this.agingReport(asOf, rows, only);
  }

  /** Builds the report from query rows (also used for weekly snapshots). */
  async agingReport(asOf: LocalDate, rows: AgingRow[], only?: string): Promise<AgingReport> {
    const [total, ...people] = rows;
    const bySalesperson: SalespersonAging[] = (await this.sortByName(people, (r) => r.salespersonId!)).map((r) => ({
      ...r,
      salespersonId: r.salespersonId!,
    }));
    // Asked for one salesperson with nothing outstanding: their row exists, at zero.
    if (only && bySalesperson.length === 0) bySalesperson.push({ ...total, salespersonId: only });
    return { asOf, ...total, bySalesperson };
  }

  async collectionStats(principal: Principal, from: LocalDate, to: LocalDate, salespersonId?: string | null): Promise<CollectionStats> {
    assertWindow(from, to);
    return this.collectionStatsOf(from, to, await this.resolveSalesperson(principal, salespersonId));
  }

  /** Collection figures of [from, to], company-wide or for one salesperson (no access check: callers decide). */
  async collectionStatsOf(from: LocalDate, to: LocalDate, only: string | undefined): Promise<CollectionStats> {
    assertWindow(from, to);
    const rows = await queryWindowSums(this.em, from, to, this.scope(only), this.contactSlaWorkingDays);
    const total = rows.find((r) => r.salespersonId === null) ?? { ...ZERO_SUMS, salespersonId: null };
    const people = await this.sortByName(
      rows.filter((r) => r.salespersonId !== null),
      (r) => r.salespersonId!,
    );
    const bySalesperson: SalespersonCollectionStats[] = people.map((r) => ({ ...figuresOf(r, from, to), salespersonId: r.salespersonId! }));
    if (only && bySalesperson.length === 0) bySalesperson.push({ ...figuresOf(ZERO_SUMS, from, to), salespersonId: only });
    return { from, to, ...figuresOf(total, from, to), bySalesperson };
  }

  /** Sums of every salesperson and the company total (null key) over [from, to], cached per request. */
  async sumsByPerson(from: LocalDate, to: LocalDate): Promise<Map<string | null, WindowSums>> {
    const key = `${from}/${to}`;
    let rows = this.windowCache.get(key);
    if (!rows) {
      rows = queryWindowSums(this.em, from, to, this.scope(undefined), this.contactSlaWorkingDays);
      this.windowCache.set(key, rows);
    }
    return new Map((await rows).map((r) => [r.salespersonId, r]));
  }

  sumsOf(map: Map<string | null, WindowSums>, salespersonId: string | null): WindowSums {
    return map.get(salespersonId) ?? ZERO_SUMS;
  }

  scope(only: string | undefined): Scope {
    return { tz: this.timeZone, salespersonIds: only ? [only] : undefined };
  }

  /** Orders rows by the salesperson's name (then id), one query for all names. */
  async sortByName<T>(rows: T[], idOf: (row: T) => string): Promise<T[]> {
    if (rows.length === 0) return rows;
    const users = await this.em.find(User, { id: { $in: rows.map(idOf) } });
    const names = new Map(users.map((u) => [u.id, u.name]));
    return [...rows].sort((a, b) => {
      const [na, nb] = [names.get(idOf(a)) ?? '', names.get(idOf(b)) ?? ''];
      return na < nb ? -1 : na > nb ? 1 : idOf(a) < idOf(b) ? -1 : 1;
    });
  }
}
