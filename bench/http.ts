/**
 * Benchmark of issue 15 over HTTP: huikuan against the physical limit, a raw
 * `node:http` + `pg` endpoint answering the same JSON with one hand-written statement
 * (bench/raw-endpoint.ts). `npm run bench:http`.
 *
 * 1. Builds the ledger of the issue with SQL (bench/ledger.ts): 20 salespeople, 5,000
 *    customers, 100,000 receivables, about 74,000 payments; then one overdue scan as of
 *    today through the API, so the engine's state matches the ledger.
 * 2. Starts huikuan (`node dist/server/main.js`, NODE_ENV=production, signed in as a
 *    FINANCE user) and the raw endpoint, each its own process.
 * 3. Checks that both answer every operation with deep-equal JSON; stops with a list of
 *    the differences when they do not.
 * 4. Counts the SQL statements and sequential round trips of one request of each
 *    operation, seen on the wire by a relay between a second instance of each and
 *    PostgreSQL (bench/wire-probe.ts).
 * 5. Runs interleaved rounds with autocannon: per round the dashboard page, the point
 *    lookup and the aging report, huikuan and raw back to back (which goes first
 *    alternates per round), BENCH_CONNECTIONS connections for BENCH_SECONDS each. Per run:
 *    req/s, p50/p99 latency, Node CPU per request (/proc/<pid>/stat of the server),
 *    PostgreSQL CPU per request (the postmaster's process tree, embedded database only),
 *    statements per request (huikuan's /metrics counter), peak RSS (sampled every 100 ms).
 * 6. Keeps huikuan under sustained dashboard load at BENCH_SUSTAINED_CONNECTIONS and
 *    follows its RSS.
 * 7. Prints Markdown tables (min/median/max over rounds), the ratios huikuan ÷ raw per
 *    round, and the goals of the issue, met or not.
 *
 * Knobs (environment): BENCH_SECONDS (10), BENCH_ROUNDS (3), BENCH_CONNECTIONS (10),
 * BENCH_WARMUP_SECONDS (3), BENCH_SUSTAINED_SECONDS (30), BENCH_SUSTAINED_CONNECTIONS
 * (50), BENCH_SALESPEOPLE (20), BENCH_CUSTOMERS (5000), BENCH_RECEIVABLES (100000),
 * BENCH_PAGE_SIZE (50), BENCH_JSON (a file for every figure as JSON), EMBEDDED_PG_PORT
 * (55434), DATABASE_URL (an existing server with CREATEDB instead of an embedded one).
 * Server settings in the environment (e.g. CONCURRENT_OPERATIONS_PER_USER) reach huikuan.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import autocannon from 'autocannon';
import { Client as PgClient } from 'pg';
import { createClient } from '../sdk/index.js';
import { localDateAt } from '../server/core/local-date';
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
  startChild,
  startHuikuan,
  stopAllChildren,
  treeCpuMs,
  type ChildServer,
} from './bench-process';
import { envInt, formatSpread, markdownTable, median, num, spread, type Spread } from './bench-report';
import { generateLedger } from './ledger';
import { sequentialRoundTrips, startWireProbe, type WireStatement } from './wire-probe';

const SECONDS = envInt('BENCH_SECONDS', 10);
const ROUNDS = envInt('BENCH_ROUNDS', 3);
const CONNECTIONS = envInt('BENCH_CONNECTIONS', 10);
const WARMUP_SECONDS = envInt('BENCH_WARMUP_SECONDS', 3, 0);
const SUSTAINED_SECONDS = envInt('BENCH_SUSTAINED_SECONDS', 30, 0);
const SUSTAINED_CONNECTIONS = envInt('BENCH_SUSTAINED_CONNECTIONS', 50);
const PAGE_SIZE = envInt('BENCH_PAGE_SIZE', 50);
const SIZE = {
  salespeople: envInt('BENCH_SALESPEOPLE', 20),
  customers: envInt('BENCH_CUSTOMERS', 5000),
  receivables: envInt('BENCH_RECEIVABLES', 100_000),
};
const PG_PORT = envInt('EMBEDDED_PG_PORT', 55434);
const TIME_ZONE = 'Asia/Shanghai';
const FINANCE = { email: 'bench-finance@example.com', password: 'Bench-Ledger-Walnut-37' };

// ── The operations ──────────────────────────────────────────────────────────────

/** The dashboard page of the issue: a page of customers with owner, three balances and their first receivables. */
const DASHBOARD = /* GraphQL */ `
  query benchDashboard($first: Int!) {
    customers(first: $first) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        cursor
        node {
          id
          code
          name
          creditLimit
          owner {
            id
            name
          }
          outstanding
          overdueAmount
          creditBalance
          receivables(first: 5) {
            nodes {
              id
              reference
              amount
              dueOn
              outstanding
              status
            }
          }
        }
      }
    }
  }
`;

