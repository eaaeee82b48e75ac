/**
 * The worklist's one statement: every customer in scope with money to chase on a
 * business date, its figures and its priority (docs/metrics.md, "Collection worklist"),
 * ordered by priority and paged by keyset (priority, customer code, customer id).
 *
 * Money is the receivables' position as of the date (server/db/positions.ts, by
 * receivedOn); what open disputes cover on the date (disputes area) leaves the chase.
 * Promises, activities and the credit status are read as stored: the promises' states
 * as the overdue scan last judged them, the activities logged with an occurred date up to
 * the date, the credit status of now.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { positionsCtes } from '../../db/positions';
import { defineQuery, type SqlRow, Where } from '../../db/sql';
import { CreditStatus } from '../credit/credit.types';
import { disputedAsOfCte } from '../disputes/dispute.queries';
import { PromiseState } from '../promises/promise.types';
import { WorklistItem } from './worklist.types';

/** Points of the priority formula (docs/metrics.md): kept here once, read by the SQL. */
export const PRIORITY = {
  perStage: 1000,
  amountUnit: 1000,
  maxAmountPoints: 1000,
  perBrokenPromise: 500,
  maxBrokenPromises: 3,
  perSilentDay: 20,
  maxSilentDays: 30,
  openPromise: 1500,
} as const;

export interface WorklistParams {
  date: LocalDate;
  /** Only customers this user owns; null: every customer. */
  ownerId: string | null;
  lookaheadDays: number;
  stages: readonly number[];
  brokenPromiseDays: number;
  tz: string;
  limit: number;
  after: Where;
}

const D = 'cast(:date as date)';

const SCOPE = (alias: string) =>
  `(cast(:ownerId as uuid) is null or ${alias}.customer_id in (select oc.id from customer oc where oc.owner_id = cast(:ownerId as uuid)))`;

