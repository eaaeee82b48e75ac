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
import { instantAfter, positionOnSql, positionsCtes as ledgerPositions } from '../../db/positions';
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

/** Whether a day is a working day in SQL (business calendar: weekends off unless WORKDAY, HOLIDAYs off), for `cal.day`. */
const WORKING = `coalesce(cd.kind = 'WORKDAY', extract(isodow from cal.day) < 6)`;

/**
 * Contact coverage (docs/metrics.md): the customers (per salesperson of the receivable)
 * that fell overdue in [:from, :to] — a receivable's first overdue day, the day after its
 * effective due date, in the window with money still outstanding at its end (position by
 * receivedOn) — their first such day (`fell_on`), the SLA's last day (`sla_on`, the
 * :sla-th working day after it) and whether any activity of the customer occurred from
 * `fell_on` through `sla_on`.
 */
const COVERAGE_CTES = `
fell as (
  select r.customer_id, r.salesperson_id, min(r.effective_due_on + 1) as fell_on
    from receivable r
   where r.effective_due_on between cast(:from as date) - 1 and cast(:to as date) - 1 and ${SCOPE('r')}
     and ${positionOnSql('r', 'r.effective_due_on + 1')} > 0
   group by r.customer_id, r.salesperson_id
),
fell_calendar as (
  -- Every day from the window's start to well past its end, with the number of working days up to it.
  select cal.day, ${WORKING} as working, count(*) filter (where ${WORKING}) over (order by cal.day) as worked
    from (select cast(:from as date) + i as day from generate_series(0, cast(:to as date) - cast(:from as date) + 2 * cast(:sla as int) + 30) i) cal
    left join calendar_day cd on cd.day = cal.day
),
fell_sla as (
  -- Per day, the SLA's last day: the first working day by which :sla more working days have passed.
  select c.day, case when cast(:sla as int) = 0 then c.day else min(d.day) end as sla_on
    from fell_calendar c
    left join fell_calendar d on d.working and d.worked = c.worked + cast(:sla as int)
   group by c.day
),
coverage as (
  select f.customer_id, f.salesperson_id, f.fell_on, s.sla_on,
         exists (select 1 from collection_activity a
                  where a.customer_id = f.customer_id and a.occurred_on between f.fell_on and s.sla_on) as contacted
    from fell f
    join fell_sla s on s.day = f.fell_on
)`;

const WINDOW_SUMS = defineQuery<ScopeParams & { from: LocalDate; to: LocalDate; opening: LocalDate; sla: number }, WindowSumsRow>({
  text: `
with ${positionsCtes('opening', 'cast(:opening as date)')},
${positionsCtes('closing', 'cast(:to as date)')},
${disputedAsOfCte('closing_disputed', 'cast(:to as date)')},
${COVERAGE_CTES},
parts (salesperson_id, due, due_count, collected, on_time, sales, written_off, opening, closing, closing_overdue, closing_overdue_count, closing_disputed,
       promised, kept, fell_overdue, contacted) as (
  -- What fell due in the window, and what of it was collected by the end of the window and by its effective due date.
  select r.salesperson_id, r.amount, 1, coalesce(c.collected, 0), coalesce(c.on_time, 0), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from receivable r
    left join lateral (
      select sum(a.amount) as collected,
             sum(a.amount) filter (where greatest(a.received_on, r.issued_on) <= r.effective_due_on) as on_time
        from payment_allocation a
       where a.receivable_id = r.id and not a.voided and greatest(a.received_on, r.issued_on) <= cast(:to as date)
    ) c on true
   where r.effective_due_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, r.amount, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from receivable r
   where r.issued_on between cast(:from as date) and cast(:to as date) and ${SCOPE('r')}
  union all
  select r.salesperson_id, 0, 0, 0, 0, 0, r.written_off_amount, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from receivable r
   where r.written_off_at >= ${instantAfter('cast(:opening as date)')} and r.written_off_at < ${instantAfter('cast(:to as date)')}
     and r.issued_on <= cast(:to as date) and ${SCOPE('r')}
  union all
  -- Credits granted in the window count with the write-offs: money no longer claimed, not collected.
  select r.salesperson_id, 0, 0, 0, 0, 0, k.amount, 0, 0, 0, 0, 0, 0, 0, 0, 0
    from receivable_credit k join receivable r on r.id = k.receivable_id
   where k.credited_on between cast(:from as date) and cast(:to as date) and r.issued_on <= cast(:to as date) and ${SCOPE('r')}
  union all
  select salesperson_id, 0, 0, 0, 0, 0, 0, outstanding, 0, 0, 0, 0, 0, 0, 0, 0 from opening
  union all
  select cl.salesperson_id, 0, 0, 0, 0, 0, 0, 0, cl.outstanding,
         case when cl.effective_due_on < cast(:to as date) then cl.outstanding else 0 end,
         case when cl.effective_due_on < cast(:to as date) then 1 else 0 end,
         least(coalesce(cd.amount, 0), cl.outstanding), 0, 0, 0, 0
    from closing cl left join closing_disputed cd on cd.receivable_id = cl.id
  union all
  -- Promises to pay due in the window and settled by the scan's judgement (KEPT, PARTIAL, BROKEN):
  -- their amount, and what of it was kept (KEPT: all; PARTIAL: the money counted for it).
  select p.salesperson_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, p.amount,
         case p.state when 'KEPT' then p.amount when 'PARTIAL' then least(p.paid_amount, p.amount) else 0 end, 0, 0
    from promise_to_pay p
   where p.state <> 'OPEN' and p.due_on between cast(:from as date) and cast(:to as date) and ${SCOPE('p')}
  union all
  -- Customers that fell overdue in the window, contacted within the SLA or not (pending ones left out).
  select cv.salesperson_id, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, case when cv.contacted then 1 else 0 end
    from coverage cv
   where cv.contacted or cv.sla_on <= cast(:to as date)
)
select salesperson_id, grouping(salesperson_id) as is_total,
       coalesce(sum(due), 0)::text as due, coalesce(sum(due_count), 0)::int as due_count,
       coalesce(sum(collected), 0)::text as collected, coalesce(sum(on_time), 0)::text as on_time,
       coalesce(sum(sales), 0)::text as sales, coalesce(sum(written_off), 0)::text as written_off,
       coalesce(sum(opening), 0)::text as opening, coalesce(sum(closing), 0)::text as closing,
       coalesce(sum(closing_overdue), 0)::text as closing_overdue,
       coalesce(sum(closing_overdue_count), 0)::int as closing_overdue_count,
       coalesce(sum(closing_disputed), 0)::text as closing_disputed,
       coalesce(sum(promised), 0)::text as promised, coalesce(sum(kept), 0)::text as kept,
       coalesce(sum(fell_overdue), 0)::int as fell_overdue, coalesce(sum(contacted), 0)::int as contacted
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
    promised: row.cents('promised'),
    promisedKept: row.cents('kept'),
    fellOverdue: row.int('fell_overdue'),
    contactedInTime: row.int('contacted'),
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
export function queryWindowSums(em: EntityManager, from: LocalDate, to: LocalDate, scope: Scope, contactSlaWorkingDays: number): Promise<WindowSumsRow[]> {
  return WINDOW_SUMS.all(em, { from, to, opening: addDays(from, -1), sla: contactSlaWorkingDays, ...scopeParams(scope) });
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
