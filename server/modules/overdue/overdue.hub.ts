/**
 * Per-process fan-out of overdue events. One dedicated connection LISTENs on the
 * channel; a NOTIFY (sent by any instance's scan at commit) is only a wake-up: the hub
 * then reads every event after the last one it saw from the table, in order, and hands
 * them, a batch at a time, to the local listeners (the fan-out, overdue.fanout.ts). A
 * batch counts as read once every listener has taken it: a listener that fails (the
 * database busy while it loads the batch's rows) gets the same batch again at the next
 * wake-up. A slow poll covers a lost notification or a dropped listening connection, so
 * no event depends on in-process memory or on NOTIFY arriving.
 */
import { MikroORM } from '@mikro-orm/postgresql';
import { Client } from 'pg';
import type { Logger } from 'pino';
import { latestEventSeq, OVERDUE_CHANNEL, readEvents } from './overdue.queries';
import { OverdueEvent } from './overdue.types';

/** Takes one batch of events in seq order; the hub reads the next batch once it has settled. */
type Listener = (events: OverdueEvent[]) => void | Promise<void>;

const BATCH = 500;
const FALLBACK_POLL_MS = 2000;
const RECONNECT_MS = 1000;

export class OverdueEventHub {
  private readonly listeners = new Set<Listener>();
  private lastSeq = '0';
  private client: Client | undefined;
  private pumping: Promise<void> | undefined;
  private pumpAgain = false;
  private poll: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly databaseUrl: string,
    private readonly logger: Logger,
  ) {}

  get subscriberCount(): number {
    return this.listeners.size;
  }

  async start(): Promise<void> {
    this.lastSeq = await latestEventSeq(this.orm.em.fork());
    await this.listen();
    this.poll = setInterval(() => this.wake(), FALLBACK_POLL_MS);
    this.poll.unref();
  }

  /** Retries until the database takes the connection again (it may be down for a while). */
  private listenLater(): void {
    setTimeout(() => void this.listen().catch(() => this.listenLater()), RECONNECT_MS).unref();
  }

  private async listen(): Promise<void> {
    if (this.stopped) return;
    const client = new Client({ connectionString: this.databaseUrl });
    client.on('notification', () => this.wake());
    client.on('error', (err) => {
      this.logger.warn({ err }, 'overdue event listener lost its connection; reconnecting');
      void client.end().catch(() => undefined);
      if (this.client === client) this.client = undefined;
      this.listenLater();
    });
    try {
      await client.connect();
      await client.query(`listen ${OVERDUE_CHANNEL}`);
    } catch (e) {
      // The caller retries; this client's own error handler must not retry as well.
      client.removeAllListeners('error');
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      throw e;
    }
    this.client = client;
    this.wake(); // catch up on anything committed while not listening
  }

  /**
   * Registers a listener for every event committed from now on. While nobody listens
   * the hub reads nothing, so the first listener first moves the hub's position to the
   * newest stored event; the caller replays anything older from the table afterwards.
   */
  async subscribe(listener: Listener): Promise<() => void> {
    if (this.listeners.size === 0) {
      const latest = await latestEventSeq(this.orm.em.fork());
      if (BigInt(latest) > BigInt(this.lastSeq)) this.lastSeq = latest;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Reads new events; concurrent wake-ups coalesce into one more pass. */
  wake(): void {
    if (this.stopped || this.listeners.size === 0) return;
    if (this.pumping) {
      this.pumpAgain = true;
      return;
    }
    this.pumping = this.pump()
      .catch((err) => this.logger.error({ err }, 'reading overdue events failed'))
      .finally(() => {
        this.pumping = undefined;
        if (this.pumpAgain) {
          this.pumpAgain = false;
          this.wake();
        }
      });
  }

  private async pump(): Promise<void> {
    for (;;) {
      if (this.listeners.size === 0) return;
      const events = await readEvents(this.orm.em.fork(), { afterSeq: this.lastSeq, limit: BATCH });
      if (events.length === 0) return;
      for (const listener of [...this.listeners]) await listener(events);
      this.lastSeq = events[events.length - 1].seq;
      if (events.length < BATCH) return;
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.poll) clearInterval(this.poll);
    await this.pumping;
    await this.client?.end().catch(() => undefined);
  }
}
