/**
 * The promises area's SQL: recording a promise, the judgement every overdue scan runs
 * (JUDGE_PROMISES), the list and look-ups.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { type Cents, formatMoney } from '../../core/money';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, type SqlRow, Where } from '../../db/sql';
import { PromiseState, PromiseToPay } from './promise.types';

const COLUMNS = `p.id, p.customer_id, p.salesperson_id, p.activity_id, p.receivable_ids::text[] as receivable_ids, p.amount, p.promised_on::text as promised_on,
  p.due_on::text as due_on, p.deadline_on::text as deadline_on, p.made_on::text as made_on, p.state, p.paid_amount,
  p.judged_on::text as judged_on, p.kept_on::text as kept_on, p.broken_on::text as broken_on, p.recorded_by_id,
  (extract(epoch from p.recorded_at) * 1000)::bigint as recorded_ms`;

const dateOrNull = (row: SqlRow, name: string): LocalDate | null => (row.isNull(name) ? null : row.date(name));

function decodePromise(row: SqlRow): PromiseToPay {
  return Object.assign(new PromiseToPay(), {
    id: row.text('id'),
    customerId: row.text('customer_id'),
    salespersonId: row.text('salesperson_id'),
    activityId: row.textOrNull('activity_id'),
    receivableIds: row.raw.receivable_ids as string[],
    amount: row.cents('amount'),
    promisedOn: row.date('promised_on'),
    dueOn: row.date('due_on'),
    deadlineOn: row.date('deadline_on'),
    madeOn: row.date('made_on'),
    state: row.oneOf('state', PromiseState),
    paidAmount: row.cents('paid_amount'),
    judgedOn: dateOrNull(row, 'judged_on'),
    keptOn: dateOrNull(row, 'kept_on'),
    brokenOn: dateOrNull(row, 'broken_on'),
    recordedById: row.text('recorded_by_id'),
    recordedAt: row.epochMs('recorded_ms'),
  });
}

/**
 * The promised receivables with their customer and what is outstanding on them now. Not
 * locked: a payment booked meanwhile only makes the promise larger than what is left,
 * which a promise may become anyway; and a row lock held while waiting for the event
 * stream's lock would deadlock with a booking that holds the row and waits for the same
 * lock (its trigger takes it shared).
 */
export const RECEIVABLES_TO_PROMISE = defineQuery<{ ids: readonly string[] }, { id: string; customerId: string; outstanding: Cents }>({
  text: 'select id, customer_id, outstanding from receivable where id = any(cast(:ids as uuid[]))',
  decode: (row) => ({ id: row.text('id'), customerId: row.text('customer_id'), outstanding: row.cents('outstanding') }),
});

/** An activity a promise may name: its customer, the day it happened, whether it has a promise. */
export const ACTIVITY_FOR_PROMISE = defineQuery<{ id: string }, { customerId: string; occurredOn: LocalDate; promised: boolean }>({
  text: `select a.customer_id, a.occurred_on::text as occurred_on, exists (select 1 from promise_to_pay p where p.activity_id = a.id) as promised
           from collection_activity a where a.id = cast(:id as uuid)`,
  decode: (row) => ({ customerId: row.text('customer_id'), occurredOn: row.date('occurred_on'), promised: row.bool('promised') }),
});

export interface NewPromise {
  id: string;
  customerId: string;
  salespersonId: string;
  activityId: string | null;
  receivableIds: readonly string[];
  amount: string;
  promisedOn: LocalDate;
  dueOn: LocalDate;
  deadlineOn: LocalDate;
  madeOn: LocalDate;
  recordedById: string;
}

export const INSERT_PROMISE = defineQuery<NewPromise, PromiseToPay>({
  text: `insert into promise_to_pay as p (id, customer_id, salesperson_id, activity_id, receivable_ids, amount, promised_on, due_on, deadline_on, made_on, recorded_by_id)
         values (cast(:id as uuid), cast(:customerId as uuid), cast(:salespersonId as uuid), cast(:activityId as uuid), cast(:receivableIds as uuid[]),
                 cast(:amount as numeric), cast(:promisedOn as date), cast(:dueOn as date), cast(:deadlineOn as date), cast(:madeOn as date),
                 cast(:recordedById as uuid))
         returning ${COLUMNS}`,
  decode: decodePromise,
});

