/**
 * The event stream's rules outside SQL: its cursors (the seq, opaque to clients) and who
 * sees which live event, the same visibility the event queries apply in SQL
 * (overdue.queries.ts).
 */
import { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { badInput, CoreErrorReason } from '../../core/errors';
import { OverdueEvent, OverdueEventFilter } from './overdue.types';

const CURSOR_PREFIX = 'oe:';

export function encodeEventCursor(seq: string): string {
  return Buffer.from(`${CURSOR_PREFIX}${seq}`).toString('base64url');
}

/** The seq after which to read; undefined for "from the start". */
export function decodeEventCursor(cursor: string | null | undefined): string | undefined {
  if (cursor === null || cursor === undefined) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX) || !/^\d{1,18}$/.test(text.slice(CURSOR_PREFIX.length))) {
    throw badInput('after', 'after is not a cursor of the overdue event stream', CoreErrorReason.INVALID_CURSOR);
  }
  return text.slice(CURSOR_PREFIX.length);
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
