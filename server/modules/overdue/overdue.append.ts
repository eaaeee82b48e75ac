/**
 * How the areas above the engine (promises, disputes, credit) put their events into the
 * one stream: `appendOverdueEvent`, inside their own transaction. The event is stored in
 * `overdue_event` with the next sequence number and every instance's hub is woken at
 * commit (NOTIFY), exactly like the engine's alarms, so subscribers, the polling
 * connection and the replay see it in the same order.
 *
 * Order is commit order because every writer of events takes the engine's advisory lock
 * (SCAN_LOCK) exclusively until its transaction ends: a sequence number taken by one
 * transaction can never commit after a higher one a reader has already passed.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { formatMoney, type Cents } from '../../core/money';
import { lockForTransaction } from '../../db/locks';
import { APPEND_EVENT, SCAN_LOCK } from './overdue.queries';
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
  if (ALARM_EVENT_TYPES.includes(event.type)) throw new Error(`${event.type} events are written by the overdue engine only`);
  await lockEventStream(em);
  const appended = await APPEND_EVENT.maybeOne(em, {
    type: event.type,
    customerId: event.customerId,
    receivableId: event.receivableId ?? null,
    salespersonId: event.salespersonId ?? null,
    promiseId: event.promiseId ?? null,
    disputeId: event.disputeId ?? null,
    state: event.state ?? null,
    previousState: event.previousState ?? null,
    amount: event.amount === null || event.amount === undefined ? null : formatMoney(event.amount),
    detail: event.detail ?? null,
    asOf: event.asOf,
  });
  if (!appended) throw new Error(`no event appended: customer ${event.customerId} or its receivable ${event.receivableId ?? ''} does not exist`);
  return appended;
}
