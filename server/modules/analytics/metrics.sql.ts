/**
 * The analytics query module: every receivables aggregate is written here once, as
 * set-based PostgreSQL, and reused by the reports (agingReport, collectionStats), the
 * weekly snapshots and the goals and scorecards. Formulas on top of the sums live in
 * metrics.formulas.ts; their definitions in docs/metrics.md.
 *
 * The one building block is a receivable's *position as of a date D*: what was
 * outstanding at the end of D as the ledger now knows it. Money counts from the date it
 * arrived (`payment.received_on`, never `booked_at`), a payment allocated to a
 * receivable issued later counts from the issue date, voided payments never count,
 * write-offs count from the day they were made (company time zone). Each receivable
 * belongs to `receivable.salesperson_id`, the owner of the customer when it was issued.
 *
 * Positions are computed from the current `outstanding` backwards: the open receivables
 * (partial index) plus those that money arriving after D, or a write-off after D, has
 * closed since. For today's date that touches little more than the open receivables.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type Cents, centsFromNumeric } from '../../core/money';
import { addDays, type LocalDate } from '../../core/local-date';
import { pgArray } from '../../db/sql';
import { type WindowSums } from './metrics.formulas';

/** Restricts to the receivables of these salespeople (null: all). */
const SCOPE = (alias: string) =>
  `(cast(:salespersonIds as uuid[]) is null or ${alias}.salesperson_id = any(cast(:salespersonIds as uuid[])))`;

/** The first instant after the business date `dateSql` in the company time zone. */
const instantAfter = (dateSql: string) => `(cast(${dateSql} + 1 as timestamp) at time zone :tz)`;

/**
 * Two CTEs, `<name>_later` and `<name>`: the position of every receivable (issued by D)
 * with something outstanding at the end of D, one row per receivable with
 * id, salesperson_id, customer_id, effective_due_on and outstanding (> 0).
 */
function positionsCtes(name: string, dateSql: string): string {
  return `
${name}_later as (
  -- Allocations carry received_on, voided and the receivable's issued_on: one index-only
  -- range scan (payment_allocation_later_idx). Receivables issued after D are no position.
  select a.receivable_id, sum(a.amount) as amount
    from payment_allocation a
   where not a.voided and a.received_on > ${dateSql} and a.issued_on <= ${dateSql}
   group by a.receivable_id
),
${name} as (
  -- Open now (partial index), with what arrived or was written off after D added back …
  select r.id, r.salesperson_id, r.customer_id, r.effective_due_on,
         r.outstanding + coalesce(l.amount, 0)
           + case when r.written_off_at >= ${instantAfter(dateSql)} then r.written_off_amount else 0 end as outstanding
    from receivable r
    left join ${name}_later l on l.receivable_id = r.id
   where r.outstanding > 0 and r.issued_on <= ${dateSql} and ${SCOPE('r')}
  union all
  -- … and closed now, but only by money that arrived, or a write-off made, after D.
  select r.id, r.salesperson_id, r.customer_id, r.effective_due_on,
         coalesce(l.amount, 0)
           + case when r.written_off_at >= ${instantAfter(dateSql)} then r.written_off_amount else 0 end as outstanding
    from (
      select receivable_id as id from ${name}_later
      union
      select id from receivable where written_off_at >= ${instantAfter(dateSql)}
    ) k
    join receivable r on r.id = k.id
    left join ${name}_later l on l.receivable_id = r.id
   where r.outstanding = 0 and r.issued_on <= ${dateSql} and ${SCOPE('r')}
)`;
}

const AGING_SQL = `
with ${positionsCtes('pos', 'cast(:asOf as date)')}
select salesperson_id, grouping(salesperson_id) as is_total,
       coalesce(sum(outstanding), 0)::text as total,
       coalesce(sum(outstanding) filter (where days_past <= 0), 0)::text as current,
       coalesce(sum(outstanding) filter (where days_past between 1 and 30), 0)::text as d1to30,
       coalesce(sum(outstanding) filter (where days_past between 31 and 60), 0)::text as d31to60,
       coalesce(sum(outstanding) filter (where days_past between 61 and 90), 0)::text as d61to90,
       coalesce(sum(outstanding) filter (where days_past > 90), 0)::text as over90,
       count(*)::int as receivables,
       count(*) filter (where days_past >= 1)::int as overdue_count
  from (select p.*, cast(:asOf as date) - p.effective_due_on as days_past from pos p) x
 group by grouping sets ((salesperson_id), ())
`;

