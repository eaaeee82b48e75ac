/**
 * The analytics query module: every receivables aggregate is written here once, as
 * set-based PostgreSQL, and reused by the reports (agingReport, collectionStats), the
 * weekly snapshots and the goals and scorecards. Formulas on top of the sums live in
 * metrics.formulas.ts; their definitions in docs/metrics.md.
 *
 * The one building block is a receivable's *position as of a date D*
 * (`server/db/positions.ts`, shared with the overdue engine and the customers' balances).
 * Each receivable belongs to `receivable.salesperson_id`, the owner of the customer when
 * it was issued.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type Cents } from '../../core/money';
import { addDays, type LocalDate } from '../../core/local-date';
import { instantAfter, positionsCtes as ledgerPositions } from '../../db/positions';
import { defineQuery } from '../../db/sql';
import { type WindowSums } from './metrics.formulas';
import { disputedAsOfCte } from '../disputes/dispute.queries';

/** Restricts to the receivables of these salespeople (null: all). */
const SCOPE = (alias: string) => `(cast(:salespersonIds as uuid[]) is null or ${alias}.salesperson_id = any(cast(:salespersonIds as uuid[])))`;

/** Positions (server/db/positions.ts) of the receivables in scope, as CTEs `<name>_later` and `<name>`. */
const positionsCtes = (name: string, dateSql: string) => ledgerPositions(name, dateSql, { receivable: SCOPE });

/**
 * Aging buckets as of :asOf, one row per salesperson and the total (`is_total` 1), over the
 * receivables of :salespersonIds (null: all); :tz is the company time zone. Also the
 * statement of the answer PostgreSQL builds (analytics.projections.ts).
 */
export const AGING_SQL = `
with ${positionsCtes('pos', 'cast(:asOf as date)')},
${disputedAsOfCte('pos_disputed', 'cast(:asOf as date)')}
select salesperson_id, grouping(salesperson_id) as is_total,
       coalesce(sum(outstanding), 0)::text as total,
       coalesce(sum(outstanding) filter (where days_past <= 0), 0)::text as current,
       coalesce(sum(outstanding) filter (where days_past between 1 and 30), 0)::text as d1to30,
       coalesce(sum(outstanding) filter (where days_past between 31 and 60), 0)::text as d31to60,
       coalesce(sum(outstanding) filter (where days_past between 61 and 90), 0)::text as d61to90,
       coalesce(sum(outstanding) filter (where days_past > 90), 0)::text as over90,
       -- The disputed slice: what open disputes cover, at most the position (part of the buckets above).
       coalesce(sum(disputed), 0)::text as disputed,
       count(*)::int as receivables,
       count(*) filter (where days_past >= 1)::int as overdue_count
  from (select p.*, cast(:asOf as date) - p.effective_due_on as days_past, least(coalesce(pd.amount, 0), p.outstanding) as disputed
          from pos p left join pos_disputed pd on pd.receivable_id = p.id) x
 group by grouping sets ((salesperson_id), ())
`;

const AGING = defineQuery<ScopeParams & { asOf: LocalDate }, AgingRow>({
  text: AGING_SQL,
  decode: (row) => ({
    salespersonId: row.int('is_total') !== 0 ? null : row.text('salesperson_id'),
    total: row.cents('total'),
    current: row.cents('current'),
    d1to30: row.cents('d1to30'),
    d31to60: row.cents('d31to60'),
    d61to90: row.cents('d61to90'),
    over90: row.cents('over90'),
    disputed: row.cents('disputed'),
    receivables: row.int('receivables'),
    overdueCount: row.int('overdue_count'),
  }),
});

