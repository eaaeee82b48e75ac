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
import { LEDGER_COLUMNS, positionsCtes } from '../../db/positions';
import { defineQuery, defineStatement, NoParams, SqlRow, Where } from '../../db/sql';
import { encodeEventCursor } from './overdue.events';
import { OverdueEvent, OverdueEventFilter, OverdueEventType, type OverdueScanResult } from './overdue.types';

/**
 * The engine's advisory lock ("hksc"): judgements and every writer of events take it
 * exclusively, so events commit in the order of their sequence numbers; the change
 * triggers of Migration20261202000000 take it shared.
 */
export const SCAN_LOCK = 0x68_6b_73_63;

/** The channel a judgement NOTIFYs (at commit) and every instance's hub LISTENs on. */
export const OVERDUE_CHANNEL = 'huikuan_overdue_events';

export interface ScanParams {
  asOf: LocalDate;
  tz: string;
  /** Days past the effective due date at which each stage starts. */
  stages: readonly number[];
  /** The overdue_scan row this judgement is logged in. */
  scanId: string;
}

/** What the service needs of a judgement; its figures go to the scan's log row (CLOSE_SCAN_LOG reads them). */
export interface ScanCounts {
  judged: number;
  /** The customers of the receivables judged, and any other whose figures (overdue_customer_stage) moved, sorted. */
  customerIds: string[];
}

/**
 * The copy of a changed receivable's ledger columns its state row holds until it is judged
 * (Migration20261224000000: the receivable triggers write it, a judgement clears it): the
 * judgement computes the position from it instead of reading the receivable.
 */
const LEDGER_COPY_PREFIX = 'ledger_';
const LEDGER_COPY = LEDGER_COLUMNS.map((column) => `${LEDGER_COPY_PREFIX}${column}`);

/**
 * How every writer of events numbers them (JUDGE, APPEND_EVENTS), holding the scan lock:
 * the first of a block of `count` sequence numbers drawn at once (a nextval per event is
 * ~1 µs each, 0.1 s at 100,000; under the lock no other number is drawn in between), and
 * an event's id, derived from its sequence number and unique by construction (no
 * random-uuid index to maintain; Migration20261203000000).
 */
const firstOfEventBlock = (count: string) => `setval('overdue_event_seq_seq', nextval('overdue_event_seq_seq') + ${count} - 1) - ${count} + 1`;
const eventIdOf = (seq: string) => `cast('00000000-0000-8000-8000-' || lpad(to_hex(${seq}), 12, '0') as uuid)`;

/** Which receivables a judgement takes: those due by the date (a scan), or all of them. */
export type JudgementScope = 'due' | 'all';

/**
 * Judges receivables as of `asOf` and writes what changed, in one statement.
 *
 * - Candidates: the rows OPEN_JUDGEMENT put in `overdue_candidates`, under the same scan lock
 *   (nothing moves a state row in between, so its address still holds).
 * - Money is the position as of `asOf` (server/db/positions.ts): the same figure as the
 *   aging report's. A row that comes for a date alone (no ledger change since its last
 *   judgement) whose position no date could move then (issued, nothing counting later)
 *   has the same position now: it was kept in the state row (`kept_*`,
 *   Migration20261223000000) and is read from there, not from the ledger. A row its
 *   receivable's change marked carries a copy of the receivable's ledger columns
 *   (`ledger_*`, Migration20261224000000): its position is computed from the copy and what
 *   counts after `asOf`, without reading the receivable row. Every other candidate, and
 *   every one of a full re-judgement (the check), reads the ledger.
 * - An open payment notice holds the alarm from the day it was reported through its
 *   `hold_until`. The stage is the last threshold reached; stages only rise while the
 *   receivable stays overdue. A fully disputed receivable (open disputes cover
 *   its position) keeps the stage it has: no BECAME_OVERDUE, no STAGE_ESCALATED. The
 *   engine reads its own `overdue_freeze` for that, which the disputes area above writes
 *   with its disputes (Migration20261216010000): no SQL of the engine names a table of an
 *   area above it, as no TypeScript import points up.
 * - Every candidate gets its new state and next judgement date; every transition one
 *   event, in the order of effective due dates; the scan's log row the counts and ids.
 *   A candidate whose judgement only the date can change (its position kept, more than
 *   nothing outstanding, no open notice or dispute) is on schedule (Migration20261226000000):
 *   it stores the effective due date its stage follows instead of a next judgement date,
 *   and one that came by its schedule and stays on it is not rewritten at all (most of a
 *   steady day's candidates: a rewrite is a new row version and two index entries).
 *
 * Cost is per candidate, so the shape is kept lean: the stage thresholds are looked up
 * with `width_bucket` (OVERDUE_STAGES is ascending, config.ts checks it), each state row
 * is rewritten through the row address it was read from (a TID scan of the addresses: the
 * planner would otherwise hash all state rows for 100,000 of them), the position and the
 * judgement are computed once per candidate (materialized), the judged rows are read once
 * for the customers' figures and the counts (`pairs`), the events' sequence numbers are
 * drawn as one block (`reserved`), and an event's id is derived from its sequence number,
 * unique by construction (no random-uuid index to maintain).
 */
