/**
 * The overdue area's SQL: the scan (one set-based statement that judges, moves the
 * states and appends the events), what a scan needs around it, and reading the event
 * table: one SQL shape for the polling connection, the subscription replay and the
 * per-process fan-out, so all three see exactly the same events.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { daysBetween, type LocalDate } from '../../core/local-date';
import { positionsCtes } from '../../db/positions';
import { defineQuery, defineStatement, NoParams, Where } from '../../db/sql';
import { encodeEventCursor } from './overdue.events';
import { OverdueEvent, OverdueEventFilter, OverdueEventType, type OverdueScanResult } from './overdue.types';

export interface ScanParams {
  asOf: LocalDate;
  tz: string;
  /** Days past the effective due date at which each stage starts. */
  stages: readonly number[];
  /** The overdue_scan row this judgement is logged in. */
  scanId: string;
}

/** What the service needs of a judgement; its figures go to the scan's log row (SCAN_LOG reads them). */
export interface ScanCounts {
  judged: number;
  /** Highest event sequence number written; '0' when none. */
  lastSeq: string;
}

/** Which receivables a judgement takes: those due by the date (a scan), or all of them. */
export type JudgementScope = 'due' | 'all';

/**
 * Judges receivables as of `asOf` and writes what changed, in one statement.
 *
 * - Candidates: with scope `due`, the state rows whose next judgement date has come
 *   (partial index; changed ones are due at once); with `all`, every receivable. A row
 *   already judged for a later date is never judged back.
 * - Money is the position as of `asOf` (server/db/positions.ts): the same figure as the
 *   aging report's. An open payment notice holds the alarm from the day it was reported
 *   through its `hold_until`. The stage is the last threshold reached; stages only rise
 *   while the receivable stays overdue.
 * - Every candidate gets its new state and next judgement date; every transition one
 *   event, in the order of effective due dates; the scan's log row the counts and ids.
 */
function judgement(scope: JudgementScope) {
  const candidates =
    scope === 'due'
      ? `select o.receivable_id as id, o.stage as old_stage, o.next_judgement_on as due_on
           from receivable_overdue_state o
          where o.next_judgement_on <= cast(:asOf as date) and (o.judged_on is null or o.judged_on <= cast(:asOf as date))`
      : `select o.receivable_id as id, o.stage as old_stage, o.next_judgement_on as due_on
           from receivable_overdue_state o
          where o.judged_on is null or o.judged_on <= cast(:asOf as date)`;
  return defineQuery<ScanParams, ScanCounts>({
    text: `
with candidates as materialized (
  ${candidates}
),
${positionsCtes('pos', 'cast(:asOf as date)', { within: 'candidates' })},
notices as (
  -- Open notices of the candidates: holding on D, or starting / ending a hold after D.
  select n.receivable_id,
         bool_or(n.created_on <= cast(:asOf as date) and n.hold_until >= cast(:asOf as date)) as held,
         min(case when n.created_on > cast(:asOf as date) then n.created_on
                  when n.hold_until >= cast(:asOf as date) then n.hold_until + 1 end) as next_on
    from candidates c join payment_notice n on n.receivable_id = c.id
   where n.status = 'OPEN'
   group by n.receivable_id
),
judged as materialized (
  select c.id, c.old_stage, c.due_on, p.customer_id, p.salesperson_id, p.effective_due_on, p.issued_on,
         cast(:asOf as date) - p.effective_due_on as days_past,
         p.outstanding as position,
         coalesce(n.held, false) as held, n.next_on as notice_next_on,
         -- The position falls later by itself: money already recorded that counts after D, a write-off made after D.
         p.first_received_on as money_next_on,
         case when (p.written_off_at at time zone :tz)::date > cast(:asOf as date) then (p.written_off_at at time zone :tz)::date end as write_off_next_on
    from candidates c
    join pos p on p.id = c.id
    left join notices n on n.receivable_id = c.id
),
staged as materialized (
  -- The stage reached: the last threshold the days past due reach, unless paid or held.
  select j.*,
         -- Stages only rise while overdue: a later effective due date (a new holiday) keeps the stage reached.
         case when st.reached is not null then greatest(st.reached, j.old_stage) end as new_stage
    from judged j
    left join lateral (
      select max(s) as reached from unnest(cast(:stages as int[])) s
       where s <= j.days_past and j.days_past >= 1 and j.position > 0 and not j.held
    ) st on true
),
decided as materialized (
  select d.*,
         case when d.old_stage is null and d.new_stage is not null then 'BECAME_OVERDUE'
              when d.old_stage is not null and d.new_stage is null then 'CLEARED'
              when d.new_stage > d.old_stage then 'STAGE_ESCALATED' end as event_type,
         -- The first date a judgement can differ without a ledger change: the next stage
         -- threshold, a notice's hold starting or ending, the issue date, the day money
         -- already recorded counts or a write-off takes effect. Nothing for a receivable with
         -- nothing outstanding: its position never rises again by itself.
         case when d.position = 0 and d.issued_on <= cast(:asOf as date) then null
              else least(d.effective_due_on + nt.threshold,
                         case when d.issued_on > cast(:asOf as date) then d.issued_on end,
                         d.notice_next_on, d.money_next_on, d.write_off_next_on) end as next_on
    from staged d
    left join lateral (
      select min(t) as threshold from unnest(cast(:stages as int[])) t
       where d.effective_due_on + t > cast(:asOf as date) and (d.new_stage is null or t > d.new_stage)
    ) nt on true
),
stored as (
  update receivable_overdue_state o
     set stage = d.new_stage, judged_on = cast(:asOf as date), next_judgement_on = d.next_on
    from decided d
   where o.receivable_id = d.id
),
inserted as (
  insert into overdue_event (id, type, receivable_id, customer_id, salesperson_id, stage, previous_stage,
                             days_overdue, outstanding, as_of, scan_id)
  select gen_random_uuid(), d.event_type, d.id, d.customer_id, d.salesperson_id, d.new_stage, d.old_stage,
         greatest(d.days_past, 0), d.position, cast(:asOf as date), cast(:scanId as bigint)
    from decided d
   where d.event_type is not null
   order by d.effective_due_on, d.id
  returning seq, type
),
counted as (
  -- The engine row exists: a scan sets its date before it judges, a re-evaluation needs one.
  update overdue_engine e
     set overdue_count = e.overdue_count
           + (select count(*) from decided where event_type = 'BECAME_OVERDUE')
           - (select count(*) from decided where event_type = 'CLEARED')
  returning e.overdue_count
),
counts as (
  select (select count(*) from decided)::int as judged,
         (select count(*) from decided where due_on > '-infinity' and due_on < cast(:asOf as date))::int as judged_late,
         (select count(*) from decided where due_on = '-infinity')::int as judged_changed,
         (select count(*) from inserted where type = 'BECAME_OVERDUE')::int as became_overdue,
         (select count(*) from inserted where type = 'STAGE_ESCALATED')::int as escalated,
         (select count(*) from inserted where type = 'CLEARED')::int as cleared,
         (select coalesce(max(seq), 0) from inserted)::text as last_seq,
         (select overdue_count from counted) as overdue_count
),
logged as (
  update overdue_scan s
     set judged = k.judged, judged_late = k.judged_late, judged_changed = k.judged_changed,
         became_overdue = k.became_overdue, escalated = k.escalated, cleared = k.cleared, overdue_count = k.overdue_count,
         judged_ids = coalesce((select array_agg(d.id order by d.effective_due_on, d.id) from decided d), '{}')
    from counts k
   where s.id = cast(:scanId as bigint)
)
select * from counts
`,
    decode: (row) => ({ judged: row.int('judged'), lastSeq: row.bigintText('last_seq') }),
  });
}