const WINDOW_SQL = `
with ${positionsCtes('opening', 'cast(:opening as date)')},
${positionsCtes('closing', 'cast(:to as date)')},
parts (salesperson_id, due, due_count, collected, on_time, sales, written_off, opening, closing, closing_overdue, closing_overdue_count) as (
  -- What fell due in the window, and what of it was collected by the end of the window and by its effective due date.
  select r.salesperson_id, r.amount, 1, coalesce(c.collected, 0), coalesce(c.on_time, 0), 0, 0, 0, 0, 0, 0
    from receivable r
    left join lateral (
      select sum(a.amount) as collected,
             sum(a.amount) filter (where greatest(a.received_on, r.issued_on) <= r.effective_due_on) as on_time
        from payment_allocation a
       where a.receivable_id = r.id and not a.voided and greatest(a.received_on, r.issued_on) <= cast(:to as date)
    ) c on true
   where r.effective_due_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, r.amount, 0, 0, 0, 0, 0
    from receivable r
   where r.issued_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, 0, r.written_off_amount, 0, 0, 0, 0
    from receivable r
   where r.written_off_at >= ${instantAfter('cast(:opening as date)')} and r.written_off_at < ${instantAfter('cast(:to as date)')}
     and r.issued_on <= cast(:to as date) and ${SCOPE('r')}
  union all
  select salesperson_id, 0, 0, 0, 0, 0, 0, outstanding, 0, 0, 0 from opening
  union all
  select salesperson_id, 0, 0, 0, 0, 0, 0, 0, outstanding,
         case when effective_due_on < cast(:to as date) then outstanding else 0 end,
         case when effective_due_on < cast(:to as date) then 1 else 0 end
    from closing
)
select salesperson_id, grouping(salesperson_id) as is_total,
       coalesce(sum(due), 0)::text as due, coalesce(sum(due_count), 0)::int as due_count,
       coalesce(sum(collected), 0)::text as collected, coalesce(sum(on_time), 0)::text as on_time,
       coalesce(sum(sales), 0)::text as sales, coalesce(sum(written_off), 0)::text as written_off,
       coalesce(sum(opening), 0)::text as opening, coalesce(sum(closing), 0)::text as closing,
       coalesce(sum(closing_overdue), 0)::text as closing_overdue,
       coalesce(sum(closing_overdue_count), 0)::int as closing_overdue_count
  from parts
 group by grouping sets ((salesperson_id), ())
`;

const TOP_OVERDUE_CUSTOMERS_SQL = `
with ${positionsCtes('pos', 'cast(:asOf as date)')}
select c.id, c.code, c.name, sum(p.outstanding)::text as overdue_amount, count(*)::int as overdue_count,
       max(cast(:asOf as date) - p.effective_due_on)::int as max_days_overdue
  from pos p join customer c on c.id = p.customer_id
 where p.effective_due_on < cast(:asOf as date)
 group by c.id, c.code, c.name
 order by sum(p.outstanding) desc, c.code
 limit :limit
`;

/** Receivables whose first overdue day falls in [from, to] and that are still unpaid at the end of `to`. */
const NEW_OVERDUE_SQL = `
with ${positionsCtes('pos', 'cast(:to as date)')}
select count(*)::int as n, coalesce(sum(outstanding), 0)::text as amount
  from pos
 where effective_due_on between cast(:from as date) - 1 and cast(:to as date) - 1
`;

const RECEIVED_SQL = `
select count(*)::int as n, coalesce(sum(amount), 0)::text as amount
  from payment
 where voided_at is null and received_on between cast(:from as date) and cast(:to as date)
`;

/** Payments booked in the window (bookedAt, company time zone): how long after the money arrived. */
const BOOKING_LAG_SQL = `
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
`;

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