function judgement() {
  return defineQuery<ScanParams, ScanCounts>({
    text: `
with candidates as not materialized (
  -- Read where used: the planner then sees the table's statistics (ANALYZE_CANDIDATES), not a CTE's defaults.
  select c.id, c.state_row, c.old_stage, c.due_on, c.old_customer, c.old_amount, c.scheduled, c.kept_position, c.kept_effective_due_on, c.kept_salesperson_id,
         ${LEDGER_COPY.map((column) => `c.${column}`).join(', ')}
    from overdue_candidates c
),
unkept as not materialized (
  select c.id, c.state_row, c.old_stage, c.due_on, c.old_customer, c.old_amount, ${LEDGER_COPY.map((column) => `c.${column}`).join(', ')}
    from candidates c where c.kept_position is null
),
${positionsCtes('read', 'cast(:asOf as date)', { within: 'unkept', carry: ['state_row', 'old_stage', 'due_on', 'old_customer', 'old_amount'], ledgerCopy: LEDGER_COPY_PREFIX })},
pos as materialized (
  -- The position read from the ledger, or the one kept since the last judgement: issued by
  -- then, nothing counting later, no ledger change since (Migration20261223000000).
  select p.state_row, p.old_stage, p.due_on, p.old_customer, p.old_amount, false as scheduled, p.id, p.salesperson_id, p.customer_id, p.effective_due_on,
         p.issued_on, p.written_off_at, p.first_received_on, p.outstanding
    from read p
  union all
  select c.state_row, c.old_stage, c.due_on, c.old_customer, c.old_amount, c.scheduled, c.id, c.kept_salesperson_id, c.old_customer, c.kept_effective_due_on,
         cast('-infinity' as date), cast(null as timestamptz), cast(null as date), c.kept_position
    from candidates c where c.kept_position is not null
),
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
disputes as (
  -- Freezes of the candidates (the engine's overdue_freeze, written by the disputes area
  -- with its disputes): the amount frozen on D (from on or before D, not ended by D), and
  -- the next day one starts or ends after D.
  select f.receivable_id,
         coalesce(sum(f.amount) filter (where f.from_on <= cast(:asOf as date)), 0) as disputed,
         min(case when f.from_on > cast(:asOf as date) then f.from_on else f.until_on end) as next_on
    from candidates c join overdue_freeze f on f.receivable_id = c.id
   where f.until_on is null or f.until_on > cast(:asOf as date)
   group by f.receivable_id
),
judged as materialized (
  -- Computed once per candidate: inlined, each expression below would be computed again in every use of it.
  select p.state_row, p.id, p.old_stage, p.due_on, p.old_customer, p.old_amount, p.scheduled, p.customer_id, p.salesperson_id, p.effective_due_on, p.issued_on,
         p.outstanding as position, n.next_on as notice_next_on, dd.next_on as dispute_next_on,
         -- No open payment notice, no dispute frozen from or after D.
         n.receivable_id is null and dd.receivable_id is null as unencumbered,
         -- The first later date the ledger as recorded moves the position by itself: the issue
         -- date, the day money or a credit already recorded counts, the day a write-off takes effect.
         least(case when p.issued_on > cast(:asOf as date) then p.issued_on end, p.first_received_on,
               case when (p.written_off_at at time zone :tz)::date > cast(:asOf as date) then (p.written_off_at at time zone :tz)::date end) as ledger_next_on,
         cast(:asOf as date) - p.effective_due_on as days_past,
         -- Fully disputed: open disputes cover the whole position, and no notice holds it.
         p.outstanding > 0 and coalesce(dd.disputed, 0) >= p.outstanding and not coalesce(n.held, false) as frozen,
         -- The last threshold reached (width_bucket: how many thresholds the days past due
         -- reach), unless none is, or paid, or held. Stages only rise while overdue: a later
         -- effective due date (a new holiday) keeps the stage reached. A fully disputed
         -- receivable keeps the stage it has (none, or the one reached before the dispute):
         -- it neither becomes overdue nor escalates until a resolution puts it back.
         case when p.outstanding > 0 and coalesce(dd.disputed, 0) >= p.outstanding and not coalesce(n.held, false) then p.old_stage
              when cast(:asOf as date) - p.effective_due_on >= 1 and p.outstanding > 0 and not coalesce(n.held, false)
                   and width_bucket(cast(:asOf as date) - p.effective_due_on, cast(:stages as int[])) >= 1
              then greatest((cast(:stages as int[]))[width_bucket(cast(:asOf as date) - p.effective_due_on, cast(:stages as int[]))], p.old_stage) end as new_stage
    from pos p
    left join notices n on n.receivable_id = p.id
    left join disputes dd on dd.receivable_id = p.id
),
decided as materialized (
  select j.state_row, j.id, j.old_stage, j.due_on, j.old_customer, j.old_amount, j.customer_id, j.salesperson_id, j.effective_due_on, j.position,
         j.days_past, j.new_stage,
         -- No date can move the position any more: kept for the next judgement.
         j.ledger_next_on is null as keeps,
         -- On schedule (Migration20261226000000): only the date can change the judgement, and
         -- receivable_alarm derives it from the effective due date until a change marks the row.
         -- Such a row that came by its schedule stays as it is: its stored state derives the same.
         j.ledger_next_on is null and j.position > 0 and not j.frozen and j.unencumbered as on_schedule,
         j.scheduled,
         -- Overdue money (the customers' figures, overdue_customer_stage): the position once past the effective due date.
         case when j.days_past >= 1 then j.position else 0 end as new_amount,
         case when j.old_stage is null and j.new_stage is not null then 'BECAME_OVERDUE'
              when j.old_stage is not null and j.new_stage is null then 'CLEARED'
              when j.new_stage > j.old_stage then 'STAGE_ESCALATED' end as event_type,
         -- The first date a judgement can differ without a ledger change: the next stage
         -- threshold (the first above both the days past due and the stage held; none
         -- while fully disputed), the first day past due (its money becomes overdue money,
         -- whatever the first stage's threshold), a notice's hold or a dispute starting or
         -- ending, the ledger's own next date (ledger_next_on). Nothing for a receivable with
         -- nothing outstanding: its position never rises again by itself.
         case when j.position = 0 and j.issued_on <= cast(:asOf as date) then null
              else least(case when not j.frozen then j.effective_due_on + (cast(:stages as int[]))[width_bucket(greatest(j.days_past, coalesce(j.new_stage, j.days_past)), cast(:stages as int[])) + 1] end,
                         case when j.days_past < 1 then j.effective_due_on + 1 end,
                         j.ledger_next_on, j.notice_next_on, j.dispute_next_on) end as next_on
    from judged j
   -- Sorted once here, in the order events are numbered and the scan log lists what it
   -- judged: both read it presorted (PostgreSQL 17+ knows a materialized CTE's order; older
   -- servers sort again, with the same result).
   order by j.effective_due_on, j.id
),
stored as (
  update receivable_overdue_state o
     set stage = d.new_stage, judged_on = cast(:asOf as date), customer_id = d.customer_id, overdue_amount = d.new_amount,
         next_judgement_on = case when not d.on_schedule then d.next_on end,
         schedule_from = case when d.on_schedule then d.effective_due_on end,
         kept_position = case when d.keeps then d.position end,
         kept_effective_due_on = case when d.keeps then d.effective_due_on end,
         kept_salesperson_id = case when d.keeps then d.salesperson_id end,
         -- The copy of the ledger columns a change left is read: the row is as narrow as before it.
         ${LEDGER_COPY.map((column) => `${column} = null`).join(', ')}
    from decided d
   -- The list of addresses makes it a TID scan of them (the join alone hashes every state row).
   where o.ctid = d.state_row and o.ctid = any(array(select s.state_row from decided s where not (s.scheduled and s.on_schedule)))
),
pairs as (
  -- Each judged row leaves the customer's bucket it counted in and enters the one it counts
  -- in now: counted per pair of buckets first (one pass over the judged rows, a few
  -- thousand groups), then split into what each bucket loses and gains.
  -- The scan's counts (tally) come from here too, so the judged rows are read once for both.
  select coalesce(d.old_customer, d.customer_id) as old_customer, coalesce(d.old_stage, 0) as old_stage,
         d.customer_id, coalesce(d.new_stage, 0) as new_stage, d.event_type, count(*) as n,
         count(*) filter (where d.due_on > '-infinity' and d.due_on < cast(:asOf as date)) as late,
         count(*) filter (where d.due_on = '-infinity') as changed,
         count(*) filter (where d.old_stage is not null or d.old_amount <> 0) as left_n,
         coalesce(sum(d.old_amount) filter (where d.old_stage is not null or d.old_amount <> 0), 0) as left_amount,
         count(*) filter (where d.new_stage is not null or d.new_amount <> 0) as entered_n,
         coalesce(sum(d.new_amount) filter (where d.new_stage is not null or d.new_amount <> 0), 0) as entered_amount
    from decided d
   group by 1, 2, 3, 4, 5
),
deltas as (
  select m.customer_id, m.stage, sum(m.receivables) as receivables, sum(m.amount) as amount
    from (select g.old_customer as customer_id, g.old_stage as stage, -g.left_n as receivables, -g.left_amount as amount from pairs g where g.left_n > 0
          union all
          select g.customer_id, g.new_stage, g.entered_n, g.entered_amount from pairs g where g.entered_n > 0) m
   group by m.customer_id, m.stage
  having sum(m.receivables) <> 0 or sum(m.amount) <> 0
),
bumped as (
  -- Not an upsert: its proposed rows carry the deltas, and a negative one would fail the checks
  -- (which hold the buckets to what the state rows add up to).
  update overdue_customer_stage t set receivables = t.receivables + d.receivables, amount = t.amount + d.amount
    from deltas d where t.customer_id = d.customer_id and t.stage = d.stage
),
tallied as (
  -- Judgements take the scan lock, so no other one adds a bucket in between.
  insert into overdue_customer_stage (customer_id, stage, receivables, amount)
  select d.customer_id, d.stage, d.receivables, d.amount from deltas d
   where not exists (select 1 from overdue_customer_stage t where t.customer_id = d.customer_id and t.stage = d.stage)
),
reserved as (
  -- The events' sequence numbers, drawn as one block (firstOfEventBlock). No events, no block.
  select ${firstOfEventBlock('t.events')} as first_seq
    from (select cast(sum(g.n) as bigint) as events from pairs g where g.event_type is not null) t
   where t.events > 0
),
inserted as (
  insert into overdue_event (seq, id, type, receivable_id, customer_id, salesperson_id, stage, previous_stage,
                             days_overdue, outstanding, as_of, scan_id)
  select e.seq, ${eventIdOf('e.seq')},
         e.event_type, e.id, e.customer_id, e.salesperson_id, e.new_stage, e.old_stage,
         greatest(e.days_past, 0), e.position, cast(:asOf as date), cast(:scanId as bigint)
    from (
      -- Numbered in the order of effective due dates, the block's first number first.
      select r.first_seq + row_number() over (order by d.effective_due_on, d.id) - 1 as seq, d.*
        from decided d cross join reserved r
       where d.event_type is not null
    ) e
  returning seq
),
tally as (
  select coalesce(sum(g.n), 0)::int as judged,
         coalesce(sum(g.late), 0)::int as judged_late,
         coalesce(sum(g.changed), 0)::int as judged_changed,
         coalesce(sum(g.n) filter (where g.event_type = 'BECAME_OVERDUE'), 0)::int as became_overdue,
         coalesce(sum(g.n) filter (where g.event_type = 'STAGE_ESCALATED'), 0)::int as escalated,
         coalesce(sum(g.n) filter (where g.event_type = 'CLEARED'), 0)::int as cleared
    from pairs g
),
counted as (
  -- The engine row exists: a scan sets its date before it judges, a re-evaluation needs one.
  update overdue_engine e
     set overdue_count = e.overdue_count + t.became_overdue - t.cleared
    from tally t
  returning e.overdue_count
),
counts as (
  select t.*, (select coalesce(max(seq), 0) from inserted)::text as last_seq, (select overdue_count from counted) as overdue_count
    from tally t
),
logged as (
  update overdue_scan s
     set judged = k.judged, judged_late = k.judged_late, judged_changed = k.judged_changed,
         became_overdue = k.became_overdue, escalated = k.escalated, cleared = k.cleared, overdue_count = k.overdue_count,
         judged_ids = coalesce((select array_agg(d.id order by d.effective_due_on, d.id) from decided d), '{}')
    from counts k
   where s.id = cast(:scanId as bigint)
),
notified as (
  -- Wakes every instance's hub when the transaction commits (nothing to say without events).
  select pg_notify('${OVERDUE_CHANNEL}', k.last_seq) from counts k where k.last_seq <> '0'
),
touched_customers as (
  -- The customers of the receivables judged, and any whose figures moved (a receivable that changed customer).
  select coalesce(array_to_json(array_agg(x.customer_id order by x.customer_id)), '[]') as ids
    from (select g.customer_id from pairs g union select t.customer_id from deltas t) x
)
select k.judged, k.last_seq, (select count(*) from notified) as notified, (select ids from touched_customers) as customer_ids from counts k
`,
    decode: (row) => ({ judged: row.int('judged'), customerIds: row.json('customer_ids') as string[] }),
  });
}