/** One customer by id. */
const CUSTOMER = /* GraphQL */ `
  query benchCustomer($id: ID!) {
    customer(id: $id) {
      id
      code
      name
      creditLimit
      outstanding
      owner {
        id
        name
      }
    }
  }
`;

const AGING_BUCKETS = 'total current d1to30 d31to60 d61to90 over90 disputed receivables overdueCount';
/** The aging report as of today, by salesperson. */
const AGING = /* GraphQL */ `
  query benchAging($asOf: LocalDate!) {
    agingReport(asOf: $asOf) {
      asOf
      ${AGING_BUCKETS}
      bySalesperson {
        salesperson {
          id
          name
        }
        ${AGING_BUCKETS}
      }
    }
  }
`;

type Work = 'dashboard' | 'point' | 'aging';
type ContenderName = 'huikuan' | 'raw';
const WORKS: { work: Work; label: string }[] = [
  { work: 'dashboard', label: `dashboard page: customers(first: ${PAGE_SIZE}) with owner, 3 balances, receivables(first: 5)` },
  { work: 'point', label: 'one customer by id' },
  { work: 'aging', label: 'agingReport as of today (PostgreSQL-bound)' },
];

interface Contender {
  name: ContenderName;
  server: ChildServer;
  /** autocannon options for one operation (the URL and request, or a request per call). */
  load(work: Work): autocannon.Options;
  /** One answer, parsed. */
  answer(work: Work, customerId?: string): Promise<unknown>;
}

interface Fixture {
  today: string;
  /** Customers the point lookups cycle through. */
  customerIds: string[];
}

function huikuanContender(server: ChildServer, token: string, fixture: Fixture): Contender {
  const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
  const body = (work: Work, customerId = fixture.customerIds[0]) =>
    JSON.stringify(
      work === 'dashboard'
        ? { query: DASHBOARD, variables: { first: PAGE_SIZE } }
        : work === 'point'
          ? { query: CUSTOMER, variables: { id: customerId } }
          : { query: AGING, variables: { asOf: fixture.today } },
    );
  return {
    name: 'huikuan',
    server,
    load(work) {
      const base = { url: server.url, method: 'POST' as const, headers, body: body(work) };
      if (work !== 'point') return base;
      let next = 0;
      return { ...base, requests: [{ setupRequest: (req) => ({ ...req, body: body('point', fixture.customerIds[next++ % fixture.customerIds.length]) }) }] };
    },
    async answer(work, customerId) {
      const response = await fetch(server.url, { method: 'POST', headers, body: body(work, customerId) });
      return response.json();
    },
  };
}

function rawContender(server: ChildServer, fixture: Fixture): Contender {
  const pathOf = (work: Work, customerId = fixture.customerIds[0]) =>
    work === 'dashboard' ? `/dashboard?first=${PAGE_SIZE}` : work === 'point' ? `/customer?id=${customerId}` : `/aging?asOf=${fixture.today}`;
  return {
    name: 'raw',
    server,
    load(work) {
      const base = { url: `${server.url}${pathOf(work)}`, method: 'GET' as const };
      if (work !== 'point') return base;
      let next = 0;
      return { ...base, requests: [{ setupRequest: (req) => ({ ...req, path: pathOf('point', fixture.customerIds[next++ % fixture.customerIds.length]) }) }] };
    },
    async answer(work, customerId) {
      const response = await fetch(`${server.url}${pathOf(work, customerId)}`);
      if (!response.ok) throw new Error(`raw endpoint ${pathOf(work, customerId)}: ${response.status} ${await response.text()}`);
      return response.json();
    },
  };
}

// ── Equal answers ───────────────────────────────────────────────────────────────

