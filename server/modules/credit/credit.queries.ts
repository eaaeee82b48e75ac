/**
 * The credit area's SQL: the evaluation (one set-based statement that applies the rules to
 * a set of customers as of a date, expires overrides and stores the result), the
 * customers a scan must evaluate again, overrides, the stored status as GraphQL reads it,
 * and the history.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, type NoParams, type SqlRow, Where } from '../../db/sql';
import { customerOverdueFiguresSql } from '../overdue/overdue.queries';
import { CreditOverride, CreditStatus, CreditStatusChange, CreditStatusChangeKind, CreditStatusDetail, CreditStatusSource } from './credit.types';

/** The thresholds as the evaluation takes them (null: the rule is off). */
export interface RuleParams {
  warnStage: number | null;
  holdStage: number | null;
  warnPct: number | null;
  holdPct: number | null;
  promiseDays: number;
  warnBroken: number | null;
  holdBroken: number | null;
}

export interface EvaluationParams extends RuleParams {
  asOf: LocalDate;
  /** Every customer, or those of `ids`. */
  all: boolean;
  ids: readonly string[];
  /** A manager's action on one customer, recorded in the history whether or not the status changes. */
  action: CreditStatusChangeKind | null;
  actionCustomer: string | null;
}

/** What an evaluation changed for one customer: a new effective status, or an override set, cleared or expired. */
export interface Evaluated {
  customerId: string;
  kind: CreditStatusChangeKind;
  from: CreditStatus;
  to: CreditStatus;
  derived: CreditStatus;
  /** The rules that fired, `RULE:STATUS`. */
  reasons: string[];
  highestStage: number | null;
  overdue: Cents;
  creditLimit: Cents;
  brokenPromises: number;
  /** The override in force before the evaluation (it may have expired in it). */
  overrideStatus: CreditStatus | null;
  overrideUntil: LocalDate | null;
}

/**
 * Promises to pay (the promises area's `promise_to_pay`) judged BROKEN on a date in the
 * window (asOf − promiseDays, asOf], per customer of the evaluation. PARTIAL promises (some
 * money came) do not count, nor a broken one that a late booking of on-time money turned KEPT.
 */
const BROKEN_PROMISES = `
  select p.customer_id, count(*) as n from promise_to_pay p
   where p.state = 'BROKEN' and p.broken_on > cast(:asOf as date) - cast(:promiseDays as int) and p.broken_on <= cast(:asOf as date)
     and p.customer_id in (select id from target)
   group by p.customer_id`;

/**
 * Applies the rules to the customers of the scope as of :asOf and stores the result.
 *
 * - The figures: the highest stage their receivables hold in the overdue engine's state
 *   and their overdue money (the positions past their effective due dates, as
 *   Customer.overdueAmount and the aging report count it), both as the engine keeps them
 *   per customer as of its date, which is :asOf (evaluations run as of the engine's date;
 *   before the first scan the engine has counted nothing: no stage, no overdue money); the
 *   credit limit; promises to pay broken in (asOf − promiseDays, asOf].
 * - Each rule calls for HOLD, WARN or nothing; the derived status is the most severe call.
 *   The effective status is the open override's while :asOf is before its `until`, else
 *   the derived one; an override whose `until` has come is ended (EXPIRED) here.
 * - Every customer of the scope gets its row in `customer_credit`; the rows whose
 *   effective status changed, whose override expired, or that a manager's action names
 *   are answered, so the service writes their history and events in the same transaction.
 *
 * Callers hold the event stream's lock (the scan's), so two evaluations of one customer
 * never both see its old status.
 */