export const JUDGE = judgement();

export type ScanKind = 'SCAN' | 'REEVALUATION' | 'FULL';

export interface OpenJudgementParams {
  kind: ScanKind;
  asOf: LocalDate;
  previousScanOn: LocalDate | null;
  /** The stage thresholds judged with (recorded in the engine row: `receivable_alarm` derives with them). */
  stages: readonly number[];
}

/**
 * Opens a judgement, in one statement: its log row (which JUDGE fills in), for a scan the
 * engine's new date (re-evaluations and full re-judgements judge as of the engine's date)
 * and the stage thresholds it judges with, and the receivables it takes, as of `asOf`:
 * - with scope `due`, those whose next judgement date has come (partial index; changed ones
 *   are due at once), and those on schedule (Migration20261226000000) for which a stage
 *   threshold or the first day past due falls after the engine's last date and by `asOf`
 *   (`schedule_from` in (since − t, asOf − t] for each threshold t, by index; `since` is
 *   the last scan's date, or `asOf` itself for a re-evaluation: no date moved);
 * - with `all`, every one.
 * A row already judged for a later date is never judged back.
 *
 * Each candidate carries the stage and overdue money it counted in before, as of the
 * engine's date (`receivable_alarm`, read in this statement's snapshot: before the engine's
 * date moves), and whether it came by its schedule (`scheduled`): JUDGE does not rewrite
 * such a row if it stays on schedule.
 *
 * The receivables go to `overdue_candidates` (JUDGEMENT_TABLE), with their state rows'
 * addresses, and JUDGE reads them from there: the planner sees how many there are from the
 * table's size, whatever the statistics of the next judgement dates say (they lag: every
 * scan moves the dates it judged), and picks index lookups for a few thousand and hash joins
 * for a hundred thousand. The list never travels through this process: the answer is the
 * log row's id and how many of them read the ledger, not having a kept position
 * (ANALYZE_CANDIDATES).
 */