const WINDOW_SUMS = defineQuery<ScopeParams & { from: LocalDate; to: LocalDate; opening: LocalDate }, WindowSumsRow>({
  text: `
with ${positionsCtes('opening', 'cast(:opening as date)')},
${positionsCtes('closing', 'cast(:to as date)')},
${disputedAsOfCte('closing_disputed', 'cast(:to as date)')},
parts (salesperson_id, due, due_count, collected, on_time, sales, written_off, opening, closing, closing_overdue, closing_overdue_count, closing_disputed) as (
  -- What fell due in the window, and what of it was collected by the end of the window and by its effective due date.
  select r.salesperson_id, r.amount, 1, coalesce(c.collected, 0), coalesce(c.on_time, 0), 0, 0, 0, 0, 0, 0, 0
    from receivable r
    left join lateral (
      select sum(a.amount) as collected,
             sum(a.amount) filter (where greatest(a.received_on, r.issued_on) <= r.effective_due_on) as on_time
        from payment_allocation a
       where a.receivable_id = r.id and not a.voided and greatest(a.received_on, r.issued_on) <= cast(:to as date)
    ) c on true
   where r.effective_due_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, r.amount, 0, 0, 0, 0, 0, 0
    from receivable r
   where r.issued_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, 0, r.written_off_amount, 0, 0, 0, 0, 0
    from receivable r
   where r.written_off_at >= ${instantAfter('cast(:opening as date)')} and r.written_off_at < ${instantAfter('cast(:to as date)')}
     and r.issued_on <= cast(:to as date) and ${SCOPE('r')}
  union all
  -- Credits granted in the window count with the write-offs: money no longer claimed, not collected.
  select r.salesperson_id, 0, 0, 0, 0, 0, k.amount, 0, 0, 0, 0, 0
    from receivable_credit k join receivable r on r.id = k.receivable_id
   where k.credited_on between cast(:from as date) and cast(:to as date) and r.issued_on <= cast(:to as date) and ${SCOPE('r')}
  union all
  select salesperson_id, 0, 0, 0, 0, 0, 0, outstanding, 0, 0, 0, 0 from opening
  union all
  select cl.salesperson_id, 0, 0, 0, 0, 0, 0, 0, cl.outstanding,
         case when cl.effective_due_on < cast(:to as date) then cl.outstanding else 0 end,
         case when cl.effective_due_on < cast(:to as date) then 1 else 0 end,
         least(coalesce(cd.amount, 0), cl.outstanding)
    from closing cl left join closing_disputed cd on cd.receivable_id = cl.id
)
select salesperson_id, grouping(salesperson_id) as is_total,
       coalesce(sum(due), 0)::text as due, coalesce(sum(due_count), 0)::int as due_count,
       coalesce(sum(collected), 0)::text as collected, coalesce(sum(on_time), 0)::text as on_time,
       coalesce(sum(sales), 0)::text as sales, coalesce(sum(written_off), 0)::text as written_off,
       coalesce(sum(opening), 0)::text as opening, coalesce(sum(closing), 0)::text as closing,
       coalesce(sum(closing_overdue), 0)::text as closing_overdue,
       coalesce(sum(closing_overdue_count), 0)::int as closing_overdue_count,
       coalesce(sum(closing_disputed), 0)::text as closing_disputed
  from parts
 group by grouping sets ((salesperson_id), ())
`,
  decode: (row) => ({
    salespersonId: row.int('is_total') !== 0 ? null : row.text('salesperson_id'),
    due: row.cents('due'),
    dueCount: row.int('due_count'),
    collected: row.cents('collected'),
    collectedOnTime: row.cents('on_time'),
    sales: row.cents('sales'),
    writtenOff: row.cents('written_off'),
    opening: row.cents('opening'),
    closing: row.cents('closing'),
    closingOverdue: row.cents('closing_overdue'),
    closingOverdueCount: row.int('closing_overdue_count'),
    closingDisputed: row.cents('closing_disputed'),
  }),
});

const TOP_OVERDUE_CUSTOMERS = defineQuery<ScopeParams & { asOf: LocalDate; limit: number }, TopOverdueCustomer>({
  text: `
with ${positionsCtes('pos', 'cast(:asOf as date)')}
select c.id, c.code, c.name, sum(p.outstanding)::text as overdue_amount, count(*)::int as overdue_count,
       max(cast(:asOf as date) - p.effective_due_on)::int as max_days_overdue
  from pos p join customer c on c.id = p.customer_id
 where p.effective_due_on < cast(:asOf as date)
 group by c.id, c.code, c.name
 order by sum(p.outstanding) desc, c.code
 limit :limit
`,
  decode: (row) => ({
    customerId: row.text('id'),
    code: row.text('code'),
    name: row.text('name'),
    overdueAmount: row.cents('overdue_amount'),
    overdueCount: row.int('overdue_count'),
    maxDaysOverdue: row.int('max_days_overdue'),
  }),
});

/** Receivables whose first overdue day falls in [from, to] and that are still unpaid at the end of `to`. */
const NEW_OVERDUE = defineQuery<ScopeParams & { from: LocalDate; to: LocalDate }, { count: number; amount: Cents }>({
  text: `
with ${positionsCtes('pos', 'cast(:to as date)')}
select count(*)::int as n, coalesce(sum(outstanding), 0)::text as amount
  from pos
 where effective_due_on between cast(:from as date) - 1 and cast(:to as date) - 1
`,
  decode: (row) => ({ count: row.int('n'), amount: row.cents('amount') }),
});