export const EVALUATE = defineQuery<EvaluationParams, Evaluated>({
  text: `
with target as (
  select c.id, c.credit_limit from customer c where cast(:all as boolean) or c.id = any(cast(:ids as uuid[]))
),
engine as (${customerOverdueFiguresSql('target')}),
broken as (${BROKEN_PROMISES}),
figures as (
  select t.id as customer_id, t.credit_limit, g.stage, coalesce(g.amount, 0) as overdue, coalesce(b.n, 0)::int as broken,
         o.id as override_id, o.status as override_status, o.until as override_until,
         coalesce(cc.status, 'OK') as old_status
    from target t
    left join engine g on g.customer_id = t.id
    left join broken b on b.customer_id = t.id
    left join credit_override o on o.customer_id = t.id and o.ended_at is null
    left join customer_credit cc on cc.customer_id = t.id
),
calls as (
  select f.*,
         case when f.stage >= cast(:holdStage as int) then 2 when f.stage >= cast(:warnStage as int) then 1 else 0 end as stage_call,
         case when f.overdue > 0 and f.overdue * 100 >= f.credit_limit * cast(:holdPct as int) then 2
              when f.overdue > 0 and f.overdue * 100 >= f.credit_limit * cast(:warnPct as int) then 1 else 0 end as amount_call,
         case when f.broken >= cast(:holdBroken as int) then 2 when f.broken >= cast(:warnBroken as int) then 1 else 0 end as promise_call,
         coalesce(f.override_until <= cast(:asOf as date), false) as expiring
    from figures f
),
decided as materialized (
  select c.*,
         (array['OK','WARN','HOLD'])[greatest(c.stage_call, c.amount_call, c.promise_call) + 1] as derived,
         array_remove(array[
           case c.stage_call when 2 then 'OVERDUE_STAGE:HOLD' when 1 then 'OVERDUE_STAGE:WARN' end,
           case c.amount_call when 2 then 'OVERDUE_AMOUNT:HOLD' when 1 then 'OVERDUE_AMOUNT:WARN' end,
           case c.promise_call when 2 then 'BROKEN_PROMISES:HOLD' when 1 then 'BROKEN_PROMISES:WARN' end], null) as reasons,
         case when c.override_id is not null and not c.expiring then c.override_status end as forced,
         case when c.expiring then 'OVERRIDE_EXPIRED'
              when c.customer_id = cast(:actionCustomer as uuid) then cast(:action as text)
              else 'RULES' end as kind
    from calls c
),
final as (
  select d.*, coalesce(d.forced, d.derived) as status from decided d
),
expired as (
  update credit_override o set ended_at = now(), ended_on = cast(:asOf as date), end_kind = 'EXPIRED'
    from final f where f.expiring and o.id = f.override_id
),
stored as (
  insert into customer_credit as cc (customer_id, status, derived_status, override_id, as_of, highest_stage, overdue_amount,
                                     credit_limit, broken_promises, reasons, evaluated_at, changed_at)
  select f.customer_id, f.status, f.derived, case when f.forced is not null then f.override_id end, cast(:asOf as date), f.stage,
         f.overdue, f.credit_limit, f.broken, f.reasons, now(), now()
    from final f
  on conflict (customer_id) do update
     set status = excluded.status, derived_status = excluded.derived_status, override_id = excluded.override_id,
         as_of = excluded.as_of, highest_stage = excluded.highest_stage, overdue_amount = excluded.overdue_amount,
         credit_limit = excluded.credit_limit, broken_promises = excluded.broken_promises, reasons = excluded.reasons,
         evaluated_at = excluded.evaluated_at,
         changed_at = case when cc.status <> excluded.status then excluded.changed_at else cc.changed_at end
)
select f.customer_id, f.kind, f.old_status, f.status, f.derived, f.reasons, f.stage, f.overdue, f.credit_limit, f.broken,
       f.override_status, f.override_until::text as override_until
  from final f
 where f.kind <> 'RULES' or f.status <> f.old_status
 order by f.customer_id`,
  decode: (row) => ({
    customerId: row.text('customer_id'),
    kind: row.oneOf('kind', CreditStatusChangeKind),
    from: row.oneOf('old_status', CreditStatus),
    to: row.oneOf('status', CreditStatus),
    derived: row.oneOf('derived', CreditStatus),
    reasons: row.json('reasons') as string[],
    highestStage: row.intOrNull('stage'),
    overdue: row.cents('overdue'),
    creditLimit: row.cents('credit_limit'),
    brokenPromises: row.int('broken'),
    overrideStatus: row.oneOfOrNull('override_status', CreditStatus),
    overrideUntil: row.isNull('override_until') ? null : row.date('override_until'),
  }),
});

/** One history entry to write (the service words the reason). */
export interface HistoryEntry {
  customerId: string;
  kind: CreditStatusChangeKind;
  from: CreditStatus;
  to: CreditStatus;
  reason: string | null;
  until: LocalDate | null;
  actorId: string | null;
}