function openJudgement(scope: JudgementScope) {
  const columns = [
    'id',
    'state_row',
    'old_stage',
    'due_on',
    'old_customer',
    'old_amount',
    'scheduled',
    'kept_position',
    'kept_effective_due_on',
    'kept_salesperson_id',
    ...LEDGER_COPY,
  ];
  // A changed row (-infinity) reads the ledger, or the copy of it its change left; every row
  // of a full re-judgement, the check of what was kept and copied, reads the ledger itself.
  const kept = (column: string) => (scope === 'due' ? `case when a.next_judgement_on > '-infinity' then a.${column} end` : 'null');
  const copied = (column: string) => (scope === 'due' ? `a.${column}` : 'null');
  const byDate = `
             select a.receivable_id, a.state_row, a.stage, a.next_judgement_on, a.customer_id, a.overdue_amount, false,
                    ${kept('kept_position')}, ${kept('kept_effective_due_on')}, ${kept('kept_salesperson_id')}, ${LEDGER_COPY.map(copied).join(', ')}
               from receivable_alarm a
              where ${scope === 'due' ? 'a.next_judgement_on <= cast(:asOf as date) and ' : ''}(a.judged_on is null or a.judged_on <= cast(:asOf as date))`;
  // On schedule: its due date here is the first date after since its judgement can differ (late when before asOf).
  const bySchedule = `
             union all
             select a.receivable_id, a.state_row, a.stage,
                    least(case when s.since - a.schedule_from < 1 then a.schedule_from + 1 end,
                          a.schedule_from + (cast(:stages as int[]))[width_bucket(s.since - a.schedule_from, cast(:stages as int[])) + 1]),
                    a.customer_id, a.overdue_amount, true, a.kept_position, a.kept_effective_due_on, a.kept_salesperson_id,
                    ${LEDGER_COPY.map(() => 'null').join(', ')}
               from receivable_alarm a cross join since s
              where a.next_judgement_on is null and a.schedule_from = any(cast((select c.dates from crossings c) as date[]))`;
  return defineQuery<OpenJudgementParams, { scanId: string; unkept: number }>({
    text: `with moved as (
             insert into overdue_engine (scanned_on, stages) select cast(:asOf as date), cast(:stages as int[]) where :kind = 'SCAN'
             on conflict (singleton) do update set scanned_on = excluded.scanned_on, stages = excluded.stages
           ),
           restaged as (
             update overdue_engine set stages = cast(:stages as int[]) where :kind <> 'SCAN' and stages is distinct from cast(:stages as int[])
           ),
           opened as (
             insert into overdue_scan (kind, as_of, previous_scan_on) values (:kind, cast(:asOf as date), cast(:previousScanOn as date)) returning id
           ),
           since as (
             select coalesce(cast(:previousScanOn as date), cast(:asOf as date)) as since
           ),
           crossings as (
             -- The effective due dates whose first day past due or stage threshold t falls in (since, asOf].
             select array(select distinct s.since + k - t from unnest(array_append(cast(:stages as int[]), 1)) t,
                                 generate_series(1, cast(:asOf as date) - s.since) k) as dates
               from since s
           ),
           listed as (
             insert into overdue_candidates (${columns.join(', ')})${byDate}${scope === 'due' ? bySchedule : ''}
             returning kept_position
           )
           select (select id::text from opened) as scan_id, (count(*) filter (where kept_position is null))::int as unkept from listed`,
    decode: (row) => ({ scanId: row.text('scan_id'), unkept: row.int('unkept') }),
  });
}

