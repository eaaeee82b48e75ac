/**
 * Dev aid (not the bench:http): the dashboard page and the point lookup against
 * the compiled server, on a generated ledger, measured the cheap way. Prints, per
 * scenario, requests per second, the server's CPU per request (utime + stime from
 * /proc/<pid>/stat) and SQL statements per request (GET /metrics), sequentially and with
 * concurrency. `npm run build && node dist/bench/dashboard-quick.js [customers] [requests]`.
 *
 * SERVER_MAINS lists builds of the server (comma-separated paths of main.js, e.g. a copy
 * of an older dist/ next to a node_modules link) to compare on the same data, ROUNDS
 * interleaved rounds; RAW=1 also measures a plain node:http + pg endpoint answering the
 * same page with one json_agg statement.
 */
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { Client as PgClient, Pool } from 'pg';
import { createBenchDatabase } from './bench-database';
import { cleanUpOnce } from './bench-process';

const CUSTOMERS = Number(process.argv[2] ?? 5000);
const REQUESTS = Number(process.argv[3] ?? 300);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 8);
const ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Granite-Orchard-64' };
const METRICS_TOKEN = 'bench-metrics-token-0123456789';
const PG_PORT = Number(process.env.EMBEDDED_PG_PORT ?? 55231);

const DASHBOARD = `query dashboard {
  customers(first: 50) { totalCount edges { cursor node { id code name owner { id name } outstanding overdueAmount creditBalance
    receivables(first: 5) { totalCount nodes { id reference amount outstanding dueOn effectiveDueOn status } } } }
    pageInfo { hasNextPage endCursor } } }`;
const DASHBOARD_LEAN = `query dashboardLean {
  customers(first: 50) { nodes { id code name owner { id name } outstanding overdueAmount creditBalance
    receivables(first: 5) { nodes { id reference amount outstanding dueOn effectiveDueOn status } } }
    pageInfo { hasNextPage endCursor } } }`;
const POINT = `query point($id: ID!) { customer(id: $id) { id code name owner { name } outstanding overdueAmount creditBalance } }`;

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
}

function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

function post(url: string, body: string, headers: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 300)}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function gql<T>(url: string, token: string | undefined, query: string, variables: object = {}): Promise<T> {
  const text = await post(url, JSON.stringify({ query, variables }), token ? { authorization: `Bearer ${token}` } : {});
  const json = JSON.parse(text) as { data?: T; errors?: unknown[] };
  if (json.errors) throw new Error(JSON.stringify(json.errors).slice(0, 500));
  return json.data!;
}

async function statements(metricsUrl: string): Promise<number> {
  const text = await new Promise<string>((resolve, reject) => {
    http
      .get(metricsUrl, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } }, (res) => {
        let out = '';
        res.on('data', (c: Buffer) => (out += c.toString()));
        res.on('end', () => resolve(out));
      })
      .on('error', reject);
  });
  const line = text.split('\n').find((l) => l.startsWith('huikuan_db_statements_total '));
  return Number(line?.split(' ')[1] ?? NaN);
}

interface Run {
  label: string;
  reqPerSec: number;
  cpuMsPerReq: number;
  statementsPerReq: number;
  p50: number;
  p99: number;
}

async function measure(
  label: string,
  pid: number,
  fire: (i: number) => Promise<unknown>,
  count: number,
  concurrency: number,
  metricsUrl?: string,
): Promise<Run> {
  for (let i = 0; i < Math.min(30, count); i++) await fire(i); // warm-up
  const s0 = metricsUrl ? await statements(metricsUrl) : NaN;
  const c0 = cpuTicks(pid);
  const t0 = process.hrtime.bigint();
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const i = next++;
        const started = process.hrtime.bigint();
        await fire(i);
        latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuMs = (cpuTicks(pid) - c0) * 10;
  const s1 = metricsUrl ? await statements(metricsUrl) : NaN;
  latencies.sort((a, b) => a - b);
  return {
    label,
    reqPerSec: count / seconds,
    cpuMsPerReq: cpuMs / count,
    // The /metrics read itself is one request without statements.
    statementsPerReq: (s1 - s0) / count,
    p50: latencies[Math.floor(count * 0.5)],
    p99: latencies[Math.min(count - 1, Math.floor(count * 0.99))],
  };
}

