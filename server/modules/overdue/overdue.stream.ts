/**
 * One subscriber's stream: replays stored events after its cursor, then continues with
 * live events from the hub. It registers with the hub before replaying and drops every
 * live event at or below the last one it delivered, so the seam between replay and live
 * has neither a gap nor a duplicate. Events go out in batches whose receivables,
 * customers and salespeople are loaded up front, a few statements per batch instead of
 * per event, each batch with fresh data.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { createLoaders } from '../../loaders';
import { OverdueEventHub } from './overdue.hub';
import { eventVisible, readEvents } from './overdue.events';
import { OverdueEvent, OverdueEventFilter } from './overdue.types';

const REPLAY_BATCH = 500;

/** Loads what the events' field resolvers will ask for, and attaches it to them. */
async function primeBatch(em: EntityManager, events: OverdueEvent[]): Promise<OverdueEvent[]> {
  if (events.length === 0) return events;
  const batchEm = em.fork();
  const loaders = createLoaders(batchEm);
  const receivableIds = events.map((e) => e.receivableId);
  await Promise.all([
    loaders.receivableById.loadMany(receivableIds),
    loaders.overdueStageOfReceivable.loadMany(receivableIds),
    loaders.customerById.loadMany(events.map((e) => e.customerId)),
    loaders.userById.loadMany(events.map((e) => e.salespersonId)),
  ]);
  for (const event of events) event.batch = { em: batchEm, loaders };
  return events;
}

export async function* overdueEventStream(
  hub: OverdueEventHub,
  em: EntityManager,
  principal: Principal,
  /** Seq of the last event the subscriber has seen (decoded cursor); undefined: from the first event. */
  startSeq: string | undefined,
  filter: OverdueEventFilter | null | undefined,
): AsyncGenerator<OverdueEvent> {
  const pending: OverdueEvent[] = [];
  let wakeUp: (() => void) | undefined;
  const unsubscribe = await hub.subscribe((event) => {
    pending.push(event);
    wakeUp?.();
  });
  try {
    // Without a cursor the stream starts at the first stored event, like the connection.
    let last = BigInt(startSeq ?? '0');
    for (;;) {
      const batch = await primeBatch(em, await readEvents(em, { afterSeq: last.toString(), limit: REPLAY_BATCH, filter, principal }));
      for (const event of batch) {
        last = BigInt(event.seq);
        yield event;
      }
      if (batch.length < REPLAY_BATCH) break;
    }
    for (;;) {
      while (pending.length > 0) {
        const fresh: OverdueEvent[] = [];
        for (const event of pending.splice(0, REPLAY_BATCH)) {
          if (BigInt(event.seq) <= last) continue;
          last = BigInt(event.seq);
          // The hub shares one object per event among subscribers: each gets its own copy.
          if (eventVisible(event, filter, principal)) fresh.push(Object.assign(new OverdueEvent(), event));
        }
        yield* await primeBatch(em, fresh);
      }
      await new Promise<void>((resolve) => {
        wakeUp = resolve;
        if (pending.length > 0) resolve();
      });
      wakeUp = undefined;
    }
  } finally {
    unsubscribe();
  }
}