export const OPEN_JUDGEMENT = { due: openJudgement('due'), all: openJudgement('all') };

/**
 * Statistics of the candidates, for JUDGE's plan when many read the ledger (`unkept`):
 * without them PostgreSQL assumes 200 distinct ids and, for 100,000 candidates, hashes the
 * whole receivable table (a million rows) instead of the candidates (~0.5 s). Sampling a
 * temporary table costs ~1 ms per thousand rows, so it is taken only when that many read
 * the ledger (ANALYZE_CANDIDATES_FROM): a few thousand are looked up by key whatever the
 * statistics say, and candidates judged from their kept positions read no receivable
 * (127,000 of them judge no slower without statistics, and the sampling costs ~150 ms).
 */
export const ANALYZE_CANDIDATES = defineStatement<NoParams>({ text: 'analyze overdue_candidates' });

/** How many candidates reading the ledger make their statistics worth taking (ANALYZE_CANDIDATES). */
export const ANALYZE_CANDIDATES_FROM = 10_000;

/**
 * The candidates of a judgement, per connection: created once (when BEGIN_JUDGEMENT finds
 * none), emptied at every commit (a temporary table costs no WAL and no catalog rows per
 * judgement).
 */
export const JUDGEMENT_TABLE = defineStatement<NoParams>({
  text: `create temporary table if not exists overdue_candidates (
           id uuid not null, state_row tid not null, old_stage integer, due_on date, old_customer uuid, old_amount numeric(16,2) not null,
           scheduled boolean not null, kept_position numeric(16,2), kept_effective_due_on date, kept_salesperson_id uuid,
           ledger_salesperson_id uuid, ledger_customer_id uuid, ledger_effective_due_on date, ledger_issued_on date,
           ledger_written_off_at timestamptz, ledger_written_off_amount numeric(16,2), ledger_outstanding numeric(16,2)
         ) on commit delete rows`,
});

