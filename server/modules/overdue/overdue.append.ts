/**
 * How the areas above the engine (promises, disputes, credit) put their events into the
 * one stream: `appendOverdueEvent` (or `appendOverdueEvents`, many in one statement),
 * inside their own transaction. An event is stored in `overdue_event` with the next
 * sequence number and every instance's hub is woken at commit (NOTIFY), exactly like the
 * engine's alarms, so subscribers, the polling connection and the replay see it in the
 * same order.
 *
 * Order is commit order because every writer of events takes the engine's advisory lock
 * (SCAN_LOCK) exclusively until its transaction ends: a sequence number taken by one
 * transaction can never commit after a higher one a reader has already passed.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { formatMoney, type Cents } from '../../core/money';
import { lockForTransaction } from '../../db/locks';
import { APPEND_EVENTS, SCAN_LOCK } from './overdue.queries';
import { ALARM_EVENT_TYPES, OverdueEventType } from './overdue.types';

/** A collection event to append: about a customer, optionally one of its receivables. */
export interface CollectionEventInput {
  type: Exclude<OverdueEventType, OverdueEventType.BECAME_OVERDUE | OverdueEventType.STAGE_ESCALATED | OverdueEventType.CLEARED>;
  customerId: string;
  /** The receivable, when the event is about one (a dispute); it must belong to the customer. */
  receivableId?: string | null;
  /** Default: the receivable's salesperson, else the customer's owner now. */
  salespersonId?: string | null;
  promiseId?: string | null;
  disputeId?: string | null;
  /** The state after the event (a promise's, a dispute's, a credit status) and before it. */
  state?: string | null;
  previousState?: string | null;
  amount?: Cents | null;
  /** A sentence for people. */
  detail?: string | null;
  /** The business date the event belongs to (the date judged, or the day it was recorded). */
  asOf: LocalDate;
}

/**
 * Takes the event stream's lock for the rest of the transaction (`appendOverdueEvent`
 * takes it itself). Lock order: take it **last**, after the transaction's row locks
 * (inserts referencing a customer or receivable lock those rows too). Ledger writers
 * (bookings, voids, write-offs, notices) lock their rows first and then take this lock
 * shared in their triggers; a transaction that held this lock and then waited for such a
 * row would deadlock with them. So append events as the last step of a transaction. A
 * transaction that changes ledger rows itself already holds the lock shared (its
 * triggers) and upgrades it here; two of them at once deadlock and PostgreSQL aborts one
 * (40P01): keep such transactions rare, or put the ledger change and the event in
 * transactions of their own.
 */
export async function lockEventStream(em: EntityManager): Promise<void> {
  if (!em.isInTransaction()) throw new Error('the event stream is written inside a transaction only');
  await lockForTransaction(em, SCAN_LOCK);
}

/**
 * Appends one event in the caller's transaction (`em` must be the transaction's); it is
 * published when that transaction commits, and never if it rolls back. Waits for a
 * running scan. Answers the event's sequence number and id.
 */
export async function appendOverdueEvent(em: EntityManager, event: CollectionEventInput): Promise<{ seq: string; id: string }> {
  const [appended] = await appendOverdueEvents(em, [event]);
  return appended;
}

/**
 * Appends events in the order given, as `appendOverdueEvent` does one, in one statement:
 * what a scan's participant appends for many customers at once. Answers their sequence
 * numbers and ids, in the same order.
 */
export async function appendOverdueEvents(em: EntityManager, events: readonly CollectionEventInput[]): Promise<{ seq: string; id: string }[]> {
  if (events.length === 0) return [];
  for (const event of events) {
    if (ALARM_EVENT_TYPES.includes(event.type)) throw new Error(`${event.type} events are written by the overdue engine only`);
  }
  await lockEventStream(em);
  const column = (pick: (event: CollectionEventInput) => string | null | undefined) => events.map((event) => pick(event) ?? '');
  const appended = await APPEND_EVENTS.all(em, {
    types: column((e) => e.type),
    customerIds: column((e) => e.customerId),
    receivableIds: column((e) => e.receivableId),
    salespersonIds: column((e) => e.salespersonId),
    promiseIds: column((e) => e.promiseId),
    disputeIds: column((e) => e.disputeId),
    states: column((e) => e.state),
    previousStates: column((e) => e.previousState),
    amounts: column((e) => (e.amount === null || e.amount === undefined ? null : formatMoney(e.amount))),
    details: column((e) => e.detail),
    asOfs: column((e) => e.asOf),
  });
  if (appended.length !== events.length) {
    const missing = events.find((_, i) => appended[i]?.n !== i + 1) ?? events[0];
    throw new Error(`no event appended: customer ${missing.customerId} or its receivable ${missing.receivableId ?? ''} does not exist`);
  }
  return appended.map(({ seq, id }) => ({ seq, id }));
}
