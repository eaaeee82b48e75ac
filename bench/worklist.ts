/**
 * Benchmark of issue 10's worklist: `collectionWorklist` over 100,000 receivables of one
 * salesperson, over HTTP with the SDK. `npm run bench:worklist`.
 *
 * 1. Builds the ledger with SQL (bench/ledger.ts): BENCH_RECEIVABLES (100,000)
 *    receivables of BENCH_CUSTOMERS (2,000) customers, all owned by one salesperson
 *    (BENCH_SALESPEOPLE, 1), mostly paid, some in part, some late.
 * 2. Starts huikuan (production mode, no schedules), signs in as the admin, creates the
 *    salesperson who collects (a SALES user with a password) and gives them every
 *    customer and receivable (SQL).
 * 3. Adds the collection work of the last weeks with SQL: per customer with money past
 *    due, 0–8 activities over the last 21 days (calls, visits, messages; reached, no
 *    answer, promised …) with next action dates; promises to pay for a third of them
 *    (open, kept, partial, broken); disputes of about 4 % of the overdue receivables (in
 *    full or in part; most open, some resolved).
 * 4. Runs one overdue scan as of today through the API (stages, promise judgements,
 *    credit statuses), then VACUUM ANALYZE.
 * 5. Times, as the salesperson, BENCH_REQUESTS (30) requests each of the first page and
 *    of a later page (the page after BENCH_SKIP_PAGES, 5, pages) of BENCH_PAGE_SIZE (20)
 *    items, one at a time, after BENCH_WARMUP (3) unmeasured requests: min / median / max
 *    round-trip time and the SQL statements per request (huikuan's /metrics counter).
 *    Goal: under 200 ms.
 *
 * Knobs (environment): the BENCH_* above, EMBEDDED_PG_PORT (55717), DATABASE_URL (an
 * existing server with CREATEDB instead of an embedded PostgreSQL); BENCH_EXPLAIN=1 prints
 * the first page's plan (EXPLAIN ANALYZE), BENCH_KEEP=1 keeps the database and server
 * running after the measurement until Ctrl-C.
 */
import os from 'node:os';
import { Client as PgClient } from 'pg';
import { createClient } from '../sdk/index.js';
import { localDateAt } from '../server/core/local-date';
import { createBenchDatabase } from './bench-database';
import { adminEnv, BENCH_ADMIN as ADMIN, cleanUpOnce, commitOf, serverCounters, startHuikuan, stopAllChildren } from './bench-process';
import { envInt, markdownTable, num, ProgressBar, spread } from './bench-report';
import { generateLedger } from './ledger';
import { compileSql } from '../server/db/sql';
import { afterItem, WORKLIST_SQL } from '../server/modules/worklist/worklist.queries';

const SIZE = {
  salespeople: envInt('BENCH_SALESPEOPLE', 1),
  customers: envInt('BENCH_CUSTOMERS', 2000),
  receivables: envInt('BENCH_RECEIVABLES', 100_000),
};
const REQUESTS = envInt('BENCH_REQUESTS', 30);
const WARMUP = envInt('BENCH_WARMUP', 3, 0);
const PAGE_SIZE = envInt('BENCH_PAGE_SIZE', 20);
const SKIP_PAGES = envInt('BENCH_SKIP_PAGES', 5);
const PG_PORT = envInt('EMBEDDED_PG_PORT', 55717);
const GOAL_MS = 200;
const TIME_ZONE = 'Asia/Shanghai';
const COLLECTOR = { email: 'bench-collector@example.com', password: 'Bench-Collector-Heron-58', name: 'Bench Collector' };

/** A uniform draw in [0, 1) from a row's key and stream `k` (deterministic, like bench/ledger.ts). */
const draw = (key: string, k: number) => `((abs(hashtext((${key})::text || ':${k}'))::bigint % 1000003) / 1000003.0)`;