/**
 * The engine's date and the stage thresholds its state was judged with (null: not
 * recorded), read under the scan lock; room to sort (a judgement may sort and aggregate
 * 100,000 rows, more than the default 4 MB of `work_mem` holds in memory; the setting ends
 * with the transaction); and whether this connection has its candidates table yet
 * (JUDGEMENT_TABLE), so a judgement creates it only the first time.
 */
export const BEGIN_JUDGEMENT = defineQuery<NoParams, { engineDate: LocalDate | null; engineStages: number[] | null; candidatesTable: boolean }>({
  text: `select (select scanned_on::text from overdue_engine) as scanned_on, (select array_to_json(stages) from overdue_engine) as stages,
                set_config('work_mem', '64MB', true) as work_mem, to_regclass('pg_temp.overdue_candidates') is not null as candidates_table`,
  decode: (row) => ({
    engineDate: row.isNull('scanned_on') ? null : row.date('scanned_on'),
    engineStages: row.isNull('stages') ? null : (row.json('stages') as number[]),
    candidatesTable: row.bool('candidates_table'),
  }),
});

/**
 * After a judgement that rewrote many states (100,000 falling overdue at once): their old
 * versions would stay in the next-judgement index, and the planner would still see the old
 * dates, until autovacuum comes by (up to a minute). Not in a transaction.
 */