function startServer(main: string, env: Record<string, string>, args: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  // SERVER_NODE_ARGS, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", go to the server process only.
  const nodeArgs = env.DATABASE_URL ? (process.env.SERVER_NODE_ARGS ?? '').split(' ').filter(Boolean) : [];
  const child = spawn(process.execPath, [...nodeArgs, main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(?:GraphQL:|raw endpoint:)\s+(\S+)/.exec(out);
      if (match) resolve({ url: match[1], child });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

// ── The raw endpoint: node:http + pg, one json_agg statement per request ──────────

const RAW_PAGE = `
  select json_build_object('customers', json_build_object(
    'totalCount', (select count(*) from customer),
    'edges', coalesce(json_agg(json_build_object('cursor', '', 'node', json_build_object(
      'id', p.id, 'code', p.code, 'name', p.name, 'owner', json_build_object('id', u.id, 'name', u.name),
      'outstanding', to_char(b.outstanding, 'FM999999999999990.00'), 'overdueAmount', to_char(b.overdue, 'FM999999999999990.00'),
      'creditBalance', to_char(b.credit, 'FM999999999999990.00'),
      'receivables', json_build_object('totalCount', (select count(*) from receivable r where r.customer_id = p.id),
        'nodes', (select coalesce(json_agg(json_build_object('id', r.id, 'reference', r.reference,
                    'amount', to_char(r.amount, 'FM999999999999990.00'), 'outstanding', to_char(r.outstanding, 'FM999999999999990.00'),
                    'dueOn', r.due_on, 'effectiveDueOn', r.effective_due_on,
                    'status', case when r.outstanding = 0 then case when r.written_off_at is null then 'PAID' else 'WRITTEN_OFF' end
                                   when r.outstanding < r.amount then 'PARTIALLY_PAID' else 'OPEN' end) order by r.due_on, r.id), '[]')
                  from (select * from receivable r where r.customer_id = p.id order by r.due_on, r.id limit 5) r))
    )) order by p.code), '[]'),
    'pageInfo', json_build_object('hasNextPage', true, 'endCursor', '')
  )) as body
  from (select * from customer order by code limit 50) p
  join app_user u on u.id = p.owner_id
  cross join lateral (select
    coalesce((select sum(r.outstanding) from receivable r where r.customer_id = p.id), 0) as outstanding,
    coalesce((select sum(r.outstanding) from receivable r where r.customer_id = p.id and r.outstanding > 0
                and r.effective_due_on < current_date and r.issued_on <= current_date), 0) as overdue,
    coalesce((select sum(x.unallocated) from payment x where x.customer_id = p.id and x.voided_at is null), 0) as credit) b`;

const RAW_POINT = `
  select json_build_object('customer', json_build_object('id', c.id, 'code', c.code, 'name', c.name, 'owner', json_build_object('name', u.name),
    'outstanding', to_char(coalesce((select sum(r.outstanding) from receivable r where r.customer_id = c.id), 0), 'FM999999999999990.00'),
    'overdueAmount', to_char(coalesce((select sum(r.outstanding) from receivable r where r.customer_id = c.id and r.outstanding > 0
                and r.effective_due_on < current_date and r.issued_on <= current_date), 0), 'FM999999999999990.00'),
    'creditBalance', to_char(coalesce((select sum(x.unallocated) from payment x where x.customer_id = c.id and x.voided_at is null), 0), 'FM999999999999990.00')))
    as body
  from customer c join app_user u on u.id = c.owner_id where c.id = $1`;

async function rawServer(databaseUrl: string): Promise<void> {
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });
  // The bench drops the database under it at the end or on Ctrl-C: idle connections end, nothing else.
  pool.on('error', () => undefined);
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const { variables } = JSON.parse(body) as { variables?: { id?: string } };
      const query = variables?.id ? pool.query<{ body: unknown }>(RAW_POINT, [variables.id]) : pool.query<{ body: unknown }>(RAW_PAGE);
      query.then(
        (r) => {
          res.setHeader('content-type', 'application/json');
          res.end(JSON.stringify({ data: r.rows[0]?.body ?? null }));
        },
        (e: Error) => {
          res.statusCode = 500;
          res.end(e.message);
        },
      );
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    console.log(`raw endpoint: http://127.0.0.1:${port}/`);
  });
}