export const WORKLIST_SQL = `
with wl_horizon as (
  -- The last day whose due money is "soon due": the lookahead-th working day after the date
  -- (business calendar: weekends off unless WORKDAY, HOLIDAYs off).
  select case when cast(:lookahead as int) = 0 then ${D} else (
    select g.day
      from (select ${D} + i as day from generate_series(1, 400) i) g
      left join calendar_day cd on cd.day = g.day
     where coalesce(cd.kind = 'WORKDAY', extract(isodow from g.day) < 6)
     order by g.day offset cast(:lookahead as int) - 1 limit 1) end as last_day
),
${positionsCtes('wl_pos', D, { receivable: SCOPE })},
${disputedAsOfCte('wl_pos_disputed', D)},
wl_receivables as (
  select p.customer_id, p.effective_due_on, p.outstanding,
         greatest(p.outstanding - coalesce(pd.amount, 0), 0) as chased
    from wl_pos p left join wl_pos_disputed pd on pd.receivable_id = p.id
),
wl_customers as (
  select r.customer_id,
         sum(r.outstanding) as outstanding,
         coalesce(sum(r.outstanding) filter (where r.effective_due_on < ${D}), 0) as overdue,
         coalesce(sum(r.chased) filter (where r.effective_due_on < ${D}), 0) as chased_overdue,
         coalesce(sum(r.chased) filter (where r.effective_due_on between ${D} and h.last_day), 0) as due_soon,
         min(r.effective_due_on) filter (where r.effective_due_on between ${D} and h.last_day and r.chased > 0) as next_due_on,
         max(${D} - r.effective_due_on) filter (where r.effective_due_on < ${D} and r.chased > 0) as days_overdue,
         count(*) filter (where r.effective_due_on < ${D} and r.chased > 0) as overdue_receivables
    from wl_receivables r cross join wl_horizon h
   group by r.customer_id, h.last_day
  having coalesce(sum(r.chased) filter (where r.effective_due_on <= h.last_day), 0) > 0
),
wl_disputes as (
  select d.customer_id, count(*) as n, sum(d.amount) as amount
    from dispute d
   where d.customer_id in (select customer_id from wl_customers)
     and d.opened_on <= ${D} and (d.state = 'OPEN' or d.resolved_on > ${D})
   group by d.customer_id
),
wl_promise as (
  select distinct on (p.customer_id) p.customer_id, p.id, p.amount, p.promised_on, p.due_on, p.deadline_on, p.state
    from promise_to_pay p
   where p.customer_id in (select customer_id from wl_customers) and p.made_on <= ${D}
   order by p.customer_id, p.made_on desc, p.recorded_at desc, p.id desc
),
wl_broken as (
  select p.customer_id, count(*) as n
    from promise_to_pay p
   where p.customer_id in (select customer_id from wl_customers)
     and p.state in ('BROKEN', 'PARTIAL') and p.broken_on <= ${D} and p.broken_on > ${D} - cast(:brokenDays as int)
   group by p.customer_id
),
wl_scored as (
  select w.*, c.code, c.name, c.owner_id,
         coalesce(wd.n, 0) as open_disputes, coalesce(wd.amount, 0) as disputed_amount,
         wp.id as promise_id, wp.amount as promise_amount, wp.promised_on, wp.due_on as promise_due_on,
         wp.deadline_on as promise_deadline_on, wp.state as promise_state,
         (wp.state = 'OPEN' and wp.due_on >= ${D}) as promise_not_yet_due,
         coalesce(wb.n, 0) as broken_promises,
         la.occurred_on as last_contact_on, la.next_action_on,
         coalesce(cc.status, 'OK') as credit_status,
         (cast(:stages as int[]))[width_bucket(coalesce(w.days_overdue, 0), cast(:stages as int[]))] as highest_stage,
         ${PRIORITY.perStage} * width_bucket(coalesce(w.days_overdue, 0), cast(:stages as int[])) as stage_points,
         least(floor(w.chased_overdue / ${PRIORITY.amountUnit}), ${PRIORITY.maxAmountPoints})::int as amount_points,
         ${PRIORITY.perBrokenPromise} * least(coalesce(wb.n, 0), ${PRIORITY.maxBrokenPromises}) as broken_points,
         case when w.chased_overdue > 0
              then ${PRIORITY.perSilentDay} * least(coalesce(${D} - la.occurred_on, w.days_overdue), ${PRIORITY.maxSilentDays})
              else 0 end as silence_points,
         case when wp.state = 'OPEN' and wp.due_on >= ${D} then ${PRIORITY.openPromise} else 0 end as promise_points
    from wl_customers w
    join customer c on c.id = w.customer_id
    left join wl_disputes wd on wd.customer_id = w.customer_id
    left join wl_promise wp on wp.customer_id = w.customer_id
    left join wl_broken wb on wb.customer_id = w.customer_id
    left join customer_credit cc on cc.customer_id = w.customer_id
    left join lateral (
      select a.occurred_on, a.next_action_on
        from collection_activity a
       where a.customer_id = w.customer_id and a.occurred_on <= ${D}
       order by a.occurred_at desc, a.id desc
       limit 1
    ) la on true
),
wl_items as (
  select s.*, s.stage_points + s.amount_points + s.broken_points + s.silence_points - s.promise_points as priority from wl_scored s
)
-- The count as the first column of every row, and one row of nulls when the page is empty.
select t.hk_total, i.*
  from (select count(*)::int as hk_total from wl_items) t
  left join lateral (
    select i.customer_id, i.code, i.name, i.owner_id, i.priority, i.stage_points, i.amount_points, i.broken_points, i.silence_points, i.promise_points,
           i.outstanding::text as outstanding, i.overdue::text as overdue, i.chased_overdue::text as chased_overdue, i.due_soon::text as due_soon,
           i.next_due_on::text as next_due_on, i.highest_stage, i.days_overdue, i.overdue_receivables::int as overdue_receivables,
           i.promise_id, i.promise_amount::text as promise_amount, i.promised_on::text as promised_on, i.promise_due_on::text as promise_due_on,
           i.promise_deadline_on::text as promise_deadline_on, i.promise_state, coalesce(i.promise_not_yet_due, false) as promise_not_yet_due,
           i.broken_promises::int as broken_promises, i.open_disputes::int as open_disputes, i.disputed_amount::text as disputed_amount,
           i.last_contact_on::text as last_contact_on, (${D} - i.last_contact_on) as days_since_contact, i.next_action_on::text as next_action_on,
           i.credit_status
      from wl_items i
     where :after
     order by i.priority desc, i.code asc, i.customer_id asc
     limit :limit
  ) i on true
 order by i.priority desc, i.code asc, i.customer_id asc
`;

