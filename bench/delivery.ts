/**
 * Benchmark of issue 11's webhook delivery: BENCH_EVENTS (10,000) BECAME_OVERDUE events
 * from one overdue scan, each delivered to BENCH_ENDPOINTS (3) endpoints, local HTTP
 * receivers in this process. `npm run bench:delivery`.
 *
 * The receivables are written with SQL (like bench/ledger.ts: the scan and the delivery
 * are measured, not the API that makes data), all due 20 days ago, so one scan raises
 * every event at once (a burst). A second phase, the trickle, runs BENCH_TRICKLE_SCANS
 * (20) scans of BENCH_TRICKLE_EVENTS (50) new events each, one every 500 ms: the latency
 * of a server that is not catching up with a burst.
 *
 * Measured: the scan's commit (this process LISTENs on the engine's NOTIFY channel, which
 * PostgreSQL delivers at commit) to each delivery's arrival at each receiver (p50, p99,
 * max), throughput (deliveries per second from the commit to the last arrival), every
 * (event, endpoint) received, duplicates, the order per endpoint, and the signature of a
 * sample of deliveries checked with the SDK helper. The server's RSS is sampled every
 * 100 ms; its CPU and PostgreSQL's over the burst.
 *
 * Knobs: BENCH_EVENTS, BENCH_ENDPOINTS, BENCH_TRICKLE_SCANS, BENCH_TRICKLE_EVENTS,
 * DELIVERY_CONCURRENCY (passed on, default 4), BENCH_TIMEOUT_SECONDS (600),
 * EMBEDDED_PG_PORT (55451), DATABASE_URL.
 */
// The engine's query module (for its NOTIFY channel) loads the area's decorated types.
import 'reflect-metadata';
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { Client as PgClient } from 'pg';
import { createClient, verifyWebhookSignature } from '../sdk/index.js';
import { localDateAt } from '../server/core/local-date';
import { OVERDUE_CHANNEL } from '../server/modules/overdue/overdue.queries';
import { createBenchDatabase } from './bench-database';
import { adminEnv, BENCH_ADMIN as ADMIN, cleanUpOnce, commitOf, cpuMs, sampleRss, startHuikuan, stopAllChildren, treeCpuMs } from './bench-process';
import { envInt, markdownTable, num, quantile } from './bench-report';

const EVENTS = envInt('BENCH_EVENTS', 10_000);
const ENDPOINTS = envInt('BENCH_ENDPOINTS', 3);
const TRICKLE_SCANS = envInt('BENCH_TRICKLE_SCANS', 20, 0);
const TRICKLE_EVENTS = envInt('BENCH_TRICKLE_EVENTS', 50);
const TIMEOUT_MS = envInt('BENCH_TIMEOUT_SECONDS', 600) * 1000;
const PG_PORT = envInt('EMBEDDED_PG_PORT', 55451);
const CONCURRENCY = process.env.DELIVERY_CONCURRENCY ?? '4';
const TIME_ZONE = 'Asia/Shanghai';
const CUSTOMERS = 50;

/** One endpoint's receiver: when each event id arrived (ms, performance.now()), in order. */
interface Receiver {
  url: string;
  arrivals: { eventId: string; at: number }[];
  /** A few deliveries kept whole, to check their signatures. */
  samples: { rawBody: string; signature: string }[];
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', arrivals: [], samples: [], close: () => new Promise((done) => server.close(() => done())) };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      receiver.arrivals.push({ eventId: String(request.headers['huikuan-event-id']), at: performance.now() });
      if (receiver.arrivals.length % 1000 === 1) {
        receiver.samples.push({ rawBody: Buffer.concat(chunks).toString('utf8'), signature: String(request.headers['huikuan-signature']) });
      }
      response.writeHead(204).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return receiver;
}

/** Inserts `count` receivables due 20 days before `today`, spread over the customers: the next scan finds them overdue. */
async function addOverdueReceivables(pg: PgClient, count: number, today: string, batch: string): Promise<void> {
  await pg.query(
    `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
     select gen_random_uuid(), c.id, c.owner_id, $4 || '-' || lpad(i::text, 6, '0'), 100 + i % 900, cast($2 as date) - 50,
            cast($2 as date) - 20, cast($2 as date) - 20, 100 + i % 900
       from generate_series(1, $1::int) i
       join (select id, owner_id, row_number() over (order by code) - 1 as n from customer) c on c.n = i % $3::int`,
    [count, today, CUSTOMERS, batch],
  );
}

