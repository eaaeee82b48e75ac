/**
 * Live overdue events to every graphql-ws subscriber of this process, with the work
 * shared. Per batch the hub hands over, the fan-out:
 *
 * 1. decides in memory which subscriber takes which event: after its position, within
 *    its filter and its visibility (`eventVisible`, the rule the event queries apply in
 *    SQL), once per (owner scope, filter, position), so no subscriber costs a statement
 *    and a thousand alike cost one decision;
 * 2. loads the related rows (receivables, stages, customers, salespeople) once, for the
 *    events anyone takes, into one unit of work;
 * 3. executes the selection set once per event and *answer key*: the subscription's
 *    document and variables without the root field's arguments (which only pick events;
 *    core/shared-subscription.ts), and the caller's scope (`answerScope`);
 * 4. sends the same JSON text to every socket of that key; where the transport can take
 *    ready-made frames (`FrameWriter`), the batch's messages are framed once for all
 *    live subscribers that take the same events with the same answers and subscription
 *    id, and the same bytes are written to each of their sockets.
 *
 * Each subscriber is either live (the fan-out writes to its socket) or catching up (it
 * reads the event table itself, from its own position, at its socket's pace; what
 * arrives live meanwhile waits in a bounded queue of answers already made). A new
 * subscriber catches up from its cursor first. A live subscriber whose socket holds more
 * than HIGH_WATER_BYTES unsent (a slow or stalled reader) is not written to any more: it
 * falls back to catching up, which waits until the socket has drained below
 * LOW_WATER_BYTES, then replays from the table. So a slow socket costs this process at
 * most about HIGH_WATER_BYTES plus one batch, never a queue that grows, and it neither
 * loses an event nor holds up anyone else; a socket that stops reading altogether stops
 * answering graphql-ws's keep-alive pings and is closed by it.
 */
