/**
 * Benchmark: incremental overdue scans on 1,000,000 receivables. `npm run bench:overdue-steady`.
 *
 * The ledger, generated with SQL (generate_series) for 1,000 customers:
 * - 100,000 unpaid receivables due Monday 2 February 2026: they fall overdue at once on the 3rd;
 * - 400,000 paid in full before their due date (a payment and an allocation each);
 * - 500,000 unpaid, due evenly from 3 February to 31 December 2026: about 1,500 reach their
 *   first overdue day on each later day.
 *
 * Then, through the real server process (production mode) and the SDK:
 * 1. the first scan (as of 10 January) judges every receivable once: each is new to the engine;
 * 2. the scan of 3 February: 100,000 fall overdue at once (goal < 3 s);
 * 3. ten days of steady state: each day 1,000 partial payments on overdue receivables
 *    (1% of the overdue) are booked, then that day is scanned; it judges those and the
 *    ~1,500 receivables whose first overdue day it is (goal < 100 ms, on the median of the days);
 * 4. a scan of the same day again, with nothing changed (what a scheduled scan costs every minute).
 *
 * Each scan prints three figures:
 * - until committed: the scan on the server, from the start of its transaction to the end of
 *   its commit (the growth of `huikuan_overdue_scan_duration_seconds_sum` at GET /metrics).
 *   The goals are judged on it: it is what a scan costs whoever starts it, the scheduler
 *   every minute included, which sends no HTTP request;
 * - the scan's `durationMs`, as its answer and its log give it: the same, without the commit
 *   (the log row is written inside the transaction);
 * - the round trip of the `runOverdueScan` request, from this process: the scan plus the
 *   HTTP request, the token's check and the answer around it.
 *
 * Each scan date is a business day after the last: before the fall and before each steady
 * day's scan the bench waits until the database is as quiet as a day later (`dayPasses`: no
 * job of the server's queue due, no VACUUM or ANALYZE at work, a checkpoint done), so a scan
 * is not measured beside the last one's aftermath: the notification job reads the fall's
 * 100,000 events, and the engine vacuums its state table in the background after the fall
 * and after every ~10,000 states judged (every fourth steady day). The wait is not measured;
 * BENCH_BACK_TO_BACK=1 scans without it, the days a few hundred milliseconds apart.
 *
 * Uses DATABASE_URL's server when set (needs CREATEDB), else an embedded PostgreSQL.
 * BENCH_EXPLAIN=1 prints the judgements' plans; BENCH_KEEP=1 keeps the database at the end,
 * BENCH_KEEP=before-fall waits just before the fall until Ctrl-C, then goes on.
 */
import { Client as PgClient } from 'pg';
import { createClient } from '../sdk/index.js';
import { createBenchDatabase } from './bench-database';
import { adminEnv, BENCH_ADMIN, type ChildServer, cleanUpOnce, commitOf, serverCounters, startHuikuan } from './bench-process';
import { addDays } from '../server/core/local-date';
import { compileSql } from '../server/db/sql';
import { BEGIN_JUDGEMENT, JUDGE, JUDGEMENT_TABLE, OPEN_JUDGEMENT } from '../server/modules/overdue/overdue.queries';

/** BENCH_EXPLAIN=1 prints the plan of each measured judgement (run and rolled back first). */
async function explain(pg: PgClient, asOf: string, previousScanOn: string): Promise<void> {
  if (process.env.BENCH_EXPLAIN !== '1') return;
  const numbered = (text: string) => {
    let n = 0;
    return text.replace(/\\\?|\?/g, (m) => (m === '?' ? `$${++n}` : '?'));
  };
  await pg.query('begin');
  // The judgement's own settings (BEGIN_JUDGEMENT: work_mem), so the plan is the one a scan gets.
  await pg.query(BEGIN_JUDGEMENT.text);
  await pg.query(JUDGEMENT_TABLE.text);
  const opened = compileSql(OPEN_JUDGEMENT.due.text, { kind: 'SCAN', asOf, previousScanOn, stages: [1, 30, 60, 90] });
  const { rows } = await pg.query<{ scan_id: string }>(numbered(opened.text), opened.values);
  const { text, values } = compileSql(JUDGE.text, { asOf, tz: 'Asia/Shanghai', stages: [1, 30, 60, 90], scanId: rows[0].scan_id });
  const plan = await pg.query<{ 'QUERY PLAN': string }>(`explain (analyze, buffers, timing) ${numbered(text)}`, values);
  await pg.query('rollback');
  console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
}

