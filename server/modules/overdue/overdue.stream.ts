/**
 * One subscriber's stream as graphql-js consumes it (each event executed for this
 * subscriber alone): what a subscription is without the fan-out (overdue.fanout.ts),
 * which takes over when graphql-ws hands it the socket. It replays stored events after
 * its cursor, then continues with live events from the hub. It registers with the hub before replaying and drops every
 * live event at or below the last one it delivered, so the seam between replay and live
 * has neither a gap nor a duplicate. Events go out in batches whose receivables,
 * customers and salespeople are loaded up front, a few statements per batch instead of
 * per event, each batch with fresh data.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import type { Loaders } from '../../context';
import { OverdueEventHub } from './overdue.hub';
import { eventVisible } from './overdue.events';
import { readEvents } from './overdue.queries';
import { OverdueEvent, OverdueEventFilter } from './overdue.types';

export const REPLAY_BATCH = 500;

/** A fresh EntityManager with its loaders, one per batch of events. */
export type UnitOfWork = () => { em: EntityManager; loaders: Loaders };

/** Loads what the events' field resolvers will ask for, and attaches it to them. */
export async function primeBatch(unitOfWork: UnitOfWork, events: OverdueEvent[]): Promise<OverdueEvent[]> {
  if (events.length === 0) return events;
  const { em: batchEm, loaders } = unitOfWork();
  const receivableIds = events.flatMap((e) => (e.receivableId === null ? [] : [e.receivableId]));
  await Promise.all([
    loaders.receivableById.loadMany(receivableIds),
    loaders.overdueStageOfReceivable.loadMany(receivableIds),
    loaders.customerById.loadMany(events.map((e) => e.customerId)),
    loaders.userById.loadMany(events.map((e) => e.salespersonId)),
  ]);
  for (const event of events) event.batch = { em: batchEm, loaders };
  return events;
}

/**
 * The stream as an async iterator whose `return()` takes effect at once: a generator
 * suspended while waiting for live events would only see `return()` after the next
 * event, so a quiet stream would keep its hub listener after the client has gone.
 */
export function overdueEventStream(
  hub: OverdueEventHub,
  em: EntityManager,
  unitOfWork: UnitOfWork,
  principal: Principal,
  /** Seq of the last event the subscriber has seen (decoded cursor); undefined: from the first event. */
  startSeq: string | undefined,
  filter: OverdueEventFilter | null | undefined,
): AsyncIterableIterator<OverdueEvent> {
  const state: StreamState = { closed: false, wakeUp: undefined, unsubscribe: undefined };
  const inner = run(hub, em, unitOfWork, principal, startSeq, filter, state);
  const close = () => {
    state.closed = true;
    state.unsubscribe?.();
    state.wakeUp?.();
  };
  const iterator: AsyncIterableIterator<OverdueEvent> = {
    next: () => inner.next(),
    return: async (value?: unknown) => {
      close();
      await inner.return(undefined);
      return { done: true, value: value as OverdueEvent };
    },
    throw: async (error?: unknown) => {
      close();
      return inner.throw(error);
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

interface StreamState {
  closed: boolean;
  wakeUp: (() => void) | undefined;
  unsubscribe: (() => void) | undefined;
}

async function* run(
  hub: OverdueEventHub,
  em: EntityManager,
  unitOfWork: UnitOfWork,
  principal: Principal,
  startSeq: string | undefined,
  filter: OverdueEventFilter | null | undefined,
  state: StreamState,
): AsyncGenerator<OverdueEvent> {
  const pending: OverdueEvent[] = [];
  state.unsubscribe = await hub.subscribe((events) => {
    pending.push(...events);
    state.wakeUp?.();
  });
  try {
    // Without a cursor the stream starts at the first stored event, like the connection.
    let last = BigInt(startSeq ?? '0');
    while (!state.closed) {
      const batch = await primeBatch(unitOfWork, await readEvents(em, { afterSeq: last.toString(), limit: REPLAY_BATCH, filter, principal }));
      for (const event of batch) {
        last = BigInt(event.seq);
        yield event;
      }
      if (batch.length < REPLAY_BATCH) break;
    }
    while (!state.closed) {
      while (pending.length > 0) {
        const fresh: OverdueEvent[] = [];
        for (const event of pending.splice(0, REPLAY_BATCH)) {
          if (BigInt(event.seq) <= last) continue;
          last = BigInt(event.seq);
          // The hub shares one object per event among subscribers: each gets its own copy.
          if (eventVisible(event, filter, principal)) fresh.push(Object.assign(new OverdueEvent(), event));
        }
        yield* await primeBatch(unitOfWork, fresh);
      }
      if (state.closed) break;
      await new Promise<void>((resolve) => {
        state.wakeUp = resolve;
        if (pending.length > 0 || state.closed) resolve();
      });
      state.wakeUp = undefined;
    }
  } finally {
    state.unsubscribe?.();
  }
}
