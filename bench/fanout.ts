/**
 * Benchmark of issue 15's fan-out: many graphql-ws subscribers of the overdue event
 * stream, and scans that each raise the same number of BECAME_OVERDUE events.
 * `npm run bench:fanout`.
 *
 * The events come from the API as a user would make them: receivables created with
 * `createReceivable`, due on consecutive working days, one batch per scan, and scans
 * (`runOverdueScan`) as of the day after each batch's due date, moving forward one
 * batch at a time up to today; so each scan finds exactly one batch newly overdue and
 * the engine keeps whatever bookkeeping it keeps for receivables it was told about.
 * (`planBatches` and `createBatches` are the only parts that know this.)
 *
 * Phases:
 * 1. One subscriber: a warm-up scan of one event, then a scan of BENCH_EVENTS_PER_SCAN:
 *    the statements of a scan with a single subscriber, the baseline for "statements do
 *    not grow with the number of subscribers".
 * 2. BENCH_SUBSCRIBERS subscribers (the first one included; the others subscribe after
 *    the last event the first has seen, so nothing is replayed): a warm-up scan of one
 *    event that also proves every subscription live, then BENCH_SCANS measured scans.
 * After each scan the bench waits until every event has reached every subscriber or
 * the delivery timeout has passed, and then until the stream has drained (nothing for
 * 10 s), so each scan starts on a quiet server; events that never came count as
 * infinitely late.
 *
 * Per scan: when it committed (this process LISTENs on the engine's NOTIFY channel, which
 * PostgreSQL delivers at commit: the commit time used for latency), when each event
 * reached each subscriber (p50/p99/max, and the first), received ÷ expected and
 * duplicates, SQL statements from the scan request until the last event was delivered
 * (huikuan's /metrics counter), the server's CPU over the same time, and its RSS
 * (sampled every 100 ms). Latency from the event's `occurredAt` (the scan transaction's
 * start, PostgreSQL's clock) is shown too; it includes the scan itself.
 *
 * Knobs (environment): BENCH_SUBSCRIBERS (1000), BENCH_SCANS (5), BENCH_EVENTS_PER_SCAN
 * (100), BENCH_TOKENS (10 INTEGRATION tokens the subscribers share),
 * BENCH_DELIVERY_TIMEOUT_SECONDS (300), BENCH_JSON, EMBEDDED_PG_PORT (55435),
 * DATABASE_URL, BENCH_CLIENT.
 *
 * BENCH_CLIENT: `frames` (default) speaks graphql-transport-ws over a TCP socket with its
 * own WebSocket framing (the upgrade, masked client frames, pings and pongs) and reads
 * each event's id, cursor, type, asOf and occurredAt out of the message without parsing
 * the rest; `light` does the same on the `ws` package's WebSocket; `graphql-ws` uses the
 * graphql-ws client, which parses and validates every message. A thousand real
 * subscribers are a thousand processes elsewhere; here they share two cores with the
 * server and PostgreSQL, and what this one process spends per message lands in the
 * latencies measured (100,000 messages per scan: the graphql-ws client ~1 s of CPU, the
 * light client ~0.8 s, the frames client 0.35–0.5 s with the kernel's reads, of which
 * ~0.3 s its own JavaScript: it makes a string of each message's first 512 bytes only,
 * keeps receipts in typed arrays and copies no chunk to join frames; since it reads a
 * message whose bytes equal one already read only once, ~0.2 s). All three check the
 * same things (every event once, in the scan's batch, errors and ended subscriptions
 * counted).
 */
// The engine's query module (for its NOTIFY channel) loads the area's decorated types.
import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { createClient, HuikuanError, operationSources, type Client, type SubscribeOverdueEventsSubscription } from '../sdk/index.js';
import { addDays, isoWeekday, localDateAt, daysBetween } from '../server/core/local-date';
import { frameHeaderBytes, writeFrameHeader } from '../server/core/shared-subscription';
import { OVERDUE_CHANNEL } from '../server/modules/overdue/overdue.queries';
import { createBenchDatabase } from './bench-database';
import {
  adminEnv,
  BENCH_ADMIN as ADMIN,
  cleanUpOnce,
  commitOf,
  cpuMs,
  rssMb,
  sampleRss,
  serverCounters,
  settled,
  startHuikuan,
  stopAllChildren,
  treeCpuMs,
} from './bench-process';
import { envInt, formatSpread, markdownTable, num, ProgressBar, quantile, spread } from './bench-report';

const SUBSCRIBERS = envInt('BENCH_SUBSCRIBERS', 1000);
const SCANS = envInt('BENCH_SCANS', 5);
const EVENTS_PER_SCAN = envInt('BENCH_EVENTS_PER_SCAN', 100);
const TOKENS = envInt('BENCH_TOKENS', 10);
const DELIVERY_TIMEOUT_MS = envInt('BENCH_DELIVERY_TIMEOUT_SECONDS', 300) * 1000;
const PG_PORT = envInt('EMBEDDED_PG_PORT', 55435);
const CLIENT = process.env.BENCH_CLIENT ?? 'frames';
if (CLIENT !== 'frames' && CLIENT !== 'light' && CLIENT !== 'graphql-ws') throw new Error(`BENCH_CLIENT must be frames, light or graphql-ws (got ${CLIENT})`);
const TIME_ZONE = 'Asia/Shanghai';
/** How long nothing may arrive before the stream counts as drained (a server under load pauses for seconds). */
const QUIET_MS = 10_000;
/** The engine's first stage starts 1 day past the effective due date, the next one 30 days (OVERDUE_STAGES). */
const FIRST_ESCALATION_DAYS = 30;