const RECEIVED = defineQuery<{ from: LocalDate; to: LocalDate }, { count: number; amount: Cents }>({
  text: `
select count(*)::int as n, coalesce(sum(amount), 0)::text as amount
  from payment
 where voided_at is null and received_on between cast(:from as date) and cast(:to as date)
`,
  decode: (row) => ({ count: row.int('n'), amount: row.cents('amount') }),
});

/** Payments booked in the window (bookedAt, company time zone): how long after the money arrived. */
const BOOKING_LAG = defineQuery<{ from: LocalDate; to: LocalDate; tz: string; limitDays: number }, BookingLagRow>({
  text: `
select booked_by_id, grouping(booked_by_id) as is_total,
       count(*)::int as payments,
       count(*) filter (where booking_lag_days > 0)::int as late,
       percentile_cont(0.5) within group (order by booking_lag_days) filter (where booking_lag_days > 0) as median_lag,
       max(booking_lag_days) filter (where booking_lag_days > 0) as max_lag,
       count(*) filter (where booking_lag_days > :limitDays)::int as over_limit
  from payment
 where voided_at is null
   and booked_at >= ${instantAfter('cast(:from as date) - 1')} and booked_at < ${instantAfter('cast(:to as date)')}
 group by grouping sets ((booked_by_id), ())
`,
  decode: (row) => ({
    clerkId: row.int('is_total') !== 0 ? null : row.text('booked_by_id'),
    payments: row.int('payments'),
    latePayments: row.int('late'),
    overLimit: row.int('over_limit'),
    medianLagDays: row.numberOrNull('median_lag'),
    maxLagDays: row.numberOrNull('max_lag'),
  }),
});

export interface Scope {
  tz: string;
  /** Only these salespeople; undefined: everyone. */
  salespersonIds?: string[];
}

export interface AgingRow {
  /** Null for the total. */
  salespersonId: string | null;
  total: Cents;
  current: Cents;
  d1to30: Cents;
  d31to60: Cents;
  d61to90: Cents;
  over90: Cents;
  /** What open disputes cover as of the date, at most the position: a slice of the buckets, not added to them. */
  disputed: Cents;
  receivables: number;
  overdueCount: number;
}

export interface WindowSumsRow extends WindowSums {
  salespersonId: string | null;
}

export interface TopOverdueCustomer {
  customerId: string;
  code: string;
  name: string;
  overdueAmount: Cents;
  overdueCount: number;
  maxDaysOverdue: number;
}

export interface BookingLagRow {
  clerkId: string | null;
  payments: number;
  latePayments: number;
  overLimit: number;
  medianLagDays: number | null;
  maxLagDays: number | null;
}

/** Parameters every positions query takes: the company time zone and the salespeople (null: all). */
interface ScopeParams {
  tz: string;
  salespersonIds: readonly string[] | null;
}

const scopeParams = (scope: Scope): ScopeParams => ({ tz: scope.tz, salespersonIds: scope.salespersonIds ?? null });

/** Aging buckets as of `asOf`: one row per salesperson and the total (salespersonId null), total first. */
export async function queryAging(em: EntityManager, asOf: LocalDate, scope: Scope): Promise<AgingRow[]> {
  const rows = await AGING.all(em, { asOf, ...scopeParams(scope) });
  return rows.sort((a, b) => (a.salespersonId === null ? -1 : b.salespersonId === null ? 1 : 0));
}

/** The sums behind collectionStats, goals and scorecards over [from, to]: per salesperson and the total (null). */
export function queryWindowSums(em: EntityManager, from: LocalDate, to: LocalDate, scope: Scope): Promise<WindowSumsRow[]> {
  return WINDOW_SUMS.all(em, { from, to, opening: addDays(from, -1), ...scopeParams(scope) });
}

export function queryTopOverdueCustomers(em: EntityManager, asOf: LocalDate, limit: number, scope: Scope): Promise<TopOverdueCustomer[]> {
  return TOP_OVERDUE_CUSTOMERS.all(em, { asOf, limit, ...scopeParams(scope) });
}

export function queryNewOverdue(em: EntityManager, from: LocalDate, to: LocalDate, scope: Scope): Promise<{ count: number; amount: Cents }> {
  return NEW_OVERDUE.one(em, { from, to, ...scopeParams(scope) });
}

export function queryReceived(em: EntityManager, from: LocalDate, to: LocalDate): Promise<{ count: number; amount: Cents }> {
  return RECEIVED.one(em, { from, to });
}

export function queryBookingLag(em: EntityManager, from: LocalDate, to: LocalDate, tz: string, limitDays: number): Promise<BookingLagRow[]> {
  return BOOKING_LAG.all(em, { from, to, tz, limitDays });
}