const dateOrNull = (row: SqlRow, name: string): LocalDate | null => (row.isNull(name) ? null : row.date(name));

export interface WorklistRow {
  /** Null on the one row of an empty page. */
  item: WorklistItem | null;
  total: number;
}

function decodeItem(row: SqlRow): WorklistRow {
  if (row.isNull('customer_id')) return { item: null, total: row.int('hk_total') };
  const item: WorklistItem = {
    customerId: row.text('customer_id'),
    customerCode: row.text('code'),
    customerName: row.text('name'),
    ownerId: row.text('owner_id'),
    priority: row.int('priority'),
    priorityParts: {
      stage: row.int('stage_points'),
      amount: row.int('amount_points'),
      brokenPromises: row.int('broken_points'),
      silence: row.int('silence_points'),
      openPromise: row.int('promise_points'),
    },
    outstanding: row.cents('outstanding'),
    overdueAmount: row.cents('overdue'),
    chasedOverdueAmount: row.cents('chased_overdue'),
    dueSoonAmount: row.cents('due_soon'),
    nextDueOn: dateOrNull(row, 'next_due_on'),
    highestStage: row.intOrNull('highest_stage'),
    daysOverdue: row.intOrNull('days_overdue'),
    overdueReceivables: row.int('overdue_receivables'),
    promise: row.isNull('promise_id')
      ? null
      : {
          id: row.text('promise_id'),
          amount: row.cents('promise_amount'),
          promisedOn: row.date('promised_on'),
          dueOn: row.date('promise_due_on'),
          deadlineOn: row.date('promise_deadline_on'),
          state: row.oneOf('promise_state', PromiseState),
          notYetDue: row.bool('promise_not_yet_due'),
        },
    brokenPromises: row.int('broken_promises'),
    openDisputes: row.int('open_disputes'),
    disputedAmount: row.cents('disputed_amount'),
    lastContactOn: dateOrNull(row, 'last_contact_on'),
    daysSinceContact: row.intOrNull('days_since_contact'),
    nextActionOn: dateOrNull(row, 'next_action_on'),
    creditStatus: row.oneOf('credit_status', CreditStatus),
  };
  return { item, total: row.int('hk_total') };
}

const WORKLIST = defineQuery<Omit<WorklistParams, 'lookaheadDays' | 'brokenPromiseDays'> & { lookahead: number; brokenDays: number }, WorklistRow>({
  text: WORKLIST_SQL,
  decode: decodeItem,
});

/** The cursor condition: after (priority, code, id) in the order priority desc, code asc, id asc. */
export function afterItem(cursor: { priority: number; code: string; id: string } | undefined): Where {
  const where = new Where();
  if (cursor) {
    where.add(
      'i.priority < cast(:afterPriority as int) or (i.priority = cast(:afterPriority as int) and (i.code, i.customer_id) > (cast(:afterCode as text), cast(:afterId as uuid)))',
      { afterPriority: cursor.priority, afterCode: cursor.code, afterId: cursor.id },
    );
  }
  return where;
}

export function queryWorklist(em: EntityManager, params: WorklistParams): Promise<WorklistRow[]> {
  const { lookaheadDays, brokenPromiseDays, ...rest } = params;
  return WORKLIST.all(em, { ...rest, lookahead: lookaheadDays, brokenDays: brokenPromiseDays });
}