export const TIDY_STATES = defineStatement<NoParams>({
  text: 'vacuum (analyze) receivable_overdue_state',
});

/**
 * The engine's figures per customer, as of its date: the highest alarm stage its
 * receivables hold (null: none) and its overdue money (`amount`, the positions past their
 * effective due dates, notices and disputes included), for the customers whose ids the CTE
 * `target` lists (an `id` column). Kept by every judgement (overdue_customer_stage), so
 * reading them costs a few index rows per customer, however many receivables it has. A
 * customer the engine has never counted anything for has no row; before the first scan, none has.
 */
export const customerOverdueFiguresSql = (target: string): string => `
  select t.customer_id, max(t.stage) filter (where t.stage > 0 and t.receivables > 0) as stage, sum(t.amount) as amount
    from overdue_customer_stage t
   where t.customer_id in (select id from ${target})
   group by t.customer_id`;

/** The date the alarm state is valid for: the last scan's; none before the first scan. */
export const ENGINE_DATE = defineQuery<NoParams, LocalDate>({
  text: 'select scanned_on::text as scanned_on from overdue_engine',
  decode: (row) => row.date('scanned_on'),
});

const SCAN_COLUMNS = `id::text, as_of::text, previous_scan_on::text, judged, judged_late, judged_changed, became_overdue, escalated, cleared, overdue_count`;

function decodeScan(row: SqlRow): OverdueScanResult {
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
}

/** A scan as its log row keeps it (for SCAN_LOG_DAYS, when it judged something). */
export const SCAN_LOG = defineQuery<{ id: string }, OverdueScanResult>({
  text: `select ${SCAN_COLUMNS}, duration_ms from overdue_scan where id = cast(:id as bigint)`,
  decode: decodeScan,
});

/**
 * Closes a judgement's log row with its duration and answers its figures. A row that
 * judged nothing is not kept (the answer has no id to read it by); nor are rows older
 * than `days`.
 */
export const CLOSE_SCAN_LOG = defineQuery<{ scanId: string; durationMs: number; days: number }, OverdueScanResult>({
  text: `with closed as (
           update overdue_scan set duration_ms = :durationMs where id = cast(:scanId as bigint) and judged > 0
         ),
         pruned as (
           delete from overdue_scan
            where (id = cast(:scanId as bigint) and judged = 0)
               or (id <> cast(:scanId as bigint) and started_at < now() - make_interval(days => :days))
         )
         select ${SCAN_COLUMNS}, cast(:durationMs as int) as duration_ms from overdue_scan where id = cast(:scanId as bigint)`,
  decode: decodeScan,
});