/** History entries in the order given; ids from the history's sequence, so they sort in the order written. */
export const WRITE_HISTORY = defineStatement<{
  asOf: LocalDate;
  customers: string[];
  kinds: string[];
  froms: string[];
  tos: string[];
  reasons: string[];
  untils: string[];
  actors: string[];
}>({
  text: `insert into credit_status_change (id, customer_id, kind, from_status, to_status, reason, until, actor_id, as_of)
         select cast(overlay('00000000-0000-8000-8000-000000000000' placing lpad(to_hex(nextval('credit_status_change_seq')), 12, '0') from 25) as uuid),
                e.customer_id, e.kind, e.from_status, e.to_status, nullif(e.reason, ''), cast(nullif(e.until, '') as date),
                cast(nullif(e.actor, '') as uuid), cast(:asOf as date)
           from unnest(cast(:customers as uuid[]), cast(:kinds as text[]), cast(:froms as text[]), cast(:tos as text[]),
                       cast(:reasons as text[]), cast(:untils as text[]), cast(:actors as text[]))
                with ordinality as e(customer_id, kind, from_status, to_status, reason, until, actor, n)
          order by e.n`,
});

/**
 * A scan's scope, and the credit engine moved to the scan's date and rules, in one
 * statement. The scope is every customer at the first scan (`since`: the engine's date
 * before the scan, null at the first) and at the first scan after a change of the rules
 * (another `rules` fingerprint); else the customers the scan must evaluate again besides
 * those whose receivables it judged (the only ones whose engine figures moved: a
 * receivable is judged on its first day past due too): an open override whose `until` has
 * come, and broken promises that entered the window (judged broken by this scan) or left
 * it. The scope reads the engine row as it was before the statement: the change of a
 * data-modifying CTE is not seen by the rest of its statement.
 */
export const SCAN_SCOPE = defineQuery<{ asOf: LocalDate; since: LocalDate | null; promiseDays: number; rules: string }, { all: boolean; ids: string[] }>({
  text: `with moved as (
           insert into credit_engine (evaluated_on, rules) values (cast(:asOf as date), :rules)
           on conflict (singleton) do update set evaluated_on = greatest(credit_engine.evaluated_on, excluded.evaluated_on), rules = excluded.rules
         ),
         scope as (
           select cast(:since as date) is null or not exists (select 1 from credit_engine e where e.rules = :rules) as every
         )
         select s.every,
                case when s.every then '[]'::json
                     else coalesce((select json_agg(x.customer_id) from (
                            select o.customer_id from credit_override o where o.ended_at is null and o.until <= cast(:asOf as date)
                            union
                            select p.customer_id from promise_to_pay p
                             where p.state = 'BROKEN'
                               and (p.broken_on > cast(:since as date) and p.broken_on <= cast(:asOf as date)
                                    or p.broken_on > cast(:since as date) - cast(:promiseDays as int)
                                       and p.broken_on <= cast(:asOf as date) - cast(:promiseDays as int))) x), '[]') end as ids
           from scope s`,
  decode: (row) => ({ all: row.bool('every'), ids: row.json('ids') as string[] }),
});

/** The overdue engine's date (the last scan's); none before the first scan. */
export const ENGINE_DATE = defineQuery<NoParams, LocalDate>({
  text: 'select scanned_on::text as scanned_on from overdue_engine',
  decode: (row) => row.date('scanned_on'),
});

// ── Overrides ───────────────────────────────────────────────────────────────────

/**
 * Locks the customer's row against deletion and key changes (what the override's foreign
 * key needs) before the transaction takes the event stream's lock: the ledger's order
 * (overdue.append.ts), so a booking holding the row never waits for us while we wait for it.
 */
export const LOCK_CUSTOMER = defineQuery<{ customerId: string }, string>({
  text: 'select id from customer where id = cast(:customerId as uuid) for key share',
  decode: (row) => row.text('id'),
});

/** Ends the customer's open override (replaced by a new one, or cleared); answers how many it ended (0 or 1). */
export const END_OVERRIDE = defineStatement<{ customerId: string; kind: 'CLEARED' | 'REPLACED'; actorId: string; today: LocalDate }>({
  text: `update credit_override set ended_at = now(), ended_on = cast(:today as date), end_kind = :kind, ended_by_id = cast(:actorId as uuid)
          where customer_id = cast(:customerId as uuid) and ended_at is null`,
});

export const INSERT_OVERRIDE = defineStatement<{
  id: string;
  customerId: string;
  status: CreditStatus;
  reason: string;
  until: LocalDate;
  actorId: string;
  today: LocalDate;
}>({
  text: `insert into credit_override (id, customer_id, status, reason, until, set_by_id, set_on)
         values (cast(:id as uuid), cast(:customerId as uuid), :status, :reason, cast(:until as date), cast(:actorId as uuid), cast(:today as date))`,
});

const OVERRIDE_COLUMNS = `o.id as o_id, o.status as o_status, o.reason as o_reason, o.until::text as o_until, o.set_by_id as o_set_by_id,
  floor(extract(epoch from o.set_at) * 1000)::int8 as o_set_ms, o.set_on::text as o_set_on`;