/** The collection work of the last weeks, with SQL; `collector` records everything. */
async function generateCollectionWork(pg: PgClient, today: string, collector: string): Promise<{ activities: number; promises: number; disputes: number }> {
  const bar = new ProgressBar('generating collection work', 4);
  bar.update(0, 'activities');
  // Customers with money past due today, and their oldest open receivable.
  await pg.query(
    `create unlogged table bench_overdue as
     select r.customer_id, min(r.effective_due_on) as oldest_due, sum(r.outstanding) as overdue,
            (array_agg(r.id order by r.effective_due_on, r.id))[1:3] as receivable_ids
       from receivable r where r.outstanding > 0 and r.effective_due_on < cast($1 as date)
      group by r.customer_id`,
    [today],
  );
  await pg.query(
    `insert into collection_activity (id, customer_id, kind, outcome, note, receivable_ids, occurred_at, occurred_on, next_action_on,
                                      recorded_by_id, recorded_at, idempotency_key)
     select gen_random_uuid(), o.customer_id,
            (array['CALL','CALL','CALL','VISIT','MESSAGE','EMAIL'])[1 + floor(${draw('o.customer_id::text || n', 1)} * 6)::int],
            (array['REACHED','REACHED','NO_ANSWER','NO_ANSWER','PROMISED','REFUSED','CLAIMS_PAID'])[1 + floor(${draw('o.customer_id::text || n', 2)} * 7)::int],
            'bench', o.receivable_ids[1:1], x.at, cast(x.at at time zone $2 as date),
            case when ${draw('o.customer_id::text || n', 4)} < 0.6 then cast($1 as date) + floor(${draw('o.customer_id::text || n', 5)} * 10)::int end,
            cast($3 as uuid), x.at, 'bench-' || o.customer_id || '-' || n
       from bench_overdue o
       cross join lateral generate_series(1, floor(${draw('o.customer_id', 6)} * 9)::int) n
       cross join lateral (select cast(cast($1 as date) - floor(${draw('o.customer_id::text || n', 3)} * 21)::int + time '10:00' as timestamp) at time zone $2 as at) x`,
    [today, TIME_ZONE, collector],
  );
  bar.update(1, 'promises');
  // A third of them promised: open (due in the next days), kept, partial or broken.
  await pg.query(
    `insert into promise_to_pay (id, customer_id, salesperson_id, receivable_ids, amount, promised_on, due_on, deadline_on, made_on, state,
                                 paid_amount, judged_on, kept_on, broken_on, recorded_by_id)
     select gen_random_uuid(), o.customer_id, cast($2 as uuid), o.receivable_ids[1:1], greatest(round(o.overdue / 3, 2), 1.00),
            p.promised_on, p.promised_on, p.promised_on + 1, p.promised_on - 3, p.state,
            case p.state when 'KEPT' then greatest(round(o.overdue / 3, 2), 1.00) when 'PARTIAL' then 1.00 else 0 end,
            least(cast($1 as date), p.promised_on + 2),
            case when p.state = 'KEPT' then p.promised_on end,
            case when p.state in ('BROKEN', 'PARTIAL') then p.promised_on + 2 end,
            cast($2 as uuid)
       from bench_overdue o
       cross join lateral (select case when ${draw('o.customer_id', 7)} < 0.5 then 'OPEN' when ${draw('o.customer_id', 7)} < 0.75 then 'BROKEN'
                                       when ${draw('o.customer_id', 7)} < 0.9 then 'KEPT' else 'PARTIAL' end as state) s
       cross join lateral (select s.state, case when s.state = 'OPEN' then cast($1 as date) + floor(${draw('o.customer_id', 8)} * 7)::int
                                                else cast($1 as date) - 3 - floor(${draw('o.customer_id', 8)} * 20)::int end as promised_on) p
      where ${draw('o.customer_id', 9)} < 0.34`,
    [today, collector],
  );
  bar.update(2, 'disputes');
  await pg.query(
    `insert into dispute (id, receivable_id, customer_id, amount, category, reason, state, opened_on, opened_by_id)
     select gen_random_uuid(), r.id, r.customer_id,
            case when ${draw('r.id', 11)} < 0.6 then r.outstanding else greatest(round(r.outstanding / 2, 2), 0.01) end,
            (array['PRICE','QUANTITY','QUALITY','DELIVERY','NOT_ORDERED','OTHER'])[1 + floor(${draw('r.id', 12)} * 6)::int],
            'bench', 'OPEN', cast($1 as date) - floor(${draw('r.id', 13)} * 30)::int, cast($2 as uuid)
       from receivable r
      where r.outstanding > 0 and r.effective_due_on < cast($1 as date) and ${draw('r.id', 10)} < 0.04`,
    [today, collector],
  );
  await pg.query('drop table bench_overdue');
  bar.update(3, 'vacuum analyze');
  await pg.query('vacuum analyze');
  bar.update(4, 'done');
  const { rows } = await pg.query<{ a: number; p: number; d: number }>(
    `select (select count(*) from collection_activity)::int as a, (select count(*) from promise_to_pay)::int as p, (select count(*) from dispute)::int as d`,
  );
  return { activities: rows[0].a, promises: rows[0].p, disputes: rows[0].d };
}