export const JUDGE = { due: judgement('due'), all: judgement('all') };

/** The date the alarm state is valid for: the last scan's; none before the first scan. */
export const ENGINE_DATE = defineQuery<NoParams, LocalDate>({
  text: 'select scanned_on::text as scanned_on from overdue_engine',
  decode: (row) => row.date('scanned_on'),
});

export const SET_ENGINE_DATE = defineStatement<{ asOf: LocalDate }>({
  text: `insert into overdue_engine (scanned_on) values (cast(:asOf as date))
         on conflict (singleton) do update set scanned_on = excluded.scanned_on`,
});

export type ScanKind = 'SCAN' | 'REEVALUATION' | 'FULL';

/** Opens a scan's log row; the judgement fills it in. */
export const OPEN_SCAN_LOG = defineQuery<{ kind: ScanKind; asOf: LocalDate; previousScanOn: LocalDate | null }, string>({
  text: `insert into overdue_scan (kind, as_of, previous_scan_on) values (:kind, cast(:asOf as date), cast(:previousScanOn as date)) returning id::text`,
  decode: (row) => row.text('id'),
});

export const CLOSE_SCAN_LOG = defineStatement<{ scanId: string; durationMs: number }>({
  text: 'update overdue_scan set duration_ms = :durationMs where id = cast(:scanId as bigint)',
});

/** A scan as its log row keeps it (for SCAN_LOG_DAYS, when it judged something). */
export const SCAN_LOG = defineQuery<{ id: string }, OverdueScanResult>({
  text: `select id::text, as_of::text, previous_scan_on::text, judged, judged_late, judged_changed, became_overdue, escalated, cleared,
                overdue_count, duration_ms
           from overdue_scan where id = cast(:id as bigint)`,
  decode: (row) => {
    const asOf = row.date('as_of');
    const previousScanOn = row.isNull('previous_scan_on') ? null : row.date('previous_scan_on');
    return {
      id: row.text('id'),
      asOf,
      previousScanOn,
      missedDays: previousScanOn === null ? 0 : Math.max(0, daysBetween(previousScanOn, asOf) - 1),
      ran: true,
      judged: row.int('judged'),
      judgedLate: row.int('judged_late'),
      judgedChanged: row.int('judged_changed'),
      becameOverdue: row.int('became_overdue'),
      escalated: row.int('escalated'),
      cleared: row.int('cleared'),
      overdueCount: row.int('overdue_count'),
      durationMs: row.int('duration_ms'),
    };
  },
});