/** Where two JSON values differ, as "path: huikuan … ≠ raw …" lines (at most `limit`), and how many differences there are. */
function differences(a: unknown, b: unknown, limit = 15): { lines: string[]; count: number } {
  const lines: string[] = [];
  let count = 0;
  const show = (v: unknown) => (v === undefined ? 'missing' : JSON.stringify(v).slice(0, 80));
  const walk = (x: unknown, y: unknown, at: string) => {
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) {
        count++;
        if (lines.length < limit) lines.push(`${at}: huikuan has ${x.length} items, raw ${y.length}`);
      }
      for (let i = 0; i < Math.min(x.length, y.length); i++) walk(x[i], y[i], `${at}[${i}]`);
    } else if (x && y && typeof x === 'object' && typeof y === 'object' && !Array.isArray(x) && !Array.isArray(y)) {
      const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
      for (const key of keys) walk((x as Record<string, unknown>)[key], (y as Record<string, unknown>)[key], `${at}.${key}`);
    } else if (!isDeepStrictEqual(x, y)) {
      count++;
      if (lines.length < limit) lines.push(`${at}: huikuan ${show(x)} ≠ raw ${show(y)}`);
    }
  };
  walk(a, b, '$');
  return { lines, count };
}

async function checkEqualAnswers(huikuan: Contender, raw: Contender, fixture: Fixture): Promise<void> {
  const cases: { work: Work; customerId?: string }[] = [
    { work: 'dashboard' },
    ...fixture.customerIds.slice(0, 5).map((customerId) => ({ work: 'point' as const, customerId })),
    { work: 'aging' },
  ];
  const failures: string[] = [];
  for (const { work, customerId } of cases) {
    const [h, r] = await Promise.all([huikuan.answer(work, customerId), raw.answer(work, customerId)]);
    const label = customerId ? `${work} ${customerId}` : work;
    if ((h as { errors?: unknown }).errors) {
      failures.push(`${label}: huikuan answered with errors: ${JSON.stringify((h as { errors: unknown }).errors).slice(0, 300)}`);
      continue;
    }
    const diff = differences(h, r);
    if (diff.count > 0) failures.push(`${label}: ${diff.count} difference(s)\n    ${diff.lines.join('\n    ')}`);
    else console.log(`  ${label}: equal (${JSON.stringify(h).length.toLocaleString('en-US')} bytes of JSON)`);
  }
  if (failures.length > 0) throw new Error(`huikuan and the raw endpoint answer differently:\n  ${failures.join('\n  ')}`);
}

// ── Statements on the wire ──────────────────────────────────────────────────────

interface WireFigures {
  work: Work;
  contender: ContenderName;
  statements: number;
  roundTrips: number;
  /** The statements of the last probed request, in the order they were sent, with their round-trip step. */
  detail: { step: number; connection: number; ms: number; text: string }[];
}

/**
 * Statements and sequential round trips of one request of each operation: a second
 * instance of each contender talks to PostgreSQL through the relay; three requests warm
 * it up, the next three are recorded one at a time (the figures are their median).
 */
async function probeStatements(databaseUrl: string, fixture: Fixture, env: Record<string, string>): Promise<WireFigures[]> {
  const probe = await startWireProbe(databaseUrl);
  const servers: ChildServer[] = [];
  try {
    const huikuanServer = await startHuikuan(probe.url, env);
    servers.push(huikuanServer);
    const rawServer = await startRawEndpoint(probe.url);
    servers.push(rawServer);
    const token = (await createClient({ url: huikuanServer.url }).login(FINANCE)).login.token;
    const contenders = [huikuanContender(huikuanServer, token, fixture), rawContender(rawServer, fixture)];
    const figures: WireFigures[] = [];
    for (const { work } of WORKS) {
      for (const contender of contenders) {
        for (let i = 0; i < 3; i++) await contender.answer(work, fixture.customerIds[i]);
        const counts: number[] = [];
        const depths: number[] = [];
        let last: WireStatement[] = [];
        for (let i = 0; i < 3; i++) {
          probe.reset();
          await contender.answer(work, fixture.customerIds[3 + i]);
          await new Promise((r) => setTimeout(r, 50));
          last = probe.statements();
          counts.push(last.length);
          depths.push(sequentialRoundTrips(last).depth);
        }
        const { steps } = sequentialRoundTrips(last);
        const t0 = last[0]?.sentAt ?? 0;
        figures.push({
          work,
          contender: contender.name,
          statements: median(counts),
          roundTrips: median(depths),
          detail: last.map((s, i) => ({ step: steps[i], connection: s.connection, ms: s.sentAt - t0, text: s.text })),
        });
      }
    }
    return figures;
  } finally {
    for (const server of servers) await server.stop();
    await probe.close();
  }
}