function decodeOverride(row: SqlRow): CreditOverride | null {
  if (row.isNull('o_id')) return null;
  return Object.assign(new CreditOverride(), {
    id: row.text('o_id'),
    status: row.oneOf('o_status', CreditStatus),
    reason: row.text('o_reason'),
    until: row.date('o_until'),
    setById: row.text('o_set_by_id'),
    setAt: row.epochMs('o_set_ms'),
    setOn: row.date('o_set_on'),
  });
}

// ── Reads ───────────────────────────────────────────────────────────────────────

export interface StoredCredit {
  detail: CreditStatusDetail;
  override: CreditOverride | null;
}

/** The stored evaluations of these customers, with the override in force (customers never evaluated have none). */
export const STORED_CREDIT = defineQuery<{ ids: readonly string[] }, StoredCredit>({
  text: `select cc.customer_id, cc.status, cc.derived_status, cc.override_id, cc.as_of::text as as_of, cc.highest_stage, cc.overdue_amount,
                cc.credit_limit, cc.broken_promises, cc.reasons, floor(extract(epoch from cc.evaluated_at) * 1000)::int8 as evaluated_ms,
                ${OVERRIDE_COLUMNS}
           from customer_credit cc left join credit_override o on o.id = cc.override_id
          where cc.customer_id = any(cast(:ids as uuid[]))`,
  decode: (row) => ({
    detail: Object.assign(new CreditStatusDetail(), {
      customerId: row.text('customer_id'),
      status: row.oneOf('status', CreditStatus),
      derivedStatus: row.oneOf('derived_status', CreditStatus),
      source: row.isNull('override_id') ? CreditStatusSource.RULES : CreditStatusSource.OVERRIDE,
      overrideId: row.textOrNull('override_id'),
      asOf: row.date('as_of'),
      evaluatedAt: row.epochMs('evaluated_ms'),
      highestStage: row.intOrNull('highest_stage'),
      overdueAmount: row.cents('overdue_amount'),
      creditLimit: row.cents('credit_limit'),
      brokenPromises: row.int('broken_promises'),
      reasonCodes: row.json('reasons') as string[],
    }),
    override: decodeOverride(row),
  }),
});

/** The detail of a customer never evaluated: OK, no figures. */
export function neverEvaluated(customerId: string, creditLimit: Cents): CreditStatusDetail {
  return Object.assign(new CreditStatusDetail(), {
    customerId,
    status: CreditStatus.OK,
    derivedStatus: CreditStatus.OK,
    source: CreditStatusSource.RULES,
    overrideId: null,
    asOf: null,
    evaluatedAt: null,
    highestStage: null,
    overdueAmount: 0n,
    creditLimit,
    brokenPromises: 0,
    reasonCodes: [],
  });
}

/** The effective status as a SQL expression of the customer whose id is `customerId` (projections). */
export const STATUS_SQL = (customerId: string) => `coalesce((select cc.status from customer_credit cc where cc.customer_id = ${customerId}), 'OK')`;

/** A page of a customer's history, newest first. */
export function historyPage(
  em: EntityManager,
  customerId: string,
  first: number,
  after: string | undefined,
  count: boolean,
): Promise<Page<CreditStatusChange>> {
  return keysetPage<CreditStatusChange>(em, {
    columns: `h.id, h.customer_id, h.kind, h.from_status, h.to_status, h.reason, h.until::text as until, h.actor_id, h.as_of::text as as_of,
              floor(extract(epoch from h.occurred_at) * 1000)::int8 as occurred_ms`,
    decode: (row) =>
      Object.assign(new CreditStatusChange(), {
        id: row.text('id'),
        customerId: row.text('customer_id'),
        kind: row.oneOf('kind', CreditStatusChangeKind),
        from: row.oneOf('from_status', CreditStatus),
        to: row.oneOf('to_status', CreditStatus),
        reason: row.textOrNull('reason'),
        until: row.isNull('until') ? null : row.date('until'),
        actorId: row.textOrNull('actor_id'),
        asOf: row.date('as_of'),
        occurredAt: row.epochMs('occurred_ms'),
      }),
    from: 'from credit_status_change h',
    where: new Where().add('h.customer_id = cast(:customerId as uuid)', { customerId }),
    keys: [{ column: 'h.id', cast: 'uuid', value: (h) => h.id }],
    descending: true,
    first,
    after,
    count,
  });
}