async function main(): Promise<void> {
  const load = os.loadavg();
  const db = await createBenchDatabase('bench-worklist', PG_PORT);
  const pg = new PgClient({ connectionString: db.databaseUrl });
  const cleanUp = cleanUpOnce(async () => {
    await stopAllChildren();
    await pg.end().catch(() => undefined);
    await db.drop();
  });
  try {
    await pg.connect();
    const today = localDateAt(new Date(), TIME_ZONE);
    // huikuan creates its first ADMIN only in a database without users: the ledger comes after the first start.
    // The first scan of the whole ledger is one long request on a loaded machine: generous limits for it.
    const server = await startHuikuan(db.databaseUrl, { TIME_ZONE, OPERATION_TIMEOUT: '10m', DB_STATEMENT_TIMEOUT: '10m', ...adminEnv });
    const admin = createClient({ url: server.url, token: (await createClient({ url: server.url }).login(ADMIN)).login.token });
    const collector = (await admin.createUser({ input: { ...COLLECTOR, role: 'SALES' } })).createUser.id;
    const ledger = await generateLedger(pg, SIZE, today, TIME_ZONE);
    console.log(
      `ledger: ${ledger.receivables.toLocaleString('en-US')} receivables (${ledger.openReceivables.toLocaleString('en-US')} open, ` +
        `${ledger.overdueReceivables.toLocaleString('en-US')} past due), ${SIZE.customers.toLocaleString('en-US')} customers, ${ledger.seconds.toFixed(0)} s`,
    );
    // Every customer and receivable is the collector's: 100,000 receivables of one salesperson.
    await pg.query('update customer set owner_id = $1', [collector]);
    await pg.query('update receivable set salesperson_id = $1', [collector]);
    const work = await generateCollectionWork(pg, today, collector);
    console.log(
      `collection work: ${work.activities.toLocaleString('en-US')} activities, ${work.promises.toLocaleString('en-US')} promises, ${work.disputes.toLocaleString('en-US')} disputes`,
    );
    const scanStarted = Date.now();
    const scan = (await admin.runOverdueScan({ asOf: today })).runOverdueScan;
    console.log(
      `overdue scan as of ${today}: ${scan.becameOverdue.toLocaleString('en-US')} receivables became overdue, ${((Date.now() - scanStarted) / 1000).toFixed(1)} s`,
    );
    await pg.query('vacuum analyze');

    const sales = createClient({ url: server.url, token: (await createClient({ url: server.url }).login(COLLECTOR)).login.token });
    const first = (await sales.collectionWorklist({ first: PAGE_SIZE })).collectionWorklist;
    let after = first.pageInfo.endCursor;
    for (let page = 1; page < SKIP_PAGES && after; page++)
      after = (await sales.collectionWorklist({ first: PAGE_SIZE, after })).collectionWorklist.pageInfo.endCursor;
    const top = first.edges[0]?.node;
    console.log(
      `worklist as of ${today}: ${first.totalCount.toLocaleString('en-US')} customers to chase; first: ${top?.customerCode} priority ${top?.priority} ` +
        `(${top?.chasedOverdueAmount} chased, stage ${top?.highestStage}); later page: after page ${SKIP_PAGES}`,
    );

    if (process.env.BENCH_EXPLAIN) {
      // The first page's statement as the server sends it (default config), with its plan and timings.
      const { text, values } = compileSql(WORKLIST_SQL, {
        date: today,
        ownerId: collector,
        lookahead: 3,
        stages: [1, 30, 60, 90],
        brokenDays: 30,
        tz: TIME_ZONE,
        limit: PAGE_SIZE + 1,
        after: afterItem(undefined),
      });
      let n = 0;
      const plan = await pg.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${text.replace(/\?/g, () => `$${++n}`)}`, values);
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }

    const rows: string[][] = [];
    let met = true;
    for (const [label, cursor] of [
      ['first page', undefined],
      [`page ${SKIP_PAGES + 1} (after a cursor)`, after ?? undefined],
    ] as const) {
      for (let i = 0; i < WARMUP; i++) await sales.collectionWorklist({ first: PAGE_SIZE, after: cursor });
      const before = await serverCounters(server.url);
      const times: number[] = [];
      const bar = new ProgressBar(`timing ${label}`, REQUESTS);
      for (let i = 0; i < REQUESTS; i++) {
        const t0 = process.hrtime.bigint();
        await sales.collectionWorklist({ first: PAGE_SIZE, after: cursor });
        times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        bar.update(i + 1);
      }
      const counted = await serverCounters(server.url);
      // The /metrics reads in between are no GraphQL operation and send no statement.
      const statements = (counted.statements - before.statements) / REQUESTS;
      const s = spread(times);
      met &&= s.median < GOAL_MS;
      rows.push([label, String(REQUESTS), num(s.min), num(s.median), num(s.max), num(statements), `< ${GOAL_MS} ms`, s.median < GOAL_MS ? 'met' : 'NOT met']);
    }

    console.log(`\ncollectionWorklist, ${PAGE_SIZE} items a page, as the salesperson (SALES) over HTTP with the SDK, one request at a time:\n`);
    console.log(markdownTable(['request', 'n', 'min ms', 'median ms', 'max ms', 'statements / request', 'goal', 'median'], rows));
    console.log(
      `\ncommit ${commitOf()}, ${os.cpus().length} CPUs, load average at the start ${load.map((l) => l.toFixed(2)).join(' ')}, ` +
        `at the end ${os
          .loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')}; ${met ? 'goal met' : 'goal NOT met'} (median)`,
    );
    if (process.env.BENCH_KEEP) {
      // To look at plans by hand: the database stays until SIGINT/SIGTERM.
      console.log(`BENCH_KEEP: database ${db.databaseUrl}, huikuan ${server.url}, salesperson ${collector}; stop with Ctrl-C`);
      await new Promise(() => undefined);
    }
  } finally {
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