/** What the bench reads of an event. */
type OverdueEvent = Pick<SubscribeOverdueEventsSubscription['overdueEvents'], 'id' | 'cursor' | 'type' | 'asOf' | 'occurredAt'>;

// ── Receivables that fall overdue one batch per scan ─────────────────────────────

interface Batch {
  /** Due date (a working day, so also the effective due date with no grace). */
  dueOn: string;
  /** The scan date that finds this batch one day overdue. */
  scanAsOf: string;
  /** Receivables in the batch: the events its scan raises. */
  events: number;
}

/** Batches of these sizes due on consecutive working days, the last scan being at the latest today. */
function planBatches(today: string, sizes: number[]): Batch[] {
  const dues: string[] = [];
  for (let day = addDays(today, -1); dues.length < sizes.length; day = addDays(day, -1)) {
    if (isoWeekday(day) <= 5) dues.unshift(day);
  }
  // Earlier batches stay at stage 1 through the last scan: no escalation event mixes in.
  if (daysBetween(dues[0], today) >= FIRST_ESCALATION_DAYS) throw new Error(`${sizes.length} scans span ${FIRST_ESCALATION_DAYS} days or more: use fewer`);
  return dues.map((dueOn, i) => ({ dueOn, scanAsOf: addDays(dueOn, 1), events: sizes[i] }));
}

/** Creates the batches' receivables through the API, at most one per customer per batch, four at a time (the per-user limit). */
async function createBatches(client: Client, customerIds: string[], batches: Batch[]): Promise<void> {
  const jobs = batches.flatMap((batch, b) =>
    customerIds.slice(0, batch.events).map((customerId, c) => ({ batch, customerId, reference: `B${b + 1}-${c + 1}` })),
  );
  const bar = new ProgressBar('creating receivables through the API', jobs.length);
  let done = 0;
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const { createReceivable } = await client.createReceivable({
        input: { customerId: job.customerId, reference: job.reference, amount: '1000.00', issuedOn: addDays(job.batch.dueOn, -30), dueOn: job.batch.dueOn },
      });
      if (createReceivable.effectiveDueOn !== job.batch.dueOn) {
        throw new Error(
          `receivable due ${job.batch.dueOn} got effective due date ${createReceivable.effectiveDueOn}: the plan assumes no holidays and no grace`,
        );
      }
      bar.update(++done);
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
}

// ── Subscribers ─────────────────────────────────────────────────────────────────

/**
 * Every subscriber's receipts of the scan being measured, by the scan's as-of date: the
 * time each event reached each subscriber, kept in typed arrays (a scan is 100,000
 * receipts; objects and a Set of ids per subscriber cost the bench's own process more
 * garbage collection than the reading itself, and that time lands in the latencies).
 * Event ids are numbered as they are first seen; a subscriber's receipts are a bitmap
 * over those numbers, so a second copy of an event is counted as a duplicate.
 */
class Deliveries {
  /** performance.now() when each receipt arrived. */
  private at = new Float64Array(0);
  /** Date.parse of the receipt's occurredAt. */
  private occurredAtMs = new Float64Array(0);
  private count = 0;
  /** Event id → its number in this scan. */
  private numbers = new Map<string, number>();
  /** subscriber × event number → received. */
  private seen = new Uint8Array(0);
  private eventsPerScan = 0;
  private subscribers = 0;
  duplicates = 0;
  strays = 0;
  lastCursor: string | null = null;
  private expecting = '';
  /** performance.now() of the last event any subscriber received. */
  private lastActivity = 0;
  /** The last occurredAt parsed (a scan's events share it). */
  private lastOccurredAt = '';
  private lastOccurredAtMs = 0;

  expect(asOf: string, subscribers: number, events: number): void {
    this.expecting = asOf;
    this.at = new Float64Array(subscribers * events);
    this.occurredAtMs = new Float64Array(subscribers * events);
    this.count = 0;
    this.numbers = new Map();
    this.seen = new Uint8Array(subscribers * events);
    this.eventsPerScan = events;
    this.subscribers = subscribers;
    this.duplicates = 0;
    this.strays = 0;
  }

  record(subscriber: number, event: OverdueEvent, at: number): void {
    this.lastActivity = at;
    if (subscriber === 0) this.lastCursor = event.cursor;
    if (event.asOf !== this.expecting || event.type !== 'BECAME_OVERDUE' || subscriber >= this.subscribers) {
      this.strays++;
      return;
    }
    let number = this.numbers.get(event.id);
    if (number === undefined) {
      // More distinct events than the scan made: not one of its events.
      if (this.numbers.size >= this.eventsPerScan) {
        this.strays++;
        return;
      }
      this.numbers.set(event.id, (number = this.numbers.size));
    }
    const slot = subscriber * this.eventsPerScan + number;
    if (this.seen[slot] === 1) {
      this.duplicates++;
      return;
    }
    this.seen[slot] = 1;
    if (event.occurredAt !== this.lastOccurredAt) this.lastOccurredAtMs = Date.parse((this.lastOccurredAt = event.occurredAt));
    this.at[this.count] = at;
    this.occurredAtMs[this.count++] = this.lastOccurredAtMs;
  }

