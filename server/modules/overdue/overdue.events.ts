/**
 * Reading the event table: one SQL shape for the polling connection, the subscription
 * replay and the per-process fan-out, so all three see exactly the same events.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { badInput } from '../../core/errors';
import { centsFromNumeric } from '../../core/money';
import { Where } from '../../db/sql';
import { OverdueEvent, OverdueEventFilter, OverdueEventType } from './overdue.types';

interface EventRow {
  seq: string;
  id: string;
  type: OverdueEventType;
  receivable_id: string;
  customer_id: string;
  salesperson_id: string;
  owner_id: string;
  stage: number | null;
  previous_stage: number | null;
  days_overdue: number;
  outstanding: string;
  as_of: string;
  /** Milliseconds since the epoch (the ORM's driver hands timestamps over as text). */
  occurred_ms: string;
}

const CURSOR_PREFIX = 'oe:';

export function encodeEventCursor(seq: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

/** The seq after which to read; undefined for "from the start". */
export function decodeEventCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || !/^\d{1,18}$/.test(text.slice(CURSOR_PREFIX.length))) {
    throw badInput('after', 'after is not a cursor of the overdue event stream', 'INVALID_CURSOR');
  }
  return text.slice(CURSOR_PREFIX.length);
}

function toEvent(row: EventRow): OverdueEvent {
  return Object.assign(new OverdueEvent(), {
    seq: String(row.seq),
    id: row.id,
    cursor: encodeEventCursor(String(row.seq)),
    type: row.type,
    receivableId: row.receivable_id,
    customerId: row.customer_id,
    salespersonId: row.salesperson_id,
    customerOwnerId: row.owner_id,
    stage: row.stage,
    previousStage: row.previous_stage,
    daysOverdue: row.days_overdue,
    outstanding: centsFromNumeric(row.outstanding),
    asOf: row.as_of,
    occurredAt: new Date(Number(row.occurred_ms)),
  });
}

/** Whether an event passes a filter and the caller's visibility (used for live events). */
export function eventVisible(event: OverdueEvent, filter: OverdueEventFilter | null | undefined, principal: Principal): boolean {
  const scope = ownerScope(principal);
  if (scope && event.customerOwnerId !== scope) return false;
  if (!filter) return true;
  if (filter.customerId && event.customerId !== filter.customerId) return false;
  if (filter.salespersonId && event.salespersonId !== filter.salespersonId) return false;
  if (filter.types && filter.types.length > 0 && !filter.types.includes(event.type)) return false;
  if (filter.minStage && Math.max(event.stage ?? 0, event.previousStage ?? 0) < filter.minStage) return false;
  return true;
}

export interface EventQuery {
  afterSeq?: string;
  limit: number;
  filter?: OverdueEventFilter | null;
  /** Restricts to what this caller may see; omitted for the fan-out, which filters per subscriber. */
  principal?: Principal;
}

function eventWhere(q: Omit<EventQuery, 'limit'>): Where {
  const where = new Where();
  if (q.afterSeq) where.add('e.seq > ?::bigint', q.afterSeq);
  if (q.principal) {
    const scope = ownerScope(q.principal);
    if (scope) where.add('c.owner_id = ?', scope);
  }
  const f = q.filter;
  // Ids from clients: one that is no uuid matches nothing instead of failing in PostgreSQL.
  if (f?.customerId) where.addIdEquals('e.customer_id', f.customerId);
  if (f?.salespersonId) where.addIdEquals('e.salesperson_id', f.salespersonId);
  if (f?.types && f.types.length > 0) where.add(`e.type in (${f.types.map(() => '?').join(', ')})`, ...f.types);
  if (f?.minStage) where.add('greatest(coalesce(e.stage, 0), coalesce(e.previous_stage, 0)) >= ?', f.minStage);
  return where;
}

const EVENTS_FROM = 'from overdue_event e join customer c on c.id = e.customer_id';

export async function readEvents(em: EntityManager, q: EventQuery): Promise<OverdueEvent[]> {
  const where = eventWhere(q);
  const rows: EventRow[] = await em.execute(
    `select e.*, c.owner_id, (extract(epoch from e.occurred_at) * 1000)::bigint as occurred_ms ${EVENTS_FROM} where ${where.sql} order by e.seq limit ${Math.floor(q.limit)}`,
    where.params,
  );
  return rows.map(toEvent);
}

/** Events matching the filter and visible to the caller, regardless of the cursor. */
export async function countEvents(em: EntityManager, q: Omit<EventQuery, 'limit' | 'afterSeq'>): Promise<number> {
  const where = eventWhere(q);
  const rows: { n: string }[] = await em.execute(`select count(*) as n ${EVENTS_FROM} where ${where.sql}`, where.params);
  return Number(rows[0].n);
}

export async function latestEventSeq(em: EntityManager): Promise<string> {
  const rows: { seq: string | null }[] = await em.execute('select max(seq) as seq from overdue_event');
  return String(rows[0].seq ?? '0');
}