/** Log rows of scans that judged nothing are not kept; judgements are kept for SCAN_LOG_DAYS. */
export const PRUNE_SCAN_LOG = defineStatement<{ scanId: string; days: number }>({
  text: `delete from overdue_scan where (id = cast(:scanId as bigint) and judged = 0) or started_at < now() - make_interval(days => :days)`,
});

/** One page of the receivables a scan judged, in its order. */
export const JUDGED_PAGE = defineQuery<{ scanId: string; offset: number; limit: number }, { id: string; position: number }>({
  text: `select j.id, j.n::int as position
           from overdue_scan s, unnest(s.judged_ids) with ordinality as j(id, n)
          where s.id = cast(:scanId as bigint) and j.n > :offset
          order by j.n limit :limit`,
  decode: (row) => ({ id: row.text('id'), position: row.int('position') }),
});

/** The channel scans NOTIFY and every instance's hub LISTENs on. */
export const OVERDUE_CHANNEL = 'huikuan_overdue_events';

/** Wakes every instance's hub when the transaction commits. */
export const NOTIFY = defineQuery<{ channel: string; payload: string }, true>({
  text: 'select pg_notify(:channel, :payload)',
  decode: () => true,
});

// ── The event table ─────────────────────────────────────────────────────────────

export interface EventQuery {
  afterSeq?: string;
  limit: number;
  filter?: OverdueEventFilter | null;
  /** Restricts to what this caller may see; omitted for the fan-out, which filters per subscriber. */
  principal?: Principal;
}

function eventWhere(q: Omit<EventQuery, 'limit'>): Where {
  const where = new Where();
  if (q.afterSeq) where.add('e.seq > cast(:afterSeq as bigint)', { afterSeq: q.afterSeq });
  if (q.principal) {
    const scope = ownerScope(q.principal);
    if (scope) where.add('c.owner_id = :ownerScope', { ownerScope: scope });
  }
  const f = q.filter;
  // Ids from clients: one that is no uuid matches nothing instead of failing in PostgreSQL.
  if (f?.customerId) where.addIdEquals('e.customer_id', 'customerId', f.customerId);
  if (f?.salespersonId) where.addIdEquals('e.salesperson_id', 'salespersonId', f.salespersonId);
  if (f?.types && f.types.length > 0) where.add('e.type = any(cast(:types as text[]))', { types: f.types });
  if (f?.minStage) where.add('greatest(coalesce(e.stage, 0), coalesce(e.previous_stage, 0)) >= :minStage', { minStage: f.minStage });
  return where;
}

const EVENTS_FROM = 'from overdue_event e join customer c on c.id = e.customer_id';

const EVENTS = defineQuery<{ where: Where; limit: number }, OverdueEvent>({
  text: `select e.*, c.owner_id, (extract(epoch from e.occurred_at) * 1000)::bigint as occurred_ms ${EVENTS_FROM} where :where order by e.seq limit :limit`,
  decode: (row) => {
    const seq = row.bigintText('seq');
    return Object.assign(new OverdueEvent(), {
      seq,
      id: row.text('id'),
      cursor: encodeEventCursor(seq),
      type: row.oneOf('type', OverdueEventType),
      receivableId: row.text('receivable_id'),
      customerId: row.text('customer_id'),
      salespersonId: row.text('salesperson_id'),
      customerOwnerId: row.text('owner_id'),
      stage: row.intOrNull('stage'),
      previousStage: row.intOrNull('previous_stage'),
      daysOverdue: row.int('days_overdue'),
      outstanding: row.cents('outstanding'),
      asOf: row.date('as_of'),
      occurredAt: row.epochMs('occurred_ms'),
    });
  },
});

const EVENT_COUNT = defineQuery<{ where: Where }, number>({
  text: `select count(*) as n ${EVENTS_FROM} where :where`,
  decode: (row) => row.int('n'),
});

const LATEST_SEQ = defineQuery<NoParams, string>({
  text: 'select max(seq) as seq from overdue_event',
  decode: (row) => (row.isNull('seq') ? '0' : row.bigintText('seq')),
});

export function readEvents(em: EntityManager, q: EventQuery): Promise<OverdueEvent[]> {
  return EVENTS.all(em, { where: eventWhere(q), limit: Math.floor(q.limit) });
}

/** Events matching the filter and visible to the caller, regardless of the cursor. */
export function countEvents(em: EntityManager, q: Omit<EventQuery, 'limit' | 'afterSeq'>): Promise<number> {
  return EVENT_COUNT.one(em, { where: eventWhere(q) });
}

export function latestEventSeq(em: EntityManager): Promise<string> {
  return LATEST_SEQ.one(em);
}