import { execute } from 'graphql';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { Context } from '../../context';
import type { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { type FrameWriter, SHARED_DELIVERY, type SharedDelivery, type SharedDeliveryTarget, type SharedStream } from '../../core/shared-subscription';
import { eventVisible } from './overdue.events';
import { OverdueEventHub } from './overdue.hub';
import { readEvents } from './overdue.queries';
import { overdueEventStream, primeBatch, REPLAY_BATCH, type UnitOfWork } from './overdue.stream';
import { OverdueEvent, OverdueEventFilter } from './overdue.types';

/** Unsent bytes at which a live subscriber stops being written to and catches up from the table instead. */
export const HIGH_WATER_BYTES = 128 * 1024;
/** Unsent bytes below which a catching-up subscriber's socket takes the next events. */
const LOW_WATER_BYTES = 32 * 1024;
/** Answers written to one socket in one system call, about. */
const CHUNK_BYTES = 64 * 1024;
/** Answers held for a subscriber while it catches up; beyond, it reads them from the table too. */
const MAX_PENDING = 1000;
const DRAIN_POLL_MS = 20;

/**
 * What an answer can depend on besides the event and the document: the role (field
 * permissions, e.g. allocations are FORBIDDEN to INTEGRATION) and the SALES owner scope.
 * Nothing reachable from OverdueEvent reads any other part of the principal.
 */
function answerScope(principal: Principal): string {
  return `${principal.role}:${ownerScope(principal) ?? '*'}`;
}

/** One subscription: who, which events, where its answers go, and how far it has got. */
class Subscriber {
  state: 'catching-up' | 'live' = 'catching-up';
  /** Seq of the last event delivered or passed over. */
  last: bigint;
  /** Answers that came live while catching up, in seq order. */
  pending: { seq: bigint; payload: string }[] = [];
  /** Live answers were dropped while catching up: the table has them. */
  overflowed = false;
  closed = false;
  readonly answerKey: string;
  /** Equal for subscribers that take the same events from a batch when at the same position: the owner scope and the filter (`eventVisible`). */
  readonly selectionKey: string;
  private wakeUp: (() => void) | undefined;

  constructor(
    readonly request: OverdueSubscriptionRequest,
    readonly target: SharedDeliveryTarget,
    private readonly onFallBehind: () => void,
  ) {
    this.last = BigInt(request.startSeq ?? '0');
    this.answerKey = `${answerScope(request.principal)}\n${target.shareKey}`;
    this.selectionKey = `${ownerScope(request.principal) ?? '*'}\n${JSON.stringify(request.filter ?? null)}`;
  }

  /**
   * One batch's answers for this subscriber. Live: written in runs of about CHUNK_BYTES
   * (one system call each) while the socket holds at most HIGH_WATER_BYTES unsent; past
   * that it turns back to catching up, so a socket never holds much more than that plus
   * one run. Catching up: kept for later, up to MAX_PENDING.
   */
  deliver(answers: { seq: bigint; payload: string }[]): void {
    const { sink } = this.target;
    let next = 0;
    while (this.state === 'live' && next < answers.length) {
      if (sink.bufferedBytes() > HIGH_WATER_BYTES) {
        this.state = 'catching-up';
        this.overflowed = true;
        this.onFallBehind();
        this.wake();
        return;
      }
      sink.corked(() => {
        for (let bytes = 0; next < answers.length && bytes < CHUNK_BYTES; next++) {
          const { seq, payload } = answers[next];
          if (seq <= this.last) continue;
          sink.next(payload);
          this.last = seq;
          bytes += payload.length;
        }
      });
    }
    if (this.state === 'live') return;
    for (const answer of answers) {
      if (this.overflowed) return;
      if (answer.seq <= this.last) continue;
      if (this.pending.length >= MAX_PENDING) {
        this.overflowed = true;
        this.pending = [];
      } else {
        this.pending.push(answer);
      }
    }
  }

  /**
   * One batch's answers, framed once for every subscriber that takes the same events
   * with the same answers and frame key: written run by run while the socket holds at
   * most HIGH_WATER_BYTES unsent, as `deliver` does; past that it catches up instead.
   */
  deliverFrames(runs: readonly FrameRun[], frames: FrameWriter): void {
    const { sink } = this.target;
    let fellBehind = false;
    // The runs taken leave in one system call; a corked run counts as unsent.
    sink.corked(() => {
      for (const run of runs) {
        if (sink.bufferedBytes() > HIGH_WATER_BYTES) {
          fellBehind = true;
          return;
        }
        frames.write(run.bytes);
        this.last = run.lastSeq;
      }
    });
    if (!fellBehind) return;
    this.state = 'catching-up';
    this.overflowed = true;
    this.onFallBehind();
    this.wake();
  }

  /** A batch is done: a live subscriber has passed every event of it. */
  passed(seq: bigint): void {
    if (this.state === 'live' && seq > this.last) this.last = seq;
  }

  wake(): void {
    this.wakeUp?.();
  }

  sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
      this.wakeUp = () => {
        if (timer) clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
    });
  }
}

/** Answers framed for sockets: about CHUNK_BYTES of whole messages, and the seq of the last. */
interface FrameRun {
  bytes: Uint8Array;
  lastSeq: bigint;
}

/** The answers in runs of about CHUNK_BYTES, each framed as one buffer. */
function frameRuns(frames: FrameWriter, answers: readonly { seq: bigint; payload: Uint8Array }[]): FrameRun[] {
  const runs: FrameRun[] = [];
  for (let start = 0; start < answers.length;) {
    let end = start;
    for (let bytes = 0; end < answers.length && bytes < CHUNK_BYTES; end++) bytes += answers[end].payload.length;
    runs.push({ bytes: frames.make(answers.slice(start, end).map((a) => a.payload)), lastSeq: answers[end - 1].seq });
    start = end;
  }
  return runs;
}

/** What the subscription resolver passes of its context. */
export interface OverdueCaller {
  /** A unit of work for one batch or replay page. */
  unitOfWork: UnitOfWork;
  /** A context for the same caller on a given unit of work (the answers to a batch). */
  sibling(scope: { em: EntityManager; loaders: Context['loaders'] }): Context;
}

export interface OverdueSubscriptionRequest extends OverdueCaller {
  principal: Principal;
  /** Seq of the last event the subscriber has seen; undefined: from the first event. */
  startSeq: string | undefined;
  filter: OverdueEventFilter | null | undefined;
  /** Reads the subscriber's replay pages. */
  em: EntityManager;
}