// ── Data ─────────────────────────────────────────────────────────────────────────

async function generate(databaseUrl: string): Promise<void> {
  const pg = new PgClient({ connectionString: databaseUrl });
  // Ctrl-C drops the database under it (cleanUpOnce): the query in flight fails, nothing else.
  pg.on('error', () => undefined);
  await pg.connect();
  try {
    const receivables = CUSTOMERS * 20;
    await pg.query(
      `insert into app_user (id, email, name, role)
       select gen_random_uuid(), 'bench-sales-' || i || '@example.com', 'Sales ' || lpad(i::text, 2, '0'), 'SALES' from generate_series(1, 20) i;
       insert into app_user (id, email, name, role) values (gen_random_uuid(), 'bench-finance@example.com', 'Finance', 'FINANCE');`,
    );
    await pg.query(
      `with s as (select id, row_number() over (order by name) - 1 as n from app_user where role = 'SALES')
       insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
       select gen_random_uuid(), 'C' || lpad(i::text, 6, '0'), 'Customer ' || i, s.id, 30, 1000000
         from generate_series(0, $1::int - 1) i join s on s.n = i % 20`,
      [CUSTOMERS],
    );
    await pg.query(
      `create unlogged table bench_plan as
       with c as (select id, owner_id, row_number() over (order by code) - 1 as n from customer),
       g as (select i, current_date - 700 + (i % 700) as issued_on, (100 + (i::bigint * 7919) % 9900)::numeric(16,2) as amount,
                    (i::bigint * 2654435761) % 100 as roll from generate_series(1, $1::int) i)
       select gen_random_uuid() as id, c.id as customer_id, c.owner_id, g.i, g.issued_on, g.issued_on + 30 as due_on, g.amount,
              case when g.roll < 74 then g.amount when g.roll < 84 then round(g.amount / 2, 2) else 0 end as paid,
              least(current_date, g.issued_on + 30 + (g.roll % 20)::int - 10) as received_on
         from g join c on c.n = g.i % $2::int`,
      [receivables, CUSTOMERS],
    );
    await pg.query(`
      insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
      select id, customer_id, owner_id, 'R' || i, amount, issued_on, due_on, due_on, amount - paid from bench_plan;
      insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method)
      select id, customer_id, paid, 0, received_on, received_on + time '10:00', (select id from app_user where role = 'FINANCE'), 0, 'BANK_TRANSFER'
        from bench_plan where paid > 0;
      insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on)
      select gen_random_uuid(), id, id, paid, received_on, issued_on from bench_plan where paid > 0;
      insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method)
      select gen_random_uuid(), c.id, 500, 500, current_date - 3, now(), (select id from app_user where role = 'FINANCE'), 0, 'CASH'
        from customer c where c.code like '%7';
      -- Every receivable has its state row (made by trigger); the alarms, as a scan of today would set them.
      update receivable_overdue_state o
         set stage = case when current_date - r.due_on > 90 then 90 when current_date - r.due_on > 60 then 60
                          when current_date - r.due_on > 30 then 30 else 1 end,
             judged_on = current_date
        from receivable r
       where r.id = o.receivable_id and r.outstanding > 0 and r.due_on < current_date;
      drop table bench_plan;
    `);
    await pg.query('vacuum analyze');
  } finally {
    await pg.end();
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === '--raw') {
    await rawServer(process.argv[3]);
    return;
  }
  const db = await createBenchDatabase('bench-dashboard', PG_PORT);
  const children: ChildProcess[] = [];
  const cleanUp = cleanUpOnce(async () => {
    for (const child of children) child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 1000));
    await db.drop();
    agent.destroy();
  });
  try {
    const mains = (process.env.SERVER_MAINS ?? path.join(__dirname, '../server/main.js')).split(',').map((m) => path.resolve(m));
    const env = {
      DATABASE_URL: db.databaseUrl,
      PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      OVERDUE_SCAN_INTERVAL: '0',
      WEEKLY_ANALYSIS_AT: 'off',
      METRICS_TOKEN,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
    };
    const contenders: { label: string; pid: number; fire: [string, (i: number) => Promise<unknown>][]; metricsUrl?: string }[] = [];
    let ids: string[] = [];
    for (const [n, main] of mains.entries()) {
      const server = await startServer(main, env);
      children.push(server.child);
      if (n === 0) {
        // After the first start: the first administrator is made in an empty database only.
        const t0 = Date.now();
        await generate(db.databaseUrl);
        console.log(`data: ${CUSTOMERS} customers, ${CUSTOMERS * 20} receivables in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      }
      const url = server.url;
      const { login } = await gql<{ login: { token: string } }>(
        url,
        undefined,
        `mutation { login(email: "${ADMIN.email}", password: "${ADMIN.password}") { token } }`,
      );
      const token = login.token;
      if (n === 0) {
        ids = (await gql<{ customers: { nodes: { id: string }[] } }>(url, token, '{ customers(first: 200) { nodes { id } } }')).customers.nodes.map(
          (c) => c.id,
        );
      }
      console.log(`#${n}: ${main}`);
      contenders.push({
        label: `#${n}`,
        pid: server.child.pid!,
        metricsUrl: url.replace(/\/graphql$/, '/metrics'),
        fire: [
          ['dashboard', () => gql(url, token, DASHBOARD)],
          ['dashboard lean', () => gql(url, token, DASHBOARD_LEAN)],
          ['point lookup', (i) => gql(url, token, POINT, { id: ids[i % ids.length] })],
        ],
      });
    }
    if (process.env.RAW === '1') {
      const raw = await startServer(process.argv[1], {}, ['--raw', db.databaseUrl]);
      children.push(raw.child);
      contenders.push({
        label: 'raw',
        pid: raw.child.pid!,
        fire: [
          ['dashboard', () => post(raw.url, '{}', {})],
          ['point lookup', (i) => post(raw.url, JSON.stringify({ variables: { id: ids[i % ids.length] } }), {})],
        ],
      });
    }
    const runs: Run[] = [];
    const rounds = Number(process.env.ROUNDS ?? 1);
    for (let round = 1; round <= rounds; round++) {
      // Interleaved: each round measures every contender, so load from elsewhere hits all alike.
      for (const contender of contenders) {
        for (const [label, fire] of contender.fire.filter(([l]) => !process.env.ONLY || l === process.env.ONLY)) {
          const point = label === 'point lookup';
          const tag = `${contender.label} r${round} ${label}`;
          runs.push(await measure(`${tag}, seq`, contender.pid, fire, REQUESTS, 1, contender.metricsUrl));
          runs.push(await measure(`${tag}, ${CONCURRENCY} conc`, contender.pid, fire, REQUESTS * (point ? 4 : 1), CONCURRENCY, contender.metricsUrl));
        }
      }
    }
    console.log(contenders.map((c) => `${c.label} RSS ${rssMb(c.pid).toFixed(0)} MB`).join(', '));
    console.log('scenario                                  req/s   CPU ms/req  stmts/req   p50 ms   p99 ms');
    for (const r of runs) {
      console.log(
        `${r.label.padEnd(38)} ${r.reqPerSec.toFixed(0).padStart(7)} ${r.cpuMsPerReq.toFixed(2).padStart(11)} ${(Number.isNaN(r.statementsPerReq) ? '-' : r.statementsPerReq.toFixed(2)).padStart(10)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}`,
      );
    }
  } finally {
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