/** One page of the receivables a scan judged, in its order. */
export const JUDGED_PAGE = defineQuery<{ scanId: string; offset: number; limit: number }, { id: string; position: number }>({
  text: `select j.id, j.n::int as position
           from overdue_scan s, unnest(s.judged_ids) with ordinality as j(id, n)
          where s.id = cast(:scanId as bigint) and j.n > :offset
          order by j.n limit :limit`,
  decode: (row) => ({ id: row.text('id'), position: row.int('position') }),
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
      receivableId: row.textOrNull('receivable_id'),
      customerId: row.text('customer_id'),
      salespersonId: row.text('salesperson_id'),
      customerOwnerId: row.text('owner_id'),
      promiseId: row.textOrNull('promise_id'),
      disputeId: row.textOrNull('dispute_id'),
      stage: row.intOrNull('stage'),
      previousStage: row.intOrNull('previous_stage'),
      daysOverdue: row.intOrNull('days_overdue'),
      outstanding: row.isNull('outstanding') ? null : row.cents('outstanding'),
      asOf: row.date('as_of'),
      state: row.textOrNull('state'),
      previousState: row.textOrNull('previous_state'),
      amount: row.isNull('amount') ? null : row.cents('amount'),
      detail: row.textOrNull('detail'),
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

// ── Events of the other areas ───────────────────────────────────────────────────

/**
 * Collection events to append, column by column (the i-th entry of each list is the i-th
 * event); an empty string stands for null (no receivable, salesperson, promise, dispute,
 * state, amount or detail).
 */
export interface AppendEventsParams {
  types: string[];
  customerIds: string[];
  receivableIds: string[];
  salespersonIds: string[];
  promiseIds: string[];
  disputeIds: string[];
  states: string[];
  previousStates: string[];
  amounts: string[];
  details: string[];
  asOfs: LocalDate[];
}

/**
 * Appends collection events (overdue.append.ts) in the order given and wakes every
 * instance's hub at commit, the way a judgement does, in one statement however many: a
 * scan's participants append one per promise judged and one per changed credit status, a
 * thousand on the day a cohort reaches a stage (each with a statement of its own, and the
 * triggers on the event table with it, that took seconds). The caller holds the scan lock,
 * so the sequence numbers are drawn as one block, as JUDGE draws them. Ids derive from the
 * sequence numbers like the judgement's; the salesperson is the given one, else the
 * receivable's, else the customer's owner now. An event whose customer does not exist, or
 * whose receivable is not that customer's, is not appended (and not answered: `n` says which were).
 */
export const APPEND_EVENTS = defineQuery<AppendEventsParams, { n: number; seq: string; id: string }>({
  text: `with input as (
           select e.n, e.type, cast(e.customer_id as uuid) as customer_id, cast(nullif(e.receivable_id, '') as uuid) as receivable_id,
                  cast(nullif(e.salesperson_id, '') as uuid) as salesperson_id, cast(nullif(e.promise_id, '') as uuid) as promise_id,
                  cast(nullif(e.dispute_id, '') as uuid) as dispute_id, nullif(e.state, '') as state, nullif(e.previous_state, '') as previous_state,
                  cast(nullif(e.amount, '') as numeric) as amount, nullif(e.detail, '') as detail, cast(e.as_of as date) as as_of
             from unnest(cast(:types as text[]), cast(:customerIds as text[]), cast(:receivableIds as text[]), cast(:salespersonIds as text[]),
                         cast(:promiseIds as text[]), cast(:disputeIds as text[]), cast(:states as text[]), cast(:previousStates as text[]),
                         cast(:amounts as text[]), cast(:details as text[]), cast(:asOfs as text[]))
                  with ordinality as e(type, customer_id, receivable_id, salesperson_id, promise_id, dispute_id, state, previous_state,
                                       amount, detail, as_of, n)
         ),
         checked as materialized (
           select i.n, i.type, r.id as receivable_id, c.id as customer_id, coalesce(i.salesperson_id, r.salesperson_id, c.owner_id) as salesperson_id,
                  i.promise_id, i.dispute_id, i.state, i.previous_state, i.amount, i.detail, i.as_of
             from input i
             join customer c on c.id = i.customer_id
             left join receivable r on r.id = i.receivable_id and r.customer_id = c.id
            where i.receivable_id is null or r.id is not null
         ),
         reserved as (
           select ${firstOfEventBlock('t.events')} as first_seq
             from (select count(*) as events from checked) t
            where t.events > 0
         ),
         numbered as (
           select r.first_seq + row_number() over (order by k.n) - 1 as seq, k.*
             from checked k cross join reserved r
         ),
         inserted as (
           insert into overdue_event (seq, id, type, receivable_id, customer_id, salesperson_id, promise_id, dispute_id,
                                      state, previous_state, amount, detail, as_of)
           select m.seq, ${eventIdOf('m.seq')}, m.type, m.receivable_id, m.customer_id,
                  m.salesperson_id, m.promise_id, m.dispute_id, m.state, m.previous_state, m.amount, m.detail, m.as_of
             from numbered m
           returning seq, id
         ),
         notified as (
           select pg_notify('${OVERDUE_CHANNEL}', (select max(i.seq) from inserted i)::text) from reserved
         )
         select m.n::int as n, m.seq::text as seq, i.id::text as id, (select count(*) from notified) as notified
           from inserted i join numbered m on m.seq = i.seq
          order by m.n`,
  decode: (row) => ({ n: row.int('n'), seq: row.text('seq'), id: row.text('id') }),
});
