/**
 * One subscriber's stream: replays stored events after its cursor, then continues with
 * live events from the hub. It registers with the hub before replaying and drops every
 * live event at or below the last one it delivered, so the seam between replay and live
 * has neither a gap nor a duplicate.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { OverdueEventHub } from './overdue.hub';
import { eventVisible, readEvents } from './overdue.events';
import { OverdueEvent, OverdueEventFilter } from './overdue.types';

const REPLAY_BATCH = 500;

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
      const batch = await readEvents(em, { afterSeq: last.toString(), limit: REPLAY_BATCH, filter, principal });
      for (const event of batch) {
        last = BigInt(event.seq);
        yield event;
      }
      if (batch.length < REPLAY_BATCH) break;
    }
    for (;;) {
      while (pending.length > 0) {
        const event = pending.shift()!;
        if (BigInt(event.seq) <= last) continue;
        last = BigInt(event.seq);
        if (eventVisible(event, filter, principal)) yield event;
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
