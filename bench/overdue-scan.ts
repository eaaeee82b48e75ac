/**
 * Benchmark: 100,000 receivables fall overdue at once. Measures the scan (one set-based
 * statement) and the end-to-end latency from scan commit to an integrator's subscriber,
 * through the real server process and the SDK. `npm run bench:overdue [-- N]`.
 *
 * Uses DATABASE_URL's server when set (needs CREATEDB), else an embedded PostgreSQL in a
 * temporary folder. Data is generated with SQL (generate_series), not through the API.
 */
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { createBenchDatabase } from './bench-database';
import { adminEnv, BENCH_ADMIN as ADMIN, type ChildServer, cleanUpOnce, startHuikuan } from './bench-process';
import { envInt } from './bench-report';
import { createClient } from '../sdk/index.js';

const RECEIVABLES = Number(process.argv[2] ?? 100_000);
const CUSTOMERS = 1000;
async function main(): Promise<void> {
  const db = await createBenchDatabase('bench-overdue', envInt('EMBEDDED_PG_PORT', 55432));
  const databaseUrl = db.databaseUrl;

  let started: ChildServer | undefined;
  const pg = new PgClient({ connectionString: databaseUrl });
  const cleanUp = cleanUpOnce(async () => {
    await pg.end().catch(() => undefined);
    if (started) {
      await started.stop();
      await new Promise((r) => setTimeout(r, 1000));
    }
    await db.drop();
  });
  try {
    const server = (started = await startHuikuan(databaseUrl, adminEnv));
    const anonymous = createClient({ url: server.url });
    const token = (await anonymous.login(ADMIN)).login.token;
    const client = createClient({ url: server.url, token, webSocketImpl: WebSocket });
    const { createUser } = await client.createUser({
      input: { email: 'bench-sales@example.com', name: 'Bench Sales', role: 'SALES', password: ADMIN.password },
    });
    const integrationToken = (await client.createApiToken({ name: 'bench' })).createApiToken.token;

    await pg.connect();
    const subscriber = createClient({ url: server.url, token: integrationToken, webSocketImpl: WebSocket });
    const stream = subscriber.subscribeOverdueEvents({ after: null });
    const nextEvent = async () => {
      const result = await stream.next();
      if (result.done) throw new Error('stream ended');
      return result.value;
    };
    const insertOne = (tag: string) =>
      pg.query(
        `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
         select gen_random_uuid(), id, owner_id, $1, 50, date '2026-01-05', date '2026-02-02', date '2026-02-02', 50
           from customer order by code limit 1`,
        [tag],
      );

    await pg.query(
      `insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
       select gen_random_uuid(), 'B' || lpad(i::text, 6, '0'), 'Bench customer ' || i, $1, 30, 100000
         from generate_series(1, $2) i`,
      [createUser.id, CUSTOMERS],
    );

    // Warm-up: the subscription is live once its first event arrives.
    await insertOne('warm-up');
    await client.runOverdueScan({ asOf: '2026-02-03' });
    await nextEvent();

    /** One alarm at a time: scan request sent → event at the subscriber. */
    const measureLatency = async (label: string) => {
      const latencies: number[] = [];
      for (let i = 0; i < 10; i++) {
        await insertOne(`single-${label.length}-${i}`);
        const sent = Date.now();
        const receivedAt = nextEvent().then(() => Date.now());
        await client.runOverdueScan({ asOf: '2026-02-03' });
        latencies.push((await receivedAt) - sent);
      }
      latencies.sort((a, b) => a - b);
      console.log(`one alarm ${label}: scan request sent → event at the subscriber median ${latencies[5]} ms, max ${latencies[9]} ms`);
    };
    await measureLatency('on a small ledger');

    const t0 = Date.now();
    await pg.query(
      `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
       select gen_random_uuid(), c.id, c.owner_id, 'R' || i, 100 + (i % 900), date '2026-01-05', date '2026-02-02', date '2026-02-02', 100 + (i % 900)
         from generate_series(1, $1) i
         join lateral (select id, owner_id from customer order by code offset (i % $2) limit 1) c on true`,
      [RECEIVABLES, CUSTOMERS],
    );
    await pg.query('analyze');
    console.log(`generated ${RECEIVABLES} receivables for ${CUSTOMERS} customers in ${Date.now() - t0} ms`);

    const scanStarted = Date.now();
    const scan = (await client.runOverdueScan({ asOf: '2026-02-03' })).runOverdueScan;
    const scanReturned = Date.now();
    console.log(`scan: ${scan.becameOverdue} receivables became overdue in ${scan.durationMs} ms on the server, ${scanReturned - scanStarted} ms round trip`);
    let firstAfter = 0;
    for (let i = 0; i < scan.becameOverdue; i++) {
      await nextEvent();
      if (i === 0) firstAfter = Date.now() - scanReturned;
    }
    console.log(
      `the subscriber had the first event ${firstAfter} ms and all ${scan.becameOverdue} events ${Date.now() - scanReturned} ms after the scan returned`,
    );

    await measureLatency(`with ${RECEIVABLES} receivables overdue`);
    await stream.close();
  } finally {
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