type Row = Record<string, unknown>;

function run(em: EntityManager, sql: string, bindings: Record<string, unknown>): Promise<Row[]> {
  return em.execute(em.getKnex().raw(sql, bindings));
}

const scopeBindings = (scope: Scope) => ({
  tz: scope.tz,
  salespersonIds: scope.salespersonIds ? pgArray(scope.salespersonIds) : null,
});

const cents = (v: unknown) => centsFromNumeric(v as string);

/** Aging buckets as of `asOf`: one row per salesperson and the total (salespersonId null), total first. */
export async function queryAging(em: EntityManager, asOf: LocalDate, scope: Scope): Promise<AgingRow[]> {
  const rows = await run(em, AGING_SQL, { asOf, ...scopeBindings(scope) });
  return rows
    .map((r) => ({
      salespersonId: r.is_total ? null : (r.salesperson_id as string),
      total: cents(r.total),
      current: cents(r.current),
      d1to30: cents(r.d1to30),
      d31to60: cents(r.d31to60),
      d61to90: cents(r.d61to90),
      over90: cents(r.over90),
      receivables: r.receivables as number,
      overdueCount: r.overdue_count as number,
    }))
    .sort((a, b) => (a.salespersonId === null ? -1 : b.salespersonId === null ? 1 : 0));
}

/** The sums behind collectionStats, goals and scorecards over [from, to]: per salesperson and the total (null). */
export async function queryWindowSums(em: EntityManager, from: LocalDate, to: LocalDate, scope: Scope): Promise<WindowSumsRow[]> {
  const rows = await run(em, WINDOW_SQL, { from, to, opening: addDays(from, -1), ...scopeBindings(scope) });
  return rows.map((r) => ({
    salespersonId: r.is_total ? null : (r.salesperson_id as string),
    due: cents(r.due),
    dueCount: r.due_count as number,
    collected: cents(r.collected),
    collectedOnTime: cents(r.on_time),
    sales: cents(r.sales),
    writtenOff: cents(r.written_off),
    opening: cents(r.opening),
    closing: cents(r.closing),
    closingOverdue: cents(r.closing_overdue),
    closingOverdueCount: r.closing_overdue_count as number,
  }));
}

export async function queryTopOverdueCustomers(em: EntityManager, asOf: LocalDate, limit: number, scope: Scope): Promise<TopOverdueCustomer[]> {
  const rows = await run(em, TOP_OVERDUE_CUSTOMERS_SQL, { asOf, limit, ...scopeBindings(scope) });
  return rows.map((r) => ({
    customerId: r.id as string,
    code: r.code as string,
    name: r.name as string,
    overdueAmount: cents(r.overdue_amount),
    overdueCount: r.overdue_count as number,
    maxDaysOverdue: r.max_days_overdue as number,
  }));
}

export async function queryNewOverdue(em: EntityManager, from: LocalDate, to: LocalDate, scope: Scope): Promise<{ count: number; amount: Cents }> {
  const [row] = await run(em, NEW_OVERDUE_SQL, { from, to, ...scopeBindings(scope) });
  return { count: row.n as number, amount: cents(row.amount) };
}

export async function queryReceived(em: EntityManager, from: LocalDate, to: LocalDate): Promise<{ count: number; amount: Cents }> {
  const [row] = await run(em, RECEIVED_SQL, { from, to });
  return { count: row.n as number, amount: cents(row.amount) };
}

export async function queryBookingLag(em: EntityManager, from: LocalDate, to: LocalDate, tz: string, limitDays: number): Promise<BookingLagRow[]> {
  const rows = await run(em, BOOKING_LAG_SQL, { from, to, tz, limitDays });
  return rows.map((r) => ({
    clerkId: r.is_total ? null : (r.booked_by_id as string),
    payments: r.payments as number,
    latePayments: r.late as number,
    overLimit: r.over_limit as number,
    medianLagDays: r.median_lag === null ? null : Number(r.median_lag),
    maxLagDays: r.max_lag === null ? null : Number(r.max_lag),
  }));
}
