/**
 * Benchmark: the aging report (and the window sums behind collectionStats, goals and
 * scorecards) on a large ledger. `npm run bench:aging [-- N]` (default 1,000,000).
 *
 * Creates a fresh database (DATABASE_URL's server when set, which needs CREATEDB; else an
 * embedded PostgreSQL in a temporary folder), migrates it and generates with SQL
 * (generate_series, not through the API): 20 salespeople, 10,000 customers, N
 * receivables issued evenly over 700 days from 2025-01-01, due 30 days later, amounts
 * 100.00–9,999.00; 85% paid in full (money arriving 10 days early to 9 days late, never
 * after 2026-11-30), 5% half paid, 10% unpaid; one payment and one allocation per paid
 * receivable. Then it times the query module's statements as the server runs them
 * (metrics.queries.ts through MikroORM), five runs each, and prints the median.
 */
import { Client as PgClient } from 'pg';
import { openOrm } from '../server/db/orm';
import { ENTITIES, MIGRATIONS } from '../server/registry';
import { createBenchDatabase } from './bench-database';
import { cleanUpOnce } from './bench-process';
import { envInt } from './bench-report';
import { queryAging, queryWindowSums } from '../server/modules/analytics/metrics.queries';

const RECEIVABLES = Number(process.argv[2] ?? 1_000_000);
const TODAY = '2026-11-30';
const TZ = 'Asia/Shanghai';

async function timed<T>(label: string, run: () => Promise<T>, runs = 5): Promise<T> {
  const times: number[] = [];
  let result: T | undefined;
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    result = await run();
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  console.log(`${label}: median ${times[Math.floor(runs / 2)].toFixed(0)} ms (min ${times[0].toFixed(0)}, max ${times[runs - 1].toFixed(0)}, ${runs} runs)`);
  return result!;
}

async function main(): Promise<void> {
  const db = await createBenchDatabase('bench-aging', envInt('EMBEDDED_PG_PORT', 55433));
  const databaseUrl = db.databaseUrl;
  let opened: Awaited<ReturnType<typeof openOrm>> | undefined;
  const pg = new PgClient({ connectionString: databaseUrl });
  const cleanUp = cleanUpOnce(async () => {
    await pg.end().catch(() => undefined);
    await opened?.close();
    await db.drop();
  });
  try {
    const orm = (opened = await openOrm({ databaseUrl, entities: ENTITIES, migrations: MIGRATIONS }));
    await pg.connect();
    const t0 = Date.now();
    await pg.query(`
      insert into app_user (id, email, name, role)
      select gen_random_uuid(), 'bench-sales-' || i || '@example.com', 'Sales ' || lpad(i::text, 2, '0'), 'SALES' from generate_series(1, 20) i;
      insert into app_user (id, email, name, role) values (gen_random_uuid(), 'bench-finance@example.com', 'Finance', 'FINANCE');
      with s as (select id, row_number() over (order by name) - 1 as n from app_user where role = 'SALES')
      insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
      select gen_random_uuid(), 'C' || lpad(i::text, 6, '0'), 'Customer ' || i, s.id, 30, 1000000
        from generate_series(0, 9999) i join s on s.n = i % 20;
    `);
    await pg.query(
      `create unlogged table bench_plan as
       with c as (select id, owner_id, row_number() over (order by code) - 1 as n from customer),
       g as (
         select i, date '2025-01-01' + (i % 700) as issued_on, (100 + (i::bigint * 7919) % 9900)::numeric(16,2) as amount,
                (i::bigint * 2654435761) % 100 as roll
           from generate_series(1, $1::int) i
       )
       select gen_random_uuid() as id, c.id as customer_id, c.owner_id, g.i, g.issued_on, g.issued_on + 30 as due_on, g.amount,
              case when g.roll < 85 then g.amount when g.roll < 90 then round(g.amount / 2, 2) else 0 end as paid,
              g.issued_on + 30 + (g.roll % 20)::int - 10 as received_on
         from g join c on c.n = g.i % 10000`,
      [RECEIVABLES],
    );
    // Money cannot arrive after today: those are unpaid still.
    await pg.query(`update bench_plan set paid = 0 where received_on > date '${TODAY}'`);
    await pg.query(`
      insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
      select id, customer_id, owner_id, 'R' || i, amount, issued_on, due_on, due_on, amount - paid from bench_plan;
      insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method)
      select id, customer_id, paid, 0, received_on, received_on + time '10:00', (select id from app_user where role = 'FINANCE'), 0, 'BANK_TRANSFER'
        from bench_plan where paid > 0;
      insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on)
      select gen_random_uuid(), id, id, paid, received_on, issued_on from bench_plan where paid > 0;
      drop table bench_plan;
    `);
    await pg.query('vacuum analyze');
    const [{ open, payments }] = (
      await pg.query(`select (select count(*) from receivable where outstanding > 0)::int as open, (select count(*) from payment)::int as payments`)
    ).rows;
    console.log(
      `generated ${RECEIVABLES} receivables (${open} open), ${payments} payments and allocations, 10,000 customers, 20 salespeople in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );

    const em = () => orm.em.fork();
    const salesperson = (await pg.query(`select id from app_user where role = 'SALES' order by name limit 1`)).rows[0].id as string;
    const aging = await timed(`agingReport as of ${TODAY} (today), all salespeople`, () => queryAging(em(), TODAY, { tz: TZ }));
    console.log(`  total ${aging[0].total / 100n}, ${aging[0].receivables} receivables open, ${aging.length - 1} salespeople`);
    await timed(`agingReport as of ${TODAY}, one salesperson`, () => queryAging(em(), TODAY, { tz: TZ, salespersonIds: [salesperson] }));
    await timed('agingReport as of 2026-09-01 (90 days back: adds back 3 months of payments)', () => queryAging(em(), '2026-09-01', { tz: TZ }));
    await timed('agingReport as of 2025-12-31 (a year back)', () => queryAging(em(), '2025-12-31', { tz: TZ }));
    await timed('collectionStats / goals / scorecards window sums, November 2026, all salespeople', () =>
      queryWindowSums(em(), '2026-11-01', TODAY, { tz: TZ }, 2),
    );
    await timed('the same for a quarter (2026-09-01 … 2026-11-30)', () => queryWindowSums(em(), '2026-09-01', TODAY, { tz: TZ }, 2));
  } finally {
    await cleanUp();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