export class OverdueFanOut {
  private readonly subscribers = new Set<Subscriber>();
  private unsubscribe: (() => void) | undefined;
  private registering: Promise<void> | undefined;

  constructor(
    readonly hub: OverdueEventHub,
    private readonly logger: Logger,
    /** Counts live subscribers that fell too far behind (a metric). */
    private readonly onFallBehind: () => void = () => undefined,
  ) {}

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /** Whether the fan-out is one of the hub's listeners now. */
  get listening(): boolean {
    return this.unsubscribe !== undefined;
  }

  /** The stream the subscription resolver returns. */
  subscription(request: OverdueSubscriptionRequest): SharedStream {
    return {
      [SHARED_DELIVERY]: (target) => this.deliver(request, target),
      // Without a socket to take over (graphql-js's own subscribe): one event at a time, as before the fan-out.
      [Symbol.asyncIterator]: () => overdueEventStream(this.hub, request.em, request.unitOfWork, request.principal, request.startSeq, request.filter),
    };
  }

  private deliver(request: OverdueSubscriptionRequest, target: SharedDeliveryTarget): SharedDelivery {
    const subscriber = new Subscriber(request, target, this.onFallBehind);
    const ended = this.run(subscriber).finally(() => this.remove(subscriber));
    // graphql-ws learns of a failure through `ended`; this only keeps it from being unhandled when it stopped first.
    ended.catch(() => undefined);
    return {
      ended,
      stop: () => {
        subscriber.closed = true;
        subscriber.wake();
        this.remove(subscriber);
      },
    };
  }

  /** A subscriber's own work: catching up whenever it is not live. */
  private async run(subscriber: Subscriber): Promise<void> {
    // Registered before the first read of the table: nothing committed from now on can fall between the two.
    this.subscribers.add(subscriber);
    await this.listen();
    while (!subscriber.closed) {
      if (subscriber.state === 'live') {
        await subscriber.sleep();
        continue;
      }
      while (!subscriber.closed && subscriber.target.sink.bufferedBytes() > LOW_WATER_BYTES) await subscriber.sleep(DRAIN_POLL_MS);
      if (subscriber.closed) return;
      subscriber.overflowed = false;
      const read = await this.replayPage(subscriber);
      if (read === REPLAY_BATCH || subscriber.overflowed) continue;
      // The table had nothing more when read; what came live since is pending. Going live happens without a pause in between.
      subscriber.target.sink.corked(() => {
        for (const { seq, payload } of subscriber.pending.splice(0)) {
          if (seq > subscriber.last) {
            subscriber.target.sink.next(payload);
            subscriber.last = seq;
          }
        }
      });
      subscriber.state = 'live';
    }
  }

  /** One page of the table after the subscriber's position, answered for it alone; returns how many events were read. */
  private async replayPage(subscriber: Subscriber): Promise<number> {
    const { request, target } = subscriber;
    const events = await readEvents(request.em, {
      afterSeq: subscriber.last.toString(),
      limit: REPLAY_BATCH,
      filter: request.filter,
      principal: request.principal,
    });
    await primeBatch(request.unitOfWork, events);
    for (const event of events) {
      while (!subscriber.closed && target.sink.bufferedBytes() > HIGH_WATER_BYTES) await subscriber.sleep(DRAIN_POLL_MS);
      if (subscriber.closed) break;
      const result = await execute({ ...target.execution, rootValue: event });
      if (subscriber.closed) break;
      target.sink.next(target.encode(result));
      subscriber.last = BigInt(event.seq);
    }
    return events.length;
  }