export const PROMISES_BY_ID = defineQuery<{ ids: readonly string[] }, PromiseToPay>({
  text: `select ${COLUMNS} from promise_to_pay p where p.id = any(cast(:ids as uuid[]))`,
  decode: decodePromise,
});

export const PROMISES_OF_ACTIVITIES = defineQuery<{ ids: readonly string[] }, PromiseToPay>({
  text: `select ${COLUMNS} from promise_to_pay p where p.activity_id = any(cast(:ids as uuid[]))`,
  decode: decodePromise,
});

/** A promise whose state a judgement changed (or whose counted money moved). */
export interface JudgedPromise {
  id: string;
  customerId: string;
  salespersonId: string;
  receivableIds: string[];
  amount: Cents;
  paid: Cents;
  dueOn: LocalDate;
  deadlineOn: LocalDate;
  brokenOn: LocalDate | null;
  oldState: PromiseState;
  newState: PromiseState;
}

/**
 * Judges, as of `asOf`, the promises that can change: the OPEN ones, and the settled ones
 * (KEPT, PARTIAL, BROKEN) marked `rejudge` by a change since their last judgement (an
 * allocation of a promised receivable, by trigger; a calendar change of their dates).
 * Stores what changed, clears the marks, and answers the promises whose state or counted
 * money changed, in the order of their due dates. A settled promise nothing touched is not
 * read (partial index promise_to_pay_to_judge_idx).
 *
 * - Counted money (`paid`): allocations of payments not voided to the promised
 *   receivables whose money arrived (`received_on`, never the booking) from the day the
 *   promise was made through its due date, and by `asOf`. A write-off is no payment.
 * - KEPT when it covers the amount; else, after the deadline, PARTIAL when some arrived,
 *   BROKEN when none did; else OPEN. A KEPT promise whose money was voided is judged by the
 *   same rule: OPEN again before its deadline, PARTIAL or BROKEN after it.
 */
export const JUDGE_PROMISES = defineQuery<{ asOf: LocalDate }, JudgedPromise>({
  text: `
with candidates as materialized (
  select p.id, p.state, p.amount, p.made_on, p.due_on, p.deadline_on, p.receivable_ids, p.paid_amount
    from promise_to_pay p
   where (p.state = 'OPEN' or p.rejudge) and p.made_on <= cast(:asOf as date)
),
paid as (
  select c.id, sum(a.amount) as paid
    from candidates c
    join payment_allocation a on a.receivable_id = any(c.receivable_ids)
   where not a.voided and a.received_on >= c.made_on and a.received_on <= least(c.due_on, cast(:asOf as date))
   group by c.id
),
judged as (
  select c.id, c.state as old_state, c.paid_amount as old_paid, coalesce(pd.paid, 0) as paid,
         case when coalesce(pd.paid, 0) >= c.amount then 'KEPT'
              when cast(:asOf as date) > c.deadline_on then case when coalesce(pd.paid, 0) > 0 then 'PARTIAL' else 'BROKEN' end
              else 'OPEN' end as new_state
    from candidates c
    left join paid pd on pd.id = c.id
),
changed as (
  update promise_to_pay p
     set state = j.new_state, paid_amount = j.paid, rejudge = false,
         judged_on = case when j.new_state <> j.old_state or j.paid <> j.old_paid or p.judged_on is null then cast(:asOf as date) else p.judged_on end,
         kept_on = case when j.new_state <> 'KEPT' then null when j.old_state = 'KEPT' then p.kept_on else cast(:asOf as date) end,
         broken_on = case when j.new_state in ('PARTIAL', 'BROKEN') and p.broken_on is null then cast(:asOf as date) else p.broken_on end
    from judged j
   where p.id = j.id and (j.new_state <> j.old_state or j.paid <> j.old_paid or p.judged_on is null or p.rejudge)
  returning p.id, p.customer_id, p.salesperson_id, p.receivable_ids::text[] as receivable_ids, p.amount, j.paid, p.due_on::text as due_on,
            p.deadline_on::text as deadline_on, p.broken_on::text as broken_on, j.old_state, j.new_state
)
select * from changed order by due_on, id`,
  decode: (row) => ({
    id: row.text('id'),
    customerId: row.text('customer_id'),
    salespersonId: row.text('salesperson_id'),
    receivableIds: row.raw.receivable_ids as string[],
    amount: row.cents('amount'),
    paid: row.cents('paid'),
    dueOn: row.date('due_on'),
    deadlineOn: row.date('deadline_on'),
    brokenOn: row.isNull('broken_on') ? null : row.date('broken_on'),
    oldState: row.oneOf('old_state', PromiseState),
    newState: row.oneOf('new_state', PromiseState),
  }),
});

