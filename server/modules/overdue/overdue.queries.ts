/**
 * The overdue area's SQL: the scan (one set-based statement that judges, moves the
 * states and appends the events), what a scan needs around it, and reading the event
 * table: one SQL shape for the polling connection, the subscription replay and the
 * per-process fan-out, so all three see exactly the same events.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { defineQuery, NoParams, Where } from '../../db/sql';
import { encodeEventCursor } from './overdue.events';
import { OverdueEvent, OverdueEventFilter, OverdueEventType } from './overdue.types';

export interface ScanParams {
  asOf: LocalDate;
  /** Only these receivables; null: every one. */
  ids: readonly string[] | null;
  tz: string;
  /** Days past the effective due date at which each stage starts. */
  stages: readonly number[];
}

/**
 * Judges the candidates as of `asOf`: outstanding as of that date counts payments by the
 * date the money arrived, an open payment notice holds the alarm back, the stage is the
 * last threshold reached. Answers one row per event type written, with the last seq.
 */
export const SCAN = defineQuery<ScanParams, { type: OverdueEventType; count: number; lastSeq: string }>({
  text: `
with candidates as (
  -- Unpaid past the effective due date (partial index), plus everything overdue now.
  select r.id, r.customer_id, r.salesperson_id, r.amount, r.effective_due_on, r.written_off_at, r.written_off_amount,
         o.stage as overdue_stage, o.as_of as state_as_of
    from receivable r left join receivable_overdue_state o on o.receivable_id = r.id
   where r.outstanding > 0 and r.effective_due_on < cast(:asOf as date)
     and (cast(:ids as uuid[]) is null or r.id = any(cast(:ids as uuid[])))
  union
  select r.id, r.customer_id, r.salesperson_id, r.amount, r.effective_due_on, r.written_off_at, r.written_off_amount,
         o.stage, o.as_of
    from receivable_overdue_state o join receivable r on r.id = o.receivable_id
   where o.stage is not null and (cast(:ids as uuid[]) is null or o.receivable_id = any(cast(:ids as uuid[])))
),
judged as materialized (
  select c.*,
         (cast(:asOf as date) - c.effective_due_on) as days_past,
         c.amount
           - coalesce((select sum(a.amount) from payment_allocation a
                        where a.receivable_id = c.id and not a.voided and a.received_on <= cast(:asOf as date)), 0)
           - case when c.written_off_at is not null and (c.written_off_at at time zone :tz)::date <= cast(:asOf as date)
                  then c.written_off_amount else 0 end as outstanding_as_of,
         exists (select 1 from payment_notice n
                  where n.receivable_id = c.id and n.status = 'OPEN'
                    and n.created_on <= cast(:asOf as date) and n.hold_until >= cast(:asOf as date)) as held
    from candidates c
),
changed as materialized (
  select t.*,
         case when t.overdue_stage is null then 'BECAME_OVERDUE'
              when t.new_stage is null then 'CLEARED'
              else 'STAGE_ESCALATED' end as event_type
    from (
      select j.*,
             case when j.days_past >= 1 and j.outstanding_as_of > 0 and not j.held
                  then (select max(s) from unnest(cast(:stages as int[])) s where s <= j.days_past) end as new_stage
        from judged j
    ) t
   -- Stages only rise while overdue; a lower stage (a rescan of an earlier date) changes nothing.
   where t.new_stage is distinct from t.overdue_stage
     and (t.new_stage is null or t.overdue_stage is null or t.new_stage > t.overdue_stage)
     -- Alarms move forward with the business date: a scan of a date before the one a
     -- receivable was last judged for is a look back, not a change (no clearing, no re-raising).
     and (t.state_as_of is null or t.state_as_of <= cast(:asOf as date))
),
entered as (
  insert into receivable_overdue_state (receivable_id, stage, as_of)
  select id, new_stage, cast(:asOf as date) from changed where event_type = 'BECAME_OVERDUE'
  on conflict (receivable_id) do update set stage = excluded.stage, as_of = excluded.as_of
),
moved as (
  -- Escalated to a later stage, or cleared (stage null); the row keeps the date judged for.
  update receivable_overdue_state o set stage = ch.new_stage, as_of = cast(:asOf as date)
    from changed ch where o.receivable_id = ch.id and ch.event_type <> 'BECAME_OVERDUE'
),
inserted as (
  insert into overdue_event (id, type, receivable_id, customer_id, salesperson_id, stage, previous_stage,
                             days_overdue, outstanding, as_of)
  select gen_random_uuid(), ch.event_type, ch.id, ch.customer_id, ch.salesperson_id, ch.new_stage, ch.overdue_stage,
         greatest(ch.days_past, 0), greatest(ch.outstanding_as_of, 0), cast(:asOf as date)
    from changed ch
   order by ch.effective_due_on, ch.id
  returning seq, type
)
select type, count(*)::int as n, max(seq)::text as last_seq from inserted group by type
`,
  decode: (row) => ({ type: row.oneOf('type', OverdueEventType), count: row.int('n'), lastSeq: row.bigintText('last_seq') }),
});

/** The later of today and the latest date any of these receivables' state was judged for. */
export const REEVALUATION_DATE = defineQuery<{ today: LocalDate; ids: readonly string[] }, LocalDate>({
  text: `select greatest(coalesce(max(as_of), cast(:today as date)), cast(:today as date))::text as as_of from receivable_overdue_state where receivable_id = any(cast(:ids as uuid[]))`,
  decode: (row) => row.date('as_of'),
});

/** The channel scans NOTIFY and every instance's hub LISTENs on. */
export const OVERDUE_CHANNEL = 'huikuan_overdue_events';

/** Wakes every instance's hub when the transaction commits. */
export const NOTIFY = defineQuery<{ channel: string; payload: string }, true>({
  text: 'select pg_notify(:channel, :payload)',
  decode: () => true,
});

export const OVERDUE_COUNT = defineQuery<NoParams, number>({
  text: 'select count(*)::int as n from receivable_overdue_state where stage is not null',
  decode: (row) => row.int('n'),
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