// ── Load ────────────────────────────────────────────────────────────────────────

interface RunFigures {
  work: Work;
  contender: ContenderName;
  round: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  nodeCpuMsPerRequest: number;
  pgCpuMsPerRequest: number;
  /** From huikuan's /metrics counter (NaN for the raw endpoint). */
  statementsPerRequest: number;
  peakRssMb: number;
  /** CPU of this process (autocannon) as % of one core. */
  clientCpuPercent: number;
  /** Connection errors, timeouts, non-2xx answers and answers that were no `{"data": …}`. */
  failures: number;
}

const looksLikeData = (body: string | Buffer | undefined) => {
  const text = String(body ?? '');
  return /^\{\s*"data"\s*:/.test(text) && !text.includes('"errors"');
};

/**
 * One autocannon run. Per-request costs divide by the requests the server handled: for
 * huikuan its own operation counter once it has finished what was in flight when the
 * load stopped; for the raw endpoint the requests sent (it answers each at once).
 */
async function run(
  contender: Contender,
  work: Work,
  connections: number,
  seconds: number,
  round: number,
  postgresPid: number | undefined,
): Promise<RunFigures> {
  const pid = contender.server.pid;
  const isHuikuan = contender.name === 'huikuan';
  const countersBefore = isHuikuan ? await serverCounters(contender.server.url) : undefined;
  const cpuBefore = cpuMs(pid);
  const pgBefore = postgresPid ? treeCpuMs(postgresPid) : NaN;
  const clientBefore = process.cpuUsage();
  const rss = sampleRss(pid);
  const result = await autocannon({ ...contender.load(work), connections, duration: seconds, verifyBody: looksLikeData });
  const client = process.cpuUsage(clientBefore);
  const countersAfter = isHuikuan ? await settled(contender.server.url) : undefined;
  if (!isHuikuan) await new Promise((r) => setTimeout(r, 250));
  const { peakMb } = rss.stop();
  const nodeCpu = cpuMs(pid) - cpuBefore;
  const pgCpu = postgresPid ? treeCpuMs(postgresPid) - pgBefore : NaN;
  const handled = countersBefore && countersAfter ? countersAfter.operations - countersBefore.operations : result.requests.sent;
  const statements = countersBefore && countersAfter ? countersAfter.statements - countersBefore.statements : NaN;
  return {
    work,
    contender: contender.name,
    round,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    nodeCpuMsPerRequest: nodeCpu / handled,
    pgCpuMsPerRequest: pgCpu / handled,
    statementsPerRequest: statements / handled,
    peakRssMb: peakMb,
    clientCpuPercent: ((client.user + client.system) / 1000 / (result.duration * 1000)) * 100,
    failures: result.errors + result.non2xx + result.mismatches,
  };
}

interface SustainedFigures {
  connections: number;
  seconds: number;
  rps: number;
  p99: number;
  failures: number;
  startRssMb: number;
  peakRssMb: number;
  endRssMb: number;
  /** [second, MB] every 5 s. */
  timeline: [number, number][];
}

async function sustained(contender: Contender): Promise<SustainedFigures> {
  const pid = contender.server.pid;
  const startRssMb = rssMb(pid);
  const rss = sampleRss(pid);
  const result = await autocannon({
    ...contender.load('dashboard'),
    connections: SUSTAINED_CONNECTIONS,
    duration: SUSTAINED_SECONDS,
    verifyBody: looksLikeData,
  });
  const { peakMb, samples } = rss.stop();
  const timeline: [number, number][] = [];
  for (let s = 0; s < SUSTAINED_SECONDS; s += 5) {
    const at = samples.find(([ms]) => ms >= s * 1000) ?? samples[samples.length - 1];
    timeline.push([s, at[1]]);
  }
  const [lastMs, lastMb] = samples[samples.length - 1];
  timeline.push([Math.round(lastMs / 1000), lastMb]);
  await new Promise((r) => setTimeout(r, 2000));
  return {
    connections: SUSTAINED_CONNECTIONS,
    seconds: SUSTAINED_SECONDS,
    rps: result.requests.total / result.duration,
    p99: result.latency.p99,
    failures: result.errors + result.non2xx + result.mismatches,
    startRssMb,
    peakRssMb: peakMb,
    endRssMb: rssMb(pid),
    timeline,
  };
}

// ── Report ──────────────────────────────────────────────────────────────────────

const of = (runs: RunFigures[], work: Work, contender: ContenderName) => runs.filter((r) => r.work === work && r.contender === contender);
const spreadOf = (runs: RunFigures[], pick: (r: RunFigures) => number) => spread(runs.map(pick));

/** huikuan ÷ raw of each round (the two ran back to back), over rounds. */
function ratio(runs: RunFigures[], work: Work, pick: (r: RunFigures) => number): Spread {
  const values = of(runs, work, 'huikuan').map((h) => pick(h) / pick(of(runs, work, 'raw').find((r) => r.round === h.round)!));
  return spread(values);
}

function report(runs: RunFigures[], wire: WireFigures[], load: SustainedFigures | undefined): string {
  const out: string[] = [];
  const rows: string[][] = [];
  for (const { work, label } of WORKS) {
    for (const contender of ['huikuan', 'raw'] as const) {
      const rs = of(runs, work, contender);
      const failures = rs.reduce((n, r) => n + r.failures, 0);
      rows.push([
        contender === 'huikuan' ? label : '',
        contender === 'huikuan' ? 'huikuan' : 'raw SQL endpoint',
        formatSpread(spreadOf(rs, (r) => r.rps)) + (failures ? ` ⚠ ${failures} failed` : ''),
        formatSpread(spreadOf(rs, (r) => r.p50)),
        formatSpread(spreadOf(rs, (r) => r.p99)),
        formatSpread(spreadOf(rs, (r) => r.nodeCpuMsPerRequest)),
        formatSpread(spreadOf(rs, (r) => r.pgCpuMsPerRequest)),
        contender === 'huikuan' ? formatSpread(spreadOf(rs, (r) => r.statementsPerRequest)) : '–',
        num(Math.max(...rs.map((r) => r.peakRssMb))),
        formatSpread(
          spreadOf(rs, (r) => r.clientCpuPercent),
          (v) => v.toFixed(0),
        ),
      ]);
    }
  }
  out.push(
    `### ${ROUNDS} interleaved rounds, ${CONNECTIONS} connections, ${SECONDS} s per run: median (min–max) over rounds`,
    '',
    markdownTable(
      [
        'work',
        'contender',
        'req/s',
        'p50 ms',
        'p99 ms',
        'Node CPU ms/req',
        'PostgreSQL CPU ms/req',
        'statements/req (/metrics)',
        'peak RSS MB',
        'client CPU %',
      ],
      rows,
    ),
    '',
  );

  out.push(
    '### huikuan ÷ raw, per round: median (min–max)',
    '',
    markdownTable(
      ['work', 'req/s', 'p99 latency', 'Node CPU per request'],
      WORKS.map(({ work }) => [
        work,
        `${formatSpread(
          ratio(runs, work, (r) => r.rps),
          (v) => v.toFixed(2),
        )}×`,
        `${formatSpread(
          ratio(runs, work, (r) => r.p99),
          (v) => v.toFixed(1),
        )}×`,
        `${formatSpread(
          ratio(runs, work, (r) => r.nodeCpuMsPerRequest),
          (v) => v.toFixed(0),
        )}×`,
      ]),
    ),
    '',
  );

  out.push(
    '### One request on the wire (a second instance of each behind a relay that reads the PostgreSQL protocol)',
    '',
    markdownTable(
      ['work', 'contender', 'SQL statements', 'sequential round trips'],
      wire.map((w) => [w.work, w.contender, String(w.statements), String(w.roundTrips)]),
    ),
    '',
  );
  const dashboard = wire.find((w) => w.work === 'dashboard' && w.contender === 'huikuan');
  if (dashboard) {
    out.push(
      'huikuan dashboard request, statement by statement (step = sequential round trip):',
      '',
      ...dashboard.detail.map((d) => `    step ${d.step}  conn ${d.connection}  +${d.ms.toFixed(1).padStart(6)} ms  ${d.text.slice(0, 150)}`),
      '',
    );
  }

  if (load) {
    out.push(
      `### Sustained dashboard load on huikuan: ${load.connections} connections for ${load.seconds} s`,
      '',
      `${num(load.rps)} req/s, p99 ${num(load.p99)} ms${load.failures ? `, ⚠ ${load.failures} failed` : ''}; RSS ${num(load.startRssMb)} MB before, peak ${num(load.peakRssMb)} MB, ${num(load.endRssMb)} MB 2 s after`,
      `RSS over time (s: MB): ${load.timeline.map(([s, mb]) => `${s}: ${num(mb)}`).join(' · ')}`,
      '',
    );
  }

  const h = (work: Work, pick: (r: RunFigures) => number) => spreadOf(of(runs, work, 'huikuan'), pick);
  const times = (v: number) => `${v.toFixed(2)}×`;
  const ms = (v: number) => `${num(v)} ms`;
  const mb = (v: number) => `${num(v)} MB`;
  const goals: { goal: string; target: string; measured: Spread | number | undefined; met: (v: number) => boolean; format: (v: number) => string }[] = [
    { goal: 'dashboard throughput ÷ raw', target: '≥ 0.5×', measured: ratio(runs, 'dashboard', (r) => r.rps), met: (v) => v >= 0.5, format: times },
    { goal: 'Node CPU per dashboard request', target: '≤ 3 ms', measured: h('dashboard', (r) => r.nodeCpuMsPerRequest), met: (v) => v <= 3, format: ms },
    { goal: 'SQL statements per dashboard request', target: '≤ 4', measured: dashboard?.statements, met: (v) => v <= 4, format: String },
    { goal: 'sequential round trips per dashboard request', target: '≤ 2', measured: dashboard?.roundTrips, met: (v) => v <= 2, format: String },
    { goal: 'point lookup throughput ÷ raw', target: '≥ 0.3×', measured: ratio(runs, 'point', (r) => r.rps), met: (v) => v >= 0.3, format: times },
    { goal: 'aging report throughput ÷ raw', target: '≥ 0.9×', measured: ratio(runs, 'aging', (r) => r.rps), met: (v) => v >= 0.9, format: times },
    {
      goal: `peak RSS, sustained dashboard load at ${SUSTAINED_CONNECTIONS} connections`,
      target: '< 300 MB',
      measured: load?.peakRssMb,
      met: (v) => v < 300,
      format: mb,
    },
  ];
  out.push(
    '### Goals of issue 15 (judged on the median over rounds)',
    '',
    markdownTable(
      ['goal', 'target', 'measured', ''],
      goals.map(({ goal, target, measured, met, format }) => {
        if (measured === undefined) return [goal, target, 'not measured', '–'];
        const s = typeof measured === 'number' ? { min: measured, median: measured, max: measured } : measured;
        return [goal, target, formatSpread(s, format), met(s.median) ? 'met' : '**not met**'];
      }),
    ),
  );
  return out.join('\n');
}

// ── Main ────────────────────────────────────────────────────────────────────────

function startRawEndpoint(databaseUrl: string): Promise<ChildServer> {
  return startChild(
    path.resolve(__dirname, 'raw-endpoint.js'),
    { DATABASE_URL: databaseUrl, TIME_ZONE: TIME_ZONE, PORT: '0' },
    /raw endpoint:\s+(http:\/\/\S+)/,
  );
}

async function main(): Promise<void> {
  const today = localDateAt(new Date(), TIME_ZONE);
  console.log(
    `bench:http at ${commitOf()}, ${new Date().toISOString()}, today ${today} (${TIME_ZONE}); Node ${process.version}, ` +
      `${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(2)}; ` +
      `CONCURRENT_OPERATIONS_PER_USER=${process.env.CONCURRENT_OPERATIONS_PER_USER ?? '4 (default)'}`,
  );
  const db = await createBenchDatabase('bench-http', PG_PORT);
  const pg = new PgClient({ connectionString: db.databaseUrl });
  const cleanUp = cleanUpOnce(async () => {
    await pg.end().catch(() => undefined);
    await stopAllChildren();
    await db.drop();
  });
  try {
    await pg.connect();
    const env = { TIME_ZONE, ...adminEnv };
    const huikuanServer = await startHuikuan(db.databaseUrl, env);
    const admin = createClient({ url: huikuanServer.url, token: (await createClient({ url: huikuanServer.url }).login(ADMIN)).login.token });
    await admin.createUser({ input: { ...FINANCE, name: 'Bench Finance', role: 'FINANCE' } });
    const token = (await createClient({ url: huikuanServer.url }).login(FINANCE)).login.token;
    // The ledger comes after the first start: huikuan creates its first ADMIN only in a database without users.
    const ledger = await generateLedger(pg, SIZE, today, TIME_ZONE);
    console.log(
      `ledger: ${SIZE.salespeople} salespeople, ${SIZE.customers.toLocaleString('en-US')} customers, ` +
        `${ledger.receivables.toLocaleString('en-US')} receivables (${ledger.openReceivables.toLocaleString('en-US')} open, ` +
        `${ledger.overdueReceivables.toLocaleString('en-US')} past due), ${ledger.payments.toLocaleString('en-US')} payments ` +
        `(${ledger.paymentsWithSeveralAllocations.toLocaleString('en-US')} with several allocations), ` +
        `${ledger.allocations.toLocaleString('en-US')} allocations, ${ledger.customersWithCredit.toLocaleString('en-US')} customers with credit; ` +
        `${ledger.seconds.toFixed(0)} s`,
    );

    const scan = (await admin.runOverdueScan({ asOf: today })).runOverdueScan;
    console.log(
      `overdue scan as of ${today} through the API: ${scan.becameOverdue.toLocaleString('en-US')} receivables became overdue in ${scan.durationMs} ms`,
    );
    await pg.query('vacuum analyze');

    const fixture: Fixture = {
      today,
      customerIds: (await pg.query<{ id: string }>(`select id from customer order by hashtext(id::text) limit 200`)).rows.map((r) => r.id),
    };
    const rawServer = await startRawEndpoint(db.databaseUrl);
    const huikuan = huikuanContender(huikuanServer, token, fixture);
    const raw = rawContender(rawServer, fixture);

    console.log('checking that both answer the same JSON:');
    await checkEqualAnswers(huikuan, raw, fixture);

    console.log('counting statements on the wire …');
    const wire = await probeStatements(db.databaseUrl, fixture, env);

    if (WARMUP_SECONDS > 0) {
      console.log(`warm-up: ${WARMUP_SECONDS} s per operation and contender`);
      for (const { work } of WORKS) for (const c of [huikuan, raw]) await run(c, work, CONNECTIONS, WARMUP_SECONDS, 0, db.postgresPid);
    }
    const runs: RunFigures[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 === 1 ? [huikuan, raw] : [raw, huikuan];
      for (const { work } of WORKS) {
        for (const contender of order) {
          const figures = await run(contender, work, CONNECTIONS, SECONDS, round, db.postgresPid);
          runs.push(figures);
          console.log(
            `round ${round} ${work.padEnd(9)} ${contender.name.padEnd(7)} ${num(figures.rps).padStart(7)} req/s  p50 ${num(figures.p50)} ms  p99 ${num(figures.p99)} ms  ` +
              `Node ${num(figures.nodeCpuMsPerRequest)} ms/req  PG ${num(figures.pgCpuMsPerRequest)} ms/req  RSS ${num(figures.peakRssMb)} MB` +
              (figures.failures ? `  ⚠ ${figures.failures} failed` : ''),
          );
        }
      }
    }
    let load: SustainedFigures | undefined;
    if (SUSTAINED_SECONDS > 0) {
      console.log(`sustained dashboard load: ${SUSTAINED_CONNECTIONS} connections for ${SUSTAINED_SECONDS} s on huikuan`);
      load = await sustained(huikuan);
    }

    console.log(`\n## bench:http at ${commitOf()}, ${today}\n`);
    console.log(report(runs, wire, load));
    if (process.env.BENCH_JSON) {
      fs.writeFileSync(process.env.BENCH_JSON, JSON.stringify({ commit: commitOf(), today, size: SIZE, ledger, runs, wire, load }, null, 2));
      console.log(`\nevery figure: ${process.env.BENCH_JSON}`);
    }
  } finally {
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