/**
 * Waits until the database is as quiet as a business day after the last scan would find it:
 * no job of the server's queue due (the notifications of the last scan's events), no VACUUM
 * or ANALYZE running (the engine's own of its state table, autovacuum's), and a checkpoint (a
 * day holds many, so the day's first change of a page writes it whole to the WAL, as it
 * would). Answers how long it waited (ms).
 */
async function dayPasses(pg: PgClient): Promise<number> {
  if (process.env.BENCH_BACK_TO_BACK === '1') return 0;
  const started = Date.now();
  for (;;) {
    const { rows } = await pg.query<{ busy: number }>(
      `select (select count(*) from graphile_worker.jobs where run_at <= now() and attempts < max_attempts)::int
            + (select count(*) from pg_stat_progress_vacuum where datname = current_database())::int
            + (select count(*) from pg_stat_progress_analyze where datname = current_database())::int
            + (select count(*) from pg_stat_activity where backend_type = 'autovacuum worker' and datname = current_database())::int as busy`,
    );
    if (rows[0].busy === 0 || Date.now() - started > 120_000) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    await pg.query('checkpoint');
  } catch (e) {
    // CHECKPOINT needs a superuser or pg_checkpoint on DATABASE_URL's server: without, the days pass without one.
    if (!checkpointRefused) console.log(`(no checkpoint between days: ${(e as Error).message})`);
    checkpointRefused = true;
  }
  return Date.now() - started;
}
let checkpointRefused = false;

const CUSTOMERS = 1000;
const FALLING = Number(process.env.BENCH_FALLING ?? 100_000);
const PAID = Number(process.env.BENCH_PAID ?? 400_000);
const LATER = Number(process.env.BENCH_LATER ?? 500_000);
const CHANGES = Number(process.env.BENCH_CHANGES ?? 1000);
const STEADY_DAYS = Number(process.env.BENCH_STEADY_DAYS ?? 10);

/** Median, min and max of the figures measured (NaN: not measured, left out). */
function summary(values: number[]): string {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return `median ${sorted[Math.floor(sorted.length / 2)]} ms (min ${sorted[0]}, max ${sorted[sorted.length - 1]}, ${sorted.length} scans)`;
}

/**
 * What the figures come from: the commit, and the PostgreSQL with its version, its page
 * cache, and whether that cache is in huge pages (`huge_pages = try`, the default, takes them
 * when the OS has reserved enough: `vm.nr_hugepages`; PostgreSQL 17+ says which it got).
 */
async function benchSetup(pg: PgClient): Promise<string> {
  const { rows } = await pg.query<{ version: string; shared_buffers: string }>(
    `select current_setting('server_version') as version, current_setting('shared_buffers') as shared_buffers`,
  );
  const hugePages = await pg
    .query<{ huge_pages_status: string }>('show huge_pages_status')
    .then((r) => r.rows[0].huge_pages_status)
    .catch(() => 'unknown');
  return `bench:overdue-steady at ${commitOf()}; PostgreSQL ${rows[0].version}, shared_buffers ${rows[0].shared_buffers}, huge pages ${hugePages}`;
}