  /** One batch from the hub, answered once per answer key. */
  private readonly onBatch = async (events: OverdueEvent[]): Promise<void> => {
    const seqs = events.map((e) => BigInt(e.seq));
    const takes = new Map<Subscriber, number[]>();
    const groups = new Map<string, { representative: Subscriber; events: Set<number>; merged: Set<number[]> }>();
    // Which events a subscriber takes depends on its selection key and position only: decided once per pair.
    const selections = new Map<string, number[]>();
    for (const subscriber of this.subscribers) {
      if (subscriber.closed || (subscriber.state === 'catching-up' && subscriber.overflowed)) continue;
      const selection = `${subscriber.selectionKey}\n${subscriber.last}`;
      let mine = selections.get(selection);
      if (!mine) {
        const { filter, principal } = subscriber.request;
        mine = [];
        for (let i = 0; i < events.length; i++) {
          if (seqs[i] > subscriber.last && eventVisible(events[i], filter, principal)) mine.push(i);
        }
        selections.set(selection, mine);
      }
      takes.set(subscriber, mine);
      if (mine.length === 0) continue;
      let group = groups.get(subscriber.answerKey);
      if (!group) groups.set(subscriber.answerKey, (group = { representative: subscriber, events: new Set(), merged: new Set() }));
      if (group.merged.has(mine)) continue;
      group.merged.add(mine);
      for (const i of mine) group.events.add(i);
    }

    const answers = new Map<string, string[]>();
    if (groups.size > 0) {
      const wanted = new Set<number>();
      for (const group of groups.values()) for (const i of group.events) wanted.add(i);
      const first = groups.values().next().value!.representative;
      const needed = [...wanted].sort((a, b) => a - b).map((i) => events[i]);
      const unit = first.request.unitOfWork();
      await primeBatch(() => unit, needed);
      await Promise.all(
        [...groups].map(async ([key, { representative, events: indexes }]) => {
          const context = representative.request.sibling(unit);
          const texts: string[] = [];
          answers.set(key, texts);
          await Promise.all(
            [...indexes].map(async (i) => {
              const result = await execute({ ...representative.target.execution, contextValue: context, rootValue: events[i] });
              texts[i] = representative.target.encode(result);
            }),
          );
        }),
      );
    }

    // Subscribers that closed or changed state meanwhile: `deliver` looks at their state now.
    // A live subscriber that has passed none of its events takes frames made once for all
    // who take the same events with the same answers and the same framing.
    const lastSeq = seqs[seqs.length - 1];
    const utf8 = new Map<string, Uint8Array[]>();
    const framed = new Map<string, FrameRun[]>();
    const joined = new Map<number[], string>();
    for (const [subscriber, mine] of takes) {
      if (subscriber.closed) continue;
      const texts = answers.get(subscriber.answerKey);
      const { frames } = subscriber.target.sink;
      if (frames && subscriber.state === 'live' && mine.length > 0 && seqs[mine[0]] > subscriber.last) {
        let taken = joined.get(mine);
        if (taken === undefined) joined.set(mine, (taken = mine.join(',')));
        const key = `${subscriber.answerKey}\n${frames.key}\n${taken}`;
        let runs = framed.get(key);
        if (!runs) {
          let bytes = utf8.get(subscriber.answerKey);
          if (!bytes) utf8.set(subscriber.answerKey, (bytes = []));
          const encoded = bytes;
          runs = frameRuns(
            frames,
            mine.map((i) => ({ seq: seqs[i], payload: (encoded[i] ??= Buffer.from(texts![i])) })),
          );
          framed.set(key, runs);
        }
        subscriber.deliverFrames(runs, frames);
      } else {
        subscriber.deliver(mine.map((i) => ({ seq: seqs[i], payload: texts![i] })));
      }
      subscriber.passed(lastSeq);
    }
  };

  private async listen(): Promise<void> {
    if (this.unsubscribe) return;
    this.registering ??= this.hub.subscribe(this.onBatch).then(
      (unsubscribe) => {
        this.unsubscribe = unsubscribe;
        this.registering = undefined;
        if (this.subscribers.size === 0) this.release();
      },
      (error: unknown) => {
        this.registering = undefined;
        throw error;
      },
    );
    await this.registering;
  }

  private remove(subscriber: Subscriber): void {
    if (!this.subscribers.delete(subscriber)) return;
    if (this.subscribers.size === 0) this.release();
  }

  /** While nobody subscribes the hub reads nothing. */
  private release(): void {
    if (this.registering) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.logger.debug('overdue fan-out idle');
  }
}