/** The promises whose rolled dates a calendar change of `day` can move: promised on or before it, deadline on or after it. */
export const PROMISES_SPANNING_DAY = defineQuery<
  { day: LocalDate },
  { id: string; promisedOn: LocalDate; dueOn: LocalDate; deadlineOn: LocalDate; receivableIds: string[] }
>({
  text: `select p.id, p.promised_on::text as promised_on, p.due_on::text as due_on, p.deadline_on::text as deadline_on,
                p.receivable_ids::text[] as receivable_ids
           from promise_to_pay p
          where p.promised_on <= cast(:day as date) and p.deadline_on >= cast(:day as date)`,
  decode: (row) => ({
    id: row.text('id'),
    promisedOn: row.date('promised_on'),
    dueOn: row.date('due_on'),
    deadlineOn: row.date('deadline_on'),
    receivableIds: row.raw.receivable_ids as string[],
  }),
});

/**
 * The overdue engine's scan lock, shared, for the rest of the transaction: taken before a
 * promise row is written outside a judgement (as the engine's change triggers do), so a
 * judgement and the writer never wait for each other in a circle.
 */
export const LOCK_JUDGEMENTS_SHARED = defineQuery<{ key: number }, true>({
  text: 'select pg_advisory_xact_lock_shared(cast(:key as bigint))',
  decode: () => true,
});

/** New rolled dates of promises after a calendar change; each is judged again. */
export const REDATE_PROMISES = defineStatement<{ ids: readonly string[]; dueOns: readonly LocalDate[]; deadlineOns: readonly LocalDate[] }>({
  text: `update promise_to_pay p set due_on = c.due_on, deadline_on = c.deadline_on, rejudge = true
           from unnest(cast(:ids as uuid[]), cast(:dueOns as date[]), cast(:deadlineOns as date[])) as c(id, due_on, deadline_on)
          where p.id = c.id`,
});

export interface PromiseListArgs {
  ownerScope: string | undefined;
  customerId: string | undefined;
  states: PromiseState[] | undefined;
  first: number;
  after: string | undefined;
  count: boolean;
}

/** Latest promised date first. */
export function promisePage(em: EntityManager, args: PromiseListArgs): Promise<Page<PromiseToPay>> {
  const where = new Where();
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  if (args.customerId) where.addIdEquals('p.customer_id', 'customerId', args.customerId);
  if (args.states && args.states.length > 0) where.add('p.state = any(cast(:states as text[]))', { states: args.states });
  return keysetPage<PromiseToPay>(em, {
    columns: COLUMNS,
    decode: decodePromise,
    from: 'from promise_to_pay p join customer c on c.id = p.customer_id',
    where,
    keys: [
      { column: 'p.promised_on', cast: 'date', value: (p) => p.promisedOn },
      { column: 'p.id', cast: 'uuid', value: (p) => p.id },
    ],
    descending: true,
    first: args.first,
    after: args.after,
    count: args.count,
  });
}

export const money = (cents: Cents): string => formatMoney(cents);