async function main(): Promise<void> {
  const db = await createBenchDatabase('bench-overdue-steady', Number(process.env.EMBEDDED_PG_PORT ?? 55437));
  const pg = new PgClient({ connectionString: db.databaseUrl });
  await pg.connect();
  let server: ChildServer | undefined;
  const cleanUp = async () => {
    await server?.stop();
    await pg.end();
    await new Promise((r) => setTimeout(r, 1000));
    await db.drop();
  };
  // Ctrl-C or SIGTERM midway cleans up as the end does, instead of leaving the server and the
  // database behind (an embedded one holds ~1 GB under /tmp). Not with BENCH_KEEP=before-fall,
  // where Ctrl-C means "go on with the fall".
  const finish = process.env.BENCH_KEEP === 'before-fall' ? cleanUp : cleanUpOnce(cleanUp);
  try {
    console.log(await benchSetup(pg));
    // The first scan judges a million receivables new to the engine: more than a request's default 15 s.
    server = await startHuikuan(db.databaseUrl, { ...adminEnv, DB_STATEMENT_TIMEOUT: '10m', OPERATION_TIMEOUT: '10m' });
    const serverUrl = server.url;
    const anonymous = createClient({ url: serverUrl });
    const token = (await anonymous.login(BENCH_ADMIN)).login.token;
    const client = createClient({ url: serverUrl, token });
    const { createUser } = await client.createUser({
      input: { email: 'bench-sales@example.com', name: 'Bench Sales', role: 'SALES', password: BENCH_ADMIN.password },
    });

    let t0 = Date.now();
    await pg.query(
      `insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
       select gen_random_uuid(), 'B' || lpad(i::text, 6, '0'), 'Bench customer ' || i, $1, 30, 100000000 from generate_series(1, $2) i`,
      [createUser.id, CUSTOMERS],
    );
    await pg.query(`create unlogged table bench_customer as select id, owner_id, row_number() over (order by code) - 1 as n from customer`);
    const insertReceivables = (count: number, offset: number, dueSql: string, paid: boolean) =>
      pg.query(
        `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
         select gen_random_uuid(), c.id, c.owner_id, 'R' || ($2::int + i), 100 + (i % 900), date '2026-01-02', d.due, d.due,
                case when $3::boolean then 0 else 100 + (i % 900) end
           from generate_series(1, $1::int) i
           join bench_customer c on c.n = i % ${CUSTOMERS}
           cross join lateral (select ${dueSql} as due) d`,
        [count, offset, paid],
      );
    await insertReceivables(FALLING, 0, `date '2026-02-02'`, false);
    await insertReceivables(PAID, FALLING, `date '2026-02-02' + (i % 300)`, true);
    await pg.query(`
      insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method)
      select r.id, r.customer_id, r.amount, 0, date '2026-01-09', timestamptz '2026-01-09 10:00+08', '${createUser.id}', 0, 'BANK_TRANSFER'
        from receivable r where r.outstanding = 0;
      insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on)
      select gen_random_uuid(), r.id, r.id, r.amount, date '2026-01-09', r.issued_on from receivable r where r.outstanding = 0;
    `);
    await insertReceivables(LATER, FALLING + PAID, `date '2026-02-03' + (i % 332)`, false);
    await pg.query('vacuum analyze');
    const total = FALLING + PAID + LATER;
    console.log(`generated ${total} receivables (${FALLING} falling overdue on 2026-02-03, ${PAID} paid, ${LATER} due later) in ${Date.now() - t0} ms`);

    // The server's scan time so far, read after each scan (not before the next: a request just
    // before a scan would wake the server for it). The schedules are off (startHuikuan), so the
    // only judgements are this process's scans; NaN if another one came in between.
    let counters = await serverCounters(serverUrl);
    const scan = async (asOf: string) => {
      const started = Date.now();
      const { runOverdueScan } = await client.runOverdueScan({ asOf });
      const roundTripMs = Date.now() - started;
      const after = await serverCounters(serverUrl);
      const committedMs = after.scans === counters.scans + 1 ? Math.round((after.scanSeconds - counters.scanSeconds) * 1000) : NaN;
      counters = after;
      return { ...runOverdueScan, roundTripMs, committedMs };
    };

    const initial = await scan('2026-01-10');
    console.log(
      `1. first scan ever (2026-01-10): judged ${initial.judged} new receivables, ${initial.becameOverdue} overdue, ${initial.committedMs} ms until committed`,
    );
    // That scan rewrote every engine row; autovacuum would analyze them within a minute or so.
    await pg.query('vacuum analyze receivable_overdue_state');

    await explain(pg, '2026-02-03', '2026-01-10');
    if (process.env.BENCH_KEEP === 'before-fall') {
      // For experiments with the judgement of the fall (EXPLAIN it in a transaction and roll back).
      console.log(`keeping the database before the fall: ${db.databaseUrl} (Ctrl-C goes on with the fall)`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
    const quietBeforeFall = await dayPasses(pg);
    const falling = await scan('2026-02-03');
    console.log(
      `2. scan of 2026-02-03: ${falling.becameOverdue} became overdue at once (judged ${falling.judged}): ${falling.committedMs} ms until committed ` +
        `(goal < 3000 ms), durationMs ${falling.durationMs} ms, ${falling.roundTripMs} ms round trip; quiet after ${quietBeforeFall} ms`,
    );

    const steadyCommitted: number[] = [];
    const steadyDuration: number[] = [];
    const steadyRoundTrip: number[] = [];
    const judged: number[] = [];
    let day = '2026-02-03';
    for (let n = 0; n < STEADY_DAYS; n++) {
      day = addDays(day, 1);
      t0 = Date.now();
      // 1% of the overdue pay part of what they owe, as the payment service books it.
      await pg.query('begin');
      await pg.query(
        `create temp table paying on commit drop as
           select r.id, r.customer_id, gen_random_uuid() as payment_id from receivable r
            where r.outstanding > 10 and r.effective_due_on = date '2026-02-02'
            order by r.id offset $1 limit $2`,
        [n * CHANGES, CHANGES],
      );
      await pg.query(
        `insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method)
         select payment_id, customer_id, 10, 0, $1::date, now(), $2, 0, 'BANK_TRANSFER' from paying`,
        [day, createUser.id],
      );
      await pg.query(
        `insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on)
         select gen_random_uuid(), p.payment_id, p.id, 10, $1::date, date '2026-01-02' from paying p`,
        [day],
      );
      await pg.query(`update receivable r set outstanding = r.outstanding - 10 from paying p where p.id = r.id`);
      await pg.query('commit');
      const booked = Date.now() - t0;
      if (n === 0) await explain(pg, day, addDays(day, -1));
      const quiet = await dayPasses(pg);
      const result = await scan(day);
      steadyCommitted.push(result.committedMs);
      steadyDuration.push(result.durationMs);
      steadyRoundTrip.push(result.roundTripMs);
      judged.push(result.judged);
      console.log(
        `   ${day}: booked ${CHANGES} payments in ${booked} ms; scan judged ${result.judged} (${result.judgedChanged} changed), ` +
          `${result.becameOverdue} became overdue, ${result.overdueCount} overdue: ${result.committedMs} ms until committed, durationMs ${result.durationMs} ms, ` +
          `${result.roundTripMs} ms round trip; quiet after ${quiet} ms`,
      );
    }
    console.log(`3. steady state (${CHANGES} partial payments on overdue receivables a day, ~${judged[0]} judged):`);
    console.log(`   until committed ${summary(steadyCommitted)} (goal < 100 ms)`);
    console.log(`   durationMs (without the commit) ${summary(steadyDuration)}`);
    console.log(`   round trip ${summary(steadyRoundTrip)}`);

    const idle: number[] = [];
    for (let n = 0; n < 5; n++) idle.push((await scan(day)).committedMs);
    console.log(`4. the same day again, nothing changed: until committed ${summary(idle)}`);
    if (process.env.BENCH_KEEP === '1') {
      // For a look at plans by hand: the database stays until Ctrl-C.
      console.log(`keeping the database: ${db.databaseUrl} (Ctrl-C drops it)`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
    }
  } finally {
    await finish();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