  /** How many distinct receipts are in. */
  received(): number {
    return this.count;
  }

  /** Each receipt's time and its event's occurredAt (Date.parse), in arrival order. */
  receipts(): { at: Float64Array; occurredAtMs: Float64Array } {
    return { at: this.at.subarray(0, this.count), occurredAtMs: this.occurredAtMs.subarray(0, this.count) };
  }

  /**
   * Resolves when `expected` distinct receipts are in, at the timeout, or when nothing
   * has arrived for `stallMs` (subscriptions that ended wait for nothing).
   */
  async until(expected: number, timeoutMs: number, stallMs = 30_000): Promise<void> {
    const started = performance.now();
    for (;;) {
      const now = performance.now();
      if (this.count >= expected || now - started > timeoutMs) return;
      if (now - started > stallMs && now - this.lastActivity > stallMs) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Resolves once no subscriber has received anything for `quietMs` (or after `maxMs`): the stream has drained. */
  async quiet(quietMs: number, maxMs: number): Promise<void> {
    const deadline = performance.now() + maxMs;
    while (performance.now() - this.lastActivity < quietMs && performance.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** What went wrong, in a line: GraphQL errors by code and reason, a closed socket by its close code. */
function describeFailure(error: unknown): string {
  if (Array.isArray(error)) {
    return error
      .map(
        (e: { message?: string; extensions?: { code?: string; reason?: string } }) =>
          [e.extensions?.code, e.extensions?.reason].filter(Boolean).join('/') + `: ${String(e.message).slice(0, 100)}`,
      )
      .join('; ');
  }
  if (error instanceof HuikuanError) return `${error.code}/${error.reason ?? ''}: ${error.message.slice(0, 100)}`;
  if (error instanceof Error) return error.message;
  // graphql-ws ends a subscription with the socket's CloseEvent.
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    return `socket closed ${String(error.code)} ${String(error.reason)}`.trim();
  }
  return String(error);
}

interface SubscriberSink {
  onEvent(event: OverdueEvent): void;
  /** An event that came as errors instead of data (the subscription goes on). */
  onEventError(description: string): void;
  /** The subscription or its socket ended (nothing more comes: no reconnect). */
  onEnd(description: string): void;
}

/** A subscriber the bench can end. */
interface Subscription {
  dispose(): void | Promise<void>;
}

function subscribe(wsUrl: string, token: string, after: string | null, sink: SubscriberSink): Subscription {
  if (CLIENT === 'frames') return subscribeFrames(wsUrl, token, after, sink);
  return CLIENT === 'light' ? subscribeLight(wsUrl, token, after, sink) : subscribeGraphqlWs(wsUrl, token, after, sink);
}

/** What a hand-made client needs to answer the server: its subscription, where events go, how it sends and ends. */
interface BareClient {
  after: string | null;
  sink: SubscriberSink;
  send(message: unknown): void;
  end(description: string): void;
}

/**
 * One graphql-transport-ws message from the server, for the light and frames clients:
 * a `next` message's event is read from its bytes (eventOfBytes), the others answered:
 * the subscription after connection_ack, pong for ping, the end on error or complete.
 */
function onServerMessage(payload: Buffer, client: BareClient): void {
  if (bytesAt(payload, 0, NEXT_PREFIX)) {
    const event = eventOfBytes(payload);
    if (event) client.sink.onEvent(event);
    else client.sink.onEventError(describeFailure((JSON.parse(payload.toString('utf8')) as { payload: { errors?: unknown } }).payload.errors));
    return;
  }
  const message = JSON.parse(payload.toString('utf8')) as { type: string; payload?: unknown };
  if (message.type === 'connection_ack') {
    client.send({ id: '1', type: 'subscribe', payload: { query: operationSources.subscribeOverdueEvents.source, variables: { after: client.after } } });
  } else if (message.type === 'ping') client.send({ type: 'pong' });
  else if (message.type === 'error') client.end(describeFailure(message.payload));
  else if (message.type === 'complete') client.end('completed by the server');
}

/** graphql-transport-ws on a bare socket: one subscription, pings answered, events read from the text (see BENCH_CLIENT). */
function subscribeLight(wsUrl: string, token: string, after: string | null, sink: SubscriberSink): Subscription {
  const socket = new WebSocket(wsUrl, 'graphql-transport-ws');
  let ended = false;
  const end = (description: string) => {
    if (ended) return;
    ended = true;
    sink.onEnd(description);
  };
  socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
  const client: BareClient = { after, sink, send: (message) => socket.send(JSON.stringify(message)), end };
  socket.on('message', (data: Buffer) => onServerMessage(data, client));
  socket.on('close', (code, reason) => end(`socket closed ${code} ${reason.toString()}`.trim()));
  socket.on('error', (error) => end(error.message));
  return {
    dispose: () => {
      ended = true;
      socket.close();
    },
  };
}

/**
 * graphql-transport-ws on a TCP socket with this function's own WebSocket framing
 * (RFC 6455: the upgrade, masked client frames, unmasked server frames): each `next`
 * message's event is read from its bytes, as the light client reads it, without a
 * WebSocket library's per-message work (see BENCH_CLIENT).
 */
function subscribeFrames(wsUrl: string, token: string, after: string | null, sink: SubscriberSink): Subscription {
  const url = new URL(wsUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.setNoDelay(true);
  let ended = false;
  const end = (description: string) => {
    if (ended) return;
    ended = true;
    sink.onEnd(description);
    socket.destroy();
  };
  const send = (opcode: number, payload: Buffer) => socket.write(clientFrame(opcode, payload));
  const sendText = (message: unknown) => send(0x1, Buffer.from(JSON.stringify(message)));
  const key = randomBytes(16).toString('base64');
  socket.on('connect', () =>
    socket.write(
      `GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: graphql-transport-ws\r\n\r\n`,
    ),
  );
  let upgraded = false;
  /** Bytes of a frame that the last chunk ended in the middle of (or of the upgrade answer). */
  let pending: Buffer = Buffer.alloc(0);
  const client: BareClient = { after, sink, send: sendText, end };
  /** Handles the whole frames of `bytes` from `at`; answers where the first incomplete one starts. */
  const frames = (bytes: Buffer, at: number): number => {
    while (!ended) {
      const head = frameHeaderAt(bytes, at);
      if (!head || bytes.length - at < head.header + head.length) break;
      const fin = (bytes[at] & 0x80) !== 0;
      const opcode = bytes[at] & 0x0f;
      const payload = bytes.subarray(at + head.header, at + head.header + head.length);
      at += head.header + head.length;
      if (!fin || opcode === 0x0) end('fragmented message (the server sends whole ones)');
      else if (opcode === 0x1) onServerMessage(payload, client);
      else if (opcode === 0x9) send(0xa, Buffer.from(payload));
      else if (opcode === 0x8) end(`socket closed ${payload.length >= 2 ? payload.readUInt16BE(0) : ''} ${payload.subarray(2).toString('utf8')}`.trim());
    }
    return at;
  };
  socket.on('data', (chunk: Buffer) => {
    let at = 0;
    if (!upgraded) {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      const headerEnd = pending.indexOf('\r\n\r\n');
      if (headerEnd < 0) return;
      const status = pending.toString('latin1', 0, pending.indexOf('\r\n'));
      if (!status.startsWith('HTTP/1.1 101')) return end(`upgrade refused: ${status}`);
      upgraded = true;
      sendText({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
      chunk = pending.subarray(headerEnd + 4);
      pending = Buffer.alloc(0);
    }
    // A frame split between chunks is completed from the front of this chunk alone (its
    // header first, at most 10 bytes, then the rest), so the chunk itself is not copied.
    while (pending.length > 0 && !ended) {
      const head = frameHeaderAt(pending, 0);
      const take = Math.min((head ? head.header + head.length : MAX_SERVER_FRAME_HEADER) - pending.length, chunk.length - at);
      pending = Buffer.concat([pending, chunk.subarray(at, at + take)]);
      at += take;
      const used = frames(pending, 0);
      pending = used === pending.length ? Buffer.alloc(0) : pending.subarray(used);
      if (at === chunk.length) return;
    }
    at = frames(chunk, at);
    if (at < chunk.length) pending = Buffer.from(chunk.subarray(at));
  });
  socket.on('close', () => end('socket closed'));
  socket.on('error', (error) => end(error.message));
  return {
    dispose: () => {
      ended = true;
      socket.end(clientFrame(0x8, Buffer.from([0x03, 0xe8])));
    },
  };
}

/** A server frame's header: 2, 4 or 10 bytes (unmasked; RFC 6455 §5.2). */
const MAX_SERVER_FRAME_HEADER = 10;

/** The header size and payload length of the server frame at `at`, once its header is complete. */
function frameHeaderAt(bytes: Buffer, at: number): { header: number; length: number } | undefined {
  if (bytes.length - at < 2) return undefined;
  const length = bytes[at + 1] & 0x7f;
  if (length < 126) return { header: 2, length };
  if (length === 126) return bytes.length - at < 4 ? undefined : { header: 4, length: bytes.readUInt16BE(at + 2) };
  return bytes.length - at < 10 ? undefined : { header: 10, length: Number(bytes.readBigUInt64BE(at + 2)) };
}

const NEXT_PREFIX = Buffer.from('{"id":"1","type":"next"');
const EVENT_KEY = '"overdueEvents":{';
/**
 * The bytes of a `next` message that hold the fields read (about 320: graphql-js writes
 * the fields in the order selected, and these five come first); the receivable, customer
 * and the rest after them are not made into a string.
 */
const LEADING_BYTES = 512;

/** Whether `bytes` holds `expected` at `at`. */
function bytesAt(bytes: Buffer, at: number, expected: Buffer): boolean {
  if (bytes.length - at < expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[at + i] !== expected[i]) return false;
  return true;
}

/**
 * A string field of the event, read from the message's text after `from` (no escapes in
 * these fields). A value equal to the last one read is returned as that same string:
 * type, asOf and occurredAt repeat across a scan's 100,000 messages.
 */
class TextField {
  private readonly key: string;
  private last = '';
  /** Where the last value read ends. */
  end = 0;

  constructor(name: string) {
    this.key = `"${name}":"`;
  }

  read(text: string, from: number, repeats: boolean): string | undefined {
    const at = text.indexOf(this.key, from);
    if (at < 0) return undefined;
    const start = at + this.key.length;
    const end = text.indexOf('"', start);
    if (end < 0) return undefined;
    this.end = end;
    if (repeats && end - start === this.last.length && text.startsWith(this.last, start)) return this.last;
    const value = text.slice(start, end);
    if (repeats) this.last = value;
    return value;
  }
}

const EVENT_FIELDS = {
  id: new TextField('id'),
  cursor: new TextField('cursor'),
  type: new TextField('type'),
  asOf: new TextField('asOf'),
  occurredAt: new TextField('occurredAt'),
};

/**
 * eventOf, read from the text of a `next` message's leading bytes (latin1 is exact for the
 * ASCII these fields hold), or of the whole message when they are not all there: the
 * fields in the order OverdueEventFields selects them. A 1 kB string per message was most
 * of this process's garbage collection, and its time lands in the latencies measured.
 */
function eventOfBytes(bytes: Buffer): OverdueEvent | undefined {
  const known = readMessages.eventOf(bytes);
  if (known) return known;
  const leading = eventOfText(bytes.toString('latin1', 0, Math.min(bytes.length, LEADING_BYTES)));
  const event = leading ?? (bytes.length > LEADING_BYTES ? eventOfText(bytes.toString('latin1')) : undefined);
  if (event) readMessages.remember(bytes, event);
  return event;
}

/**
 * Messages already read, by their bytes. The server sends the same answer to every
 * subscriber of the same document and scope, so a scan's 100,000 messages are 100
 * different ones, each a thousand times: a message whose bytes equal, in full, those of one
 * read before is that message's event, and only a new one is read from its text. Each
 * receipt is still checked per subscriber (once, in the scan's batch); only the reading of
 * the same bytes again is saved, which was half of this process's JavaScript per scan
 * (one process standing in for a thousand subscribers, on the cores the server uses).
 */
class ReadMessages {
  /** A message's place in the cache: the last bytes of the event's id (its sequence number in hex) and the length. */
  private static readonly ID_TAIL_AT = Buffer.byteLength('{"id":"1","type":"next","payload":{"data":{"overdueEvents":{"id":"') + 32;
  private readonly read = new Map<number, { bytes: Buffer; event: OverdueEvent }>();

  private static key(bytes: Buffer): number | undefined {
    return bytes.length >= ReadMessages.ID_TAIL_AT + 4 ? bytes.readUInt32LE(ReadMessages.ID_TAIL_AT) * 0x10000 + (bytes.length & 0xffff) : undefined;
  }

  eventOf(bytes: Buffer): OverdueEvent | undefined {
    const key = ReadMessages.key(bytes);
    const known = key === undefined ? undefined : this.read.get(key);
    return known && known.bytes.equals(bytes) ? known.event : undefined;
  }

  remember(bytes: Buffer, event: OverdueEvent): void {
    const key = ReadMessages.key(bytes);
    if (key === undefined) return;
    if (this.read.size >= 10_000) this.read.clear();
    // A copy: the message is a view of the socket's chunk, which this would keep alive.
    this.read.set(key, { bytes: Buffer.from(bytes), event });
  }
}

const readMessages = new ReadMessages();

function eventOfText(text: string): OverdueEvent | undefined {
  const at = text.indexOf(EVENT_KEY, NEXT_PREFIX.length);
  if (at < 0) return undefined;
  const f = EVENT_FIELDS;
  const id = f.id.read(text, at, false);
  const cursor = id && f.cursor.read(text, f.id.end, false);
  const type = cursor && f.type.read(text, f.cursor.end, true);
  const asOf = type && f.asOf.read(text, f.type.end, true);
  const occurredAt = asOf && f.occurredAt.read(text, f.asOf.end, true);
  if (!id || !cursor || !type || !asOf || !occurredAt) return undefined;
  return { id, cursor, type: type as OverdueEvent['type'], asOf, occurredAt };
}

/** A client's frame: FIN, the opcode, the length and the payload masked with a random key (RFC 6455 §5.3). */
function clientFrame(opcode: number, payload: Buffer): Buffer {
  const length = payload.length;
  const frame = Buffer.alloc(frameHeaderBytes(length) + 4 + length);
  const maskAt = writeFrameHeader(frame, 0, opcode, length, true);
  const mask = randomBytes(4);
  mask.copy(frame, maskAt);
  for (let i = 0; i < length; i++) frame[maskAt + 4 + i] = payload[i] ^ mask[i & 3];
  return frame;
}

function subscribeGraphqlWs(wsUrl: string, token: string, after: string | null, sink: SubscriberSink): WsClient {
  const client = createWsClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    connectionParams: { authorization: `Bearer ${token}` },
    onNonLazyError: (error) => sink.onEnd(describeFailure(error)),
  });
  client.subscribe<SubscribeOverdueEventsSubscription>(
    { query: operationSources.subscribeOverdueEvents.source, variables: { after } },
    {
      next: (result) => (result.data ? sink.onEvent(result.data.overdueEvents) : sink.onEventError(describeFailure(result.errors))),
      error: (error) => sink.onEnd(describeFailure(error)),
      complete: () => sink.onEnd('completed by the server'),
    },
  );
  return client;
}

/** Failures by description, and the subscribers that have ended. */
class Failures {
  readonly counts = new Map<string, number>();
  readonly ended = new Set<number>();

  add(description: string): void {
    this.counts.set(description, (this.counts.get(description) ?? 0) + 1);
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  summary(): string {
    return [...this.counts].map(([what, n]) => `${n.toLocaleString('en-US')} × ${what}`).join('; ');
  }
}

// ── Scans ───────────────────────────────────────────────────────────────────────

interface ScanFigures {
  label: string;
  subscribers: number;
  events: number;
  expected: number;
  /** All received, late ones included. */
  received: number;
  /** Received after the delivery timeout (while the bench waited for the stream to drain). */
  late: number;
  /** Events that came as GraphQL errors, and subscriptions that ended, during this scan. */
  failures: number;
  duplicates: number;
  /** Scan request sent → its answer, ms. */
  scanRequestMs: number;
  /** Latencies from commit, ms; Infinity for deliveries that never came. */
  firstMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Latencies from the event's occurredAt (scan transaction start), ms. */
  occurredP50Ms: number;
  occurredP99Ms: number;
  statements: number;
  serverCpuMs: number;
  /** The embedded PostgreSQL's CPU (postmaster and backends); NaN on DATABASE_URL's server. */
  postgresCpuMs: number;
  clientCpuMs: number;
  peakRssMb: number;
}

interface Scanner {
  admin: Client;
  serverUrl: string;
  serverPid: number;
  postgresPid: number | undefined;
  commits: number[];
  deliveries: Deliveries;
  failures: Failures;
}

/**
 * One scan and its delivery to `subscribers`: waits until every subscriber has every
 * event or the delivery timeout has passed, then until the stream has drained (nothing
 * received for QUIET_MS), so the next scan starts on a quiet server.
 */
async function measureScan(s: Scanner, label: string, batch: Batch, subscribers: number): Promise<ScanFigures> {
  const expected = batch.events * subscribers;
  s.deliveries.expect(batch.scanAsOf, subscribers, batch.events);
  const commitsBefore = s.commits.length;
  const failuresBefore = s.failures.total();
  const statementsBefore = (await serverCounters(s.serverUrl)).statements;
  const cpuBefore = cpuMs(s.serverPid);
  const pgBefore = s.postgresPid ? treeCpuMs(s.postgresPid) : NaN;
  const clientBefore = process.cpuUsage();
  const rss = sampleRss(s.serverPid);
  const sent = performance.now();
  const { runOverdueScan } = await s.admin.runOverdueScan({ asOf: batch.scanAsOf });
  const answered = performance.now();
  if (runOverdueScan.becameOverdue !== batch.events || runOverdueScan.escalated !== 0 || runOverdueScan.cleared !== 0) {
    throw new Error(`scan as of ${batch.scanAsOf} made ${JSON.stringify(runOverdueScan)}, expected exactly ${batch.events} BECAME_OVERDUE`);
  }
  await s.deliveries.until(expected, DELIVERY_TIMEOUT_MS);
  const inTime = s.deliveries.received();
  const client = process.cpuUsage(clientBefore);
  await s.deliveries.quiet(QUIET_MS, DELIVERY_TIMEOUT_MS);
  // The statements of the last deliveries, and any late duplicate.
  const statements = (await settled(s.serverUrl)).statements - statementsBefore;
  const { peakMb } = rss.stop();
  const serverCpuMs = cpuMs(s.serverPid) - cpuBefore;
  const postgresCpuMs = s.postgresPid ? treeCpuMs(s.postgresPid) - pgBefore : NaN;
  const committed = s.commits[commitsBefore];
  if (committed === undefined) throw new Error(`no NOTIFY on ${OVERDUE_CHANNEL} for the scan as of ${batch.scanAsOf}`);
  const receipts = s.deliveries.receipts();
  const never = Array.from({ length: Math.max(0, expected - receipts.at.length) }, () => Infinity);
  const latencies = [...Array.from(receipts.at, (at) => at - committed), ...never].sort((a, b) => a - b);
  const fromOccurred = [...Array.from(receipts.at, (at, i) => performance.timeOrigin + at - receipts.occurredAtMs[i]), ...never].sort((a, b) => a - b);
  return {
    label,
    subscribers,
    events: batch.events,
    expected,
    received: receipts.at.length,
    late: receipts.at.length - inTime,
    failures: s.failures.total() - failuresBefore,
    duplicates: s.deliveries.duplicates,
    scanRequestMs: answered - sent,
    firstMs: latencies[0] ?? NaN,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
    occurredP50Ms: quantile(fromOccurred, 0.5),
    occurredP99Ms: quantile(fromOccurred, 0.99),
    statements,
    serverCpuMs,
    postgresCpuMs,
    clientCpuMs: (client.user + client.system) / 1000,
    peakRssMb: peakMb,
  };
}

// ── Report ──────────────────────────────────────────────────────────────────────

/** A latency in ms; "never" for deliveries that did not come. */
const latencyMs = (v: number) => (v === Infinity ? 'never' : num(v));

function report(scans: ScanFigures[], baseline: ScanFigures, idleRssMb: number, peakRssMb: number, failures: Failures): string {
  const measured = scans.filter((s) => s.label.startsWith('scan'));
  const ms = latencyMs;
  const rows = scans.map((s) => [
    s.label,
    s.subscribers.toLocaleString('en-US'),
    `${s.received.toLocaleString('en-US')} / ${s.expected.toLocaleString('en-US')}` +
      (s.late ? ` (${s.late.toLocaleString('en-US')} after the timeout)` : '') +
      (s.duplicates ? ` (+${s.duplicates} duplicates)` : ''),
    s.failures.toLocaleString('en-US'),
    ms(s.scanRequestMs),
    ms(s.firstMs),
    ms(s.p50Ms),
    ms(s.p99Ms),
    ms(s.maxMs),
    `${ms(s.occurredP50Ms)} / ${ms(s.occurredP99Ms)}`,
    s.statements.toLocaleString('en-US'),
    num(s.serverCpuMs / 1000),
    num(s.postgresCpuMs / 1000),
    num(s.clientCpuMs / 1000),
    num(s.peakRssMb),
  ]);
  const received = measured.reduce((n, s) => n + s.received, 0);
  const late = measured.reduce((n, s) => n + s.late, 0);
  const expected = measured.reduce((n, s) => n + s.expected, 0);
  const p99 = spread(measured.map((s) => s.p99Ms));
  const maxStatements = Math.max(...measured.map((s) => s.statements));
  const slope = (maxStatements - baseline.statements) / Math.max(1, SUBSCRIBERS - 1);
  const met = (ok: boolean) => (ok ? 'met' : '**not met**');
  return [
    `### ${SUBSCRIBERS.toLocaleString('en-US')} graphql-ws subscribers (${CLIENT} client), ${EVENTS_PER_SCAN} BECAME_OVERDUE events per measured scan; ` +
      `latency from commit (the NOTIFY the bench sees), ms; delivery timeout ${DELIVERY_TIMEOUT_MS / 1000} s`,
    '',
    markdownTable(
      [
        'scan',
        'subscribers',
        'received / expected',
        'failed',
        'scan request ms',
        'first',
        'p50',
        'p99',
        'max',
        'p50 / p99 from occurredAt',
        'SQL statements',
        'server CPU s',
        'PostgreSQL CPU s',
        'bench client CPU s',
        'peak RSS MB',
      ],
      rows,
    ),
    '',
    `Server RSS: ${num(idleRssMb)} MB with every subscriber connected and idle, peak ${num(peakRssMb)} MB over the whole run.`,
    '',
    failures.total()
      ? `Failures over the run (${failures.ended.size.toLocaleString('en-US')} of ${SUBSCRIBERS.toLocaleString('en-US')} subscriptions ended): ${failures.summary()}`
      : 'No failures: no event came as errors, no subscription ended.',
    '',
    '### Goals of issue 15 (measured scans)',
    '',
    markdownTable(
      ['goal', 'target', 'measured', ''],
      [
        [
          'every event delivered',
          `${expected.toLocaleString('en-US')}`,
          `${received.toLocaleString('en-US')} (${((received / expected) * 100).toFixed(1)} %)${late ? `, ${late.toLocaleString('en-US')} of them after the timeout` : ''}`,
          met(received === expected),
        ],
        ['p99 from commit to receipt', '< 250 ms', `${formatSpread(p99, ms)} ms over ${measured.length} scans`, met(p99.median < 250)],
        [
          'SQL statements per scan do not grow with subscribers',
          '< 1 more per 100 subscribers',
          `${baseline.statements} with 1 subscriber, up to ${maxStatements.toLocaleString('en-US')} with ${SUBSCRIBERS.toLocaleString('en-US')} (${slope.toFixed(2)} per added subscriber)`,
          met(slope < 0.01),
        ],
        ['RSS throughout', '< 300 MB', `peak ${num(peakRssMb)} MB`, met(peakRssMb < 300)],
      ],
    ),
  ].join('\n');
}

// ── Main ────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const today = localDateAt(new Date(), TIME_ZONE);
  console.log(
    `bench:fanout at ${commitOf()}, ${new Date().toISOString()}, today ${today} (${TIME_ZONE}); ${CLIENT} client; Node ${process.version}, ` +
      `${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const db = await createBenchDatabase('bench-fanout', PG_PORT);
  const listener = new PgClient({ connectionString: db.databaseUrl });
  const sockets: Subscription[] = [];
  const cleanUp = cleanUpOnce(async () => {
    await Promise.all(sockets.map(async (s) => s.dispose()));
    await listener.end().catch(() => undefined);
    await stopAllChildren();
    await db.drop();
  });
  let wholeRun: { stop(): { peakMb: number } } | undefined;
  try {
    const server = await startHuikuan(db.databaseUrl, { TIME_ZONE, GRACE_WORKING_DAYS: '0', ...adminEnv });
    const admin = createClient({ url: server.url, token: (await createClient({ url: server.url }).login(ADMIN)).login.token });
    const { createUser: owner } = await admin.createUser({
      input: { email: 'bench-sales@example.com', name: 'Bench Sales', role: 'SALES', password: ADMIN.password },
    });
    const customerIds: string[] = [];
    for (let i = 1; i <= EVENTS_PER_SCAN; i++) {
      const { createCustomer } = await admin.createCustomer({
        input: { code: `F${String(i).padStart(5, '0')}`, name: `Fan-out customer ${i}`, ownerId: owner.id, creditTermDays: 30, creditLimit: '100000.00' },
      });
      customerIds.push(createCustomer.id);
    }
    // Batches: a one-event warm-up and the baseline with one subscriber, a one-event warm-up with all, then the measured scans.
    const batches = planBatches(today, [1, EVENTS_PER_SCAN, 1, ...Array<number>(SCANS).fill(EVENTS_PER_SCAN)]);
    await createBatches(admin, customerIds, batches);
    const tokens: string[] = [];
    for (let i = 0; i < TOKENS; i++) tokens.push((await admin.createApiToken({ name: `bench fan-out ${i + 1}` })).createApiToken.token);

    const commits: number[] = [];
    await listener.connect();
    listener.on('notification', () => commits.push(performance.now()));
    await listener.query(`listen ${OVERDUE_CHANNEL}`);

    const deliveries = new Deliveries();
    const failures = new Failures();
    const wsUrl = server.url.replace(/^http/, 'ws');
    const addSubscriber = (index: number, after: string | null) =>
      sockets.push(
        subscribe(wsUrl, tokens[index % tokens.length], after, {
          onEvent: (event) => deliveries.record(index, event, performance.now()),
          onEventError: (description) => failures.add(`event as errors: ${description}`),
          onEnd: (description) => {
            failures.ended.add(index);
            failures.add(`subscription ended: ${description}`);
          },
        }),
      );
    const scanner: Scanner = { admin, serverUrl: server.url, serverPid: server.pid, postgresPid: db.postgresPid, commits, deliveries, failures };
    const scans: ScanFigures[] = [];
    const show = (s: ScanFigures) => {
      scans.push(s);
      console.log(
        `${s.label}: ${s.received.toLocaleString('en-US')}/${s.expected.toLocaleString('en-US')} received, first ${latencyMs(s.firstMs)} ms, ` +
          `p50 ${latencyMs(s.p50Ms)} ms, p99 ${latencyMs(s.p99Ms)} ms, max ${latencyMs(s.maxMs)} ms after commit; ${s.statements.toLocaleString('en-US')} statements, ` +
          `server CPU ${num(s.serverCpuMs / 1000)} s, PostgreSQL CPU ${num(s.postgresCpuMs / 1000)} s, peak RSS ${num(s.peakRssMb)} MB` +
          (failures.total() ? `; ⚠ failures so far: ${failures.summary()}` : ''),
      );
    };

    // RSS throughout: from the first subscriber on (the set-up above is not what is measured).
    wholeRun = sampleRss(server.pid);
    addSubscriber(0, null);
    show(await measureScan(scanner, 'warm-up, 1 subscriber', batches[0], 1));
    const baseline = await measureScan(scanner, 'baseline, 1 subscriber', batches[1], 1);
    show(baseline);

    const connectBar = new ProgressBar('connecting subscribers', SUBSCRIBERS - 1);
    for (let i = 1; i < SUBSCRIBERS; i++) {
      addSubscriber(i, deliveries.lastCursor);
      if (i % 50 === 0 || i === SUBSCRIBERS - 1) {
        connectBar.update(i);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await new Promise((r) => setTimeout(r, 2000));
    show(await measureScan(scanner, `warm-up, ${SUBSCRIBERS} subscribers`, batches[2], SUBSCRIBERS));
    await new Promise((r) => setTimeout(r, 2000));
    const idleRssMb = rssMb(server.pid);
    // A scan that fails (the server gone, /metrics unreachable) still leaves the scans before it reported.
    let stopped: unknown;
    for (let i = 0; i < SCANS && stopped === undefined; i++) {
      try {
        show(await measureScan(scanner, `scan ${i + 1}`, batches[3 + i], SUBSCRIBERS));
        await new Promise((r) => setTimeout(r, 1000));
      } catch (error) {
        stopped = error;
      }
    }
    const { peakMb } = wholeRun.stop();

    console.log(`\n## bench:fanout at ${commitOf()}, ${today}\n`);
    if (scans.some((s) => s.label.startsWith('scan'))) console.log(report(scans, baseline, idleRssMb, peakMb, failures));
    if (stopped !== undefined) {
      const alive = fs.existsSync(`/proc/${server.pid}`);
      console.log(
        `\n⚠ stopped after ${scans.filter((s) => s.label.startsWith('scan')).length} of ${SCANS} measured scans: ${describeFailure(stopped)}; ` +
          `huikuan ${alive ? 'is still running' : 'has exited'}; the end of its output:\n${server.output().slice(-2000)}`,
      );
      process.exitCode = 1;
    }
    if (process.env.BENCH_JSON) {
      fs.writeFileSync(
        process.env.BENCH_JSON,
        JSON.stringify({ commit: commitOf(), today, subscribers: SUBSCRIBERS, scans, idleRssMb, peakRssMb: peakMb }, null, 2),
      );
      console.log(`\nevery figure: ${process.env.BENCH_JSON}`);
    }
  } finally {
    wholeRun?.stop();
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