interface PhaseFigures {
  label: string;
  deliveries: number;
  received: number;
  duplicates: number;
  outOfOrder: number;
  seconds: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Waits until every receiver has `expected` arrivals more than it had at `before` (or the
 * timeout), then measures from the commits: each arrival's latency after the commit of
 * the scan that wrote its event.
 */
async function measure(
  label: string,
  receivers: Receiver[],
  before: number[],
  expectedPerEndpoint: number,
  commitOfEvent: (eventId: string) => number | undefined,
  eventOrder: Map<string, number>,
  firstCommit: () => number,
): Promise<PhaseFigures> {
  const deadline = Date.now() + TIMEOUT_MS;
  while (receivers.some((r, i) => r.arrivals.length - before[i] < expectedPerEndpoint) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  // Anything sent twice has a moment to arrive too.
  await new Promise((r) => setTimeout(r, 1000));
  const latencies: number[] = [];
  let received = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  let last = 0;
  receivers.forEach((receiver, i) => {
    const seen = new Set<string>();
    let previous = -1;
    for (const { eventId, at } of receiver.arrivals.slice(before[i])) {
      const commit = commitOfEvent(eventId);
      if (commit === undefined) continue;
      if (seen.has(eventId)) {
        duplicates += 1;
        continue;
      }
      seen.add(eventId);
      received += 1;
      latencies.push(at - commit);
      last = Math.max(last, at);
      const position = eventOrder.get(eventId)!;
      if (position < previous) outOfOrder += 1;
      previous = position;
    }
  });
  latencies.sort((a, b) => a - b);
  return {
    label,
    deliveries: expectedPerEndpoint * receivers.length,
    received,
    duplicates,
    outOfOrder,
    seconds: (last - firstCommit()) / 1000,
    p50Ms: quantile(latencies, 0.5),
    p99Ms: quantile(latencies, 0.99),
    maxMs: latencies[latencies.length - 1] ?? NaN,
  };
}

async function main(): Promise<void> {
  const today = localDateAt(new Date(), TIME_ZONE);
  console.log(
    `bench:delivery at ${commitOf()}, ${new Date().toISOString()}, today ${today}; ${EVENTS.toLocaleString('en-US')} events × ${ENDPOINTS} endpoints, ` +
      `DELIVERY_CONCURRENCY ${CONCURRENCY}; Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}`,
  );
  const db = await createBenchDatabase('bench-delivery', PG_PORT);
  const pg = new PgClient({ connectionString: db.databaseUrl });
  const receivers: Receiver[] = [];
  const cleanUp = cleanUpOnce(async () => {
    await pg.end().catch(() => undefined);
    await Promise.all(receivers.map((r) => r.close()));
    await stopAllChildren();
    await db.drop();
  });
  try {
    const server = await startHuikuan(db.databaseUrl, {
      TIME_ZONE,
      ...adminEnv,
      WEBHOOK_ALLOW_PRIVATE: '1',
      WEBHOOK_ALLOW_HTTP: '1',
      DELIVERY_CONCURRENCY: CONCURRENCY,
      CREDIT_WARN_STAGE: 'off',
      CREDIT_HOLD_STAGE: 'off',
      CREDIT_WARN_OVERDUE_PERCENT: 'off',
      CREDIT_HOLD_OVERDUE_PERCENT: 'off',
    });
    const admin = createClient({ url: server.url, token: (await createClient({ url: server.url }).login(ADMIN)).login.token });
    const { createUser: owner } = await admin.createUser({
      input: { email: 'bench-sales@example.com', name: 'Bench Sales', role: 'SALES', password: ADMIN.password },
    });
    for (let i = 1; i <= CUSTOMERS; i++) {
      await admin.createCustomer({
        input: { code: `D${String(i).padStart(4, '0')}`, name: `Delivery customer ${i}`, ownerId: owner.id, creditTermDays: 30, creditLimit: '100000000.00' },
      });
    }
    await pg.connect();
    // The first scan judges every receivable there is: none yet, so it only sets the engine's date.
    await admin.runOverdueScan({ asOf: today });

    const secrets: string[] = [];
    for (let i = 0; i < ENDPOINTS; i++) {
      const receiver = await startReceiver();
      receivers.push(receiver);
      const { createWebhookEndpoint } = await admin.createWebhookEndpoint({ url: receiver.url, eventTypes: ['BECAME_OVERDUE'], description: `bench ${i + 1}` });
      secrets.push(createWebhookEndpoint.secret);
    }

    // Commit times: the NOTIFY of each scan arrives at its commit; its payload is the scan's last seq.
    const commits: { lastSeq: number; at: number }[] = [];
    pg.on('notification', (n) => commits.push({ lastSeq: Number(n.payload), at: performance.now() }));
    await pg.query(`listen ${OVERDUE_CHANNEL}`);
    const eventSeq = new Map<string, number>();
    const readEvents = async () => {
      const { rows } = await pg.query<{ id: string; seq: string }>('select id, seq::text from overdue_event');
      for (const row of rows) eventSeq.set(row.id, Number(row.seq));
    };
    const commitOfEvent = (eventId: string) => {
      const seq = eventSeq.get(eventId);
      return seq === undefined ? undefined : commits.find((c) => c.lastSeq >= seq)?.at;
    };

    await addOverdueReceivables(pg, EVENTS, today, 'B');
    const rss = sampleRss(server.pid);
    const cpuBefore = { server: cpuMs(server.pid), postgres: db.postgresPid ? treeCpuMs(db.postgresPid) : NaN };
    const beforeBurst = receivers.map((r) => r.arrivals.length);
    const scanStarted = performance.now();
    const { runOverdueScan } = await admin.runOverdueScan({ asOf: today });
    console.log(`burst scan: ${runOverdueScan.becameOverdue.toLocaleString('en-US')} events in ${num((performance.now() - scanStarted) / 1000)} s`);
    await readEvents();
    const burstCommit = commits.length - 1;
    const burst = await measure('burst', receivers, beforeBurst, EVENTS, commitOfEvent, eventSeq, () => commits[burstCommit].at);
    const cpu = { server: cpuMs(server.pid) - cpuBefore.server, postgres: db.postgresPid ? treeCpuMs(db.postgresPid) - cpuBefore.postgres : NaN };
    const burstRss = rss.stop();

    const phases = [burst];
    let trickleRssPeak = NaN;
    if (TRICKLE_SCANS > 0) {
      const trickleRss = sampleRss(server.pid);
      const beforeTrickle = receivers.map((r) => r.arrivals.length);
      const firstTrickleCommit = commits.length;
      for (let s = 0; s < TRICKLE_SCANS; s++) {
        await addOverdueReceivables(pg, TRICKLE_EVENTS, today, `T${s}`);
        await admin.runOverdueScan({ asOf: today });
        await new Promise((r) => setTimeout(r, 500));
      }
      await readEvents();
      phases.push(
        await measure(
          `trickle (${TRICKLE_SCANS} scans × ${TRICKLE_EVENTS} events, one per 0.5 s)`,
          receivers,
          beforeTrickle,
          TRICKLE_SCANS * TRICKLE_EVENTS,
          commitOfEvent,
          eventSeq,
          () => commits[firstTrickleCommit].at,
        ),
      );
      trickleRssPeak = trickleRss.stop().peakMb;
    }

    let signaturesOk = 0;
    let signaturesChecked = 0;
    for (const [i, receiver] of receivers.entries()) {
      for (const sample of receiver.samples) {
        signaturesChecked += 1;
        if (await verifyWebhookSignature(sample.rawBody, sample.signature, secrets[i], 300)) signaturesOk += 1;
      }
    }

    const idleRss = burstRss.samples[0][1];
    console.log(
      markdownTable(
        ['phase', 'deliveries', 'received', 'duplicates', 'out of order', 'commit → last arrival', 'throughput', 'p50', 'p99', 'max'],
        phases.map((p) => [
          p.label,
          p.deliveries.toLocaleString('en-US'),
          p.received.toLocaleString('en-US'),
          String(p.duplicates),
          String(p.outOfOrder),
          `${num(p.seconds)} s`,
          `${num(p.received / p.seconds)} /s`,
          `${num(p.p50Ms)} ms`,
          `${num(p.p99Ms)} ms`,
          `${num(p.maxMs)} ms`,
        ]),
      ),
    );
    console.log(
      `server RSS: ${num(idleRss)} MB before the burst, peak ${num(burstRss.peakMb)} MB during it` +
        (TRICKLE_SCANS > 0 ? `, peak ${num(trickleRssPeak)} MB during the trickle` : '') +
        `; CPU over the burst: server ${num(cpu.server / 1000)} s, PostgreSQL ${num(cpu.postgres / 1000)} s; ` +
        `signatures verified with the SDK helper: ${signaturesOk}/${signaturesChecked}`,
    );
    if (phases.some((p) => p.received < p.deliveries)) process.exitCode = 1;
  } finally {
    await cleanUp();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
