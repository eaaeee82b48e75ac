/**
 * The physical limit bench:http compares huikuan with: a plain `node:http` + `pg`
 * server that answers the benchmark's operations with the same JSON as huikuan's
 * `{"data": …}`, each with ONE hand-written statement that builds the whole answer in
 * PostgreSQL (json_build_object / json_agg); Node only passes the text on. No
 * authentication, no GraphQL, no validation: what is left is the database's work.
 *
 * Run as its own process (`node dist/bench/raw-endpoint.js`, DATABASE_URL, TIME_ZONE,
 * PORT=0); it prints `raw endpoint: <url>`.
 *   GET /dashboard?first=50   customers(first: 50) with owner, balances, receivables(first: 5)
 *   GET /customer?id=<uuid>   customer(id)
 *   GET /aging?asOf=<date>    agingReport(asOf)
 * The SQL follows the server's definitions (see bench/http.ts for the GraphQL documents
 * the answers must equal): keyset order and cursors of the customer list, balances as
 * in customer.queries.ts with overdueAmount = outstanding of receivables past their
 * effective due date as of today, positions as of a date as in metrics.queries.ts.
 */
import http from 'node:http';
import { Pool } from 'pg';
import { localDateAt } from '../server/core/local-date';

/** Money as the API formats it: a decimal string with two fraction digits, "0.00" for nothing. */
const money = (sql: string) => `cast(coalesce(${sql}, 0) as numeric(20, 2))::text`;

/** The list cursor huikuan builds (core/pagination.ts): base64url of the JSON array of the sort keys. */
const cursor = (...keys: string[]) =>
  `translate(encode(convert_to('[' || ${keys.map((k) => `to_json(${k})::text`).join(` || ',' || `)} || ']', 'UTF8'), 'base64'), E'+/=\\n', '-_')`;

/** $1 page size, $2 today. */
const DASHBOARD_SQL = `
with page as (
  select c.id, c.code, c.name, c.credit_limit, c.owner_id
    from customer c order by c.code, c.id limit $1::int + 1
),
shown as (
  select p.*, row_number() over (order by p.code, p.id) as n, ${cursor('p.code', 'p.id::text')} as cursor
    from page p order by p.code, p.id limit $1::int
)
select json_build_object('data', json_build_object('customers', json_build_object(
  'totalCount', (select count(*) from customer),
  'pageInfo', json_build_object(
    'hasNextPage', (select count(*) from page) > $1::int,
    'endCursor', (select s.cursor from shown s order by s.n desc limit 1)),
  'edges', coalesce((select json_agg(json_build_object(
    'cursor', s.cursor,
    'node', json_build_object(
      'id', s.id,
      'code', s.code,
      'name', s.name,
      'creditLimit', ${money('s.credit_limit')},
      'owner', (select json_build_object('id', u.id, 'name', u.name) from app_user u where u.id = s.owner_id),
      'outstanding', ${money('(select sum(r.outstanding) from receivable r where r.customer_id = s.id)')},
      'overdueAmount', ${money(`(select sum(r.outstanding) from receivable r
                                  where r.customer_id = s.id and r.outstanding > 0
                                    and r.effective_due_on < $2::date and r.issued_on <= $2::date)`)},
      'creditBalance', ${money('(select sum(p.unallocated) from payment p where p.customer_id = s.id and p.voided_at is null)')},
      'receivables', json_build_object('nodes', coalesce((
        select json_agg(json_build_object(
          'id', r.id,
          'reference', r.reference,
          'amount', ${money('r.amount')},
          'dueOn', r.due_on,
          'outstanding', ${money('r.outstanding')},
          'status', case when r.outstanding = 0 then case when r.written_off_at is null then 'PAID' else 'WRITTEN_OFF' end
                         when r.outstanding < r.amount then 'PARTIALLY_PAID' else 'OPEN' end
        ) order by r.due_on, r.id)
          from (select * from receivable r where r.customer_id = s.id order by r.due_on, r.id limit 5) r), '[]'::json))
    )) order by s.n) from shown s), '[]'::json)
)))::text as body`;

/** $1 customer id. */
const CUSTOMER_SQL = `
select json_build_object('data', json_build_object('customer', (
  select json_build_object(
    'id', c.id,
    'code', c.code,
    'name', c.name,
    'creditLimit', ${money('c.credit_limit')},
    'outstanding', ${money('(select sum(r.outstanding) from receivable r where r.customer_id = c.id)')},
    'owner', (select json_build_object('id', u.id, 'name', u.name) from app_user u where u.id = c.owner_id))
    from customer c where c.id = $1::uuid)))::text as body`;

/** The first instant after business date $1 in time zone $2 (write-offs count from the day they were made). */
const AFTER_AS_OF = `(cast($1::date + 1 as timestamp) at time zone $2)`;

const bucketFields = (alias: string) => `
  'total', ${money(`${alias}.total`)},
  'current', ${money(`${alias}.current`)},
  'd1to30', ${money(`${alias}.d1to30`)},
  'd31to60', ${money(`${alias}.d31to60`)},
  'd61to90', ${money(`${alias}.d61to90`)},
  'over90', ${money(`${alias}.over90`)},
  'disputed', ${money(`${alias}.disputed`)},
  'receivables', ${alias}.receivables,
  'overdueCount', ${alias}.overdue_count`;

/** $1 as-of date, $2 company time zone. */
const AGING_SQL = `
with later as (
  select a.receivable_id, sum(a.amount) as amount
    from payment_allocation a
   where not a.voided and a.received_on > $1::date and a.issued_on <= $1::date
   group by a.receivable_id
),
credited as (
  select k.receivable_id, sum(k.amount) as amount from receivable_credit k where k.credited_on > $1::date group by k.receivable_id
),
disputed as (
  select d.receivable_id, sum(d.amount) as amount
    from dispute d
   where d.opened_on <= $1::date and (d.state = 'OPEN' or d.resolved_on > $1::date)
   group by d.receivable_id
),
positions as (
  select r.id, r.salesperson_id, r.effective_due_on,
         r.outstanding + coalesce(l.amount, 0) + coalesce(k.amount, 0)
           + case when r.written_off_at >= ${AFTER_AS_OF} then r.written_off_amount else 0 end as outstanding
    from receivable r left join later l on l.receivable_id = r.id left join credited k on k.receivable_id = r.id
   where r.outstanding > 0 and r.issued_on <= $1::date
  union all
  select r.id, r.salesperson_id, r.effective_due_on,
         coalesce(l.amount, 0) + coalesce(k.amount, 0) + case when r.written_off_at >= ${AFTER_AS_OF} then r.written_off_amount else 0 end
    from (select receivable_id as id from later
          union select receivable_id from credited
          union select id from receivable where written_off_at >= ${AFTER_AS_OF}) ids
    join receivable r on r.id = ids.id
    left join later l on l.receivable_id = r.id
    left join credited k on k.receivable_id = r.id
   where r.outstanding = 0 and r.issued_on <= $1::date
),
sums as (
  select salesperson_id, grouping(salesperson_id) as is_total,
         sum(outstanding) as total,
         sum(outstanding) filter (where days_past <= 0) as current,
         sum(outstanding) filter (where days_past between 1 and 30) as d1to30,
         sum(outstanding) filter (where days_past between 31 and 60) as d31to60,
         sum(outstanding) filter (where days_past between 61 and 90) as d61to90,
         sum(outstanding) filter (where days_past > 90) as over90,
         coalesce(sum(disputed), 0) as disputed,
         count(*) as receivables,
         count(*) filter (where days_past >= 1) as overdue_count
    from (select p.*, $1::date - p.effective_due_on as days_past, least(coalesce(d.amount, 0), p.outstanding) as disputed
            from positions p left join disputed d on d.receivable_id = p.id) x
   group by grouping sets ((salesperson_id), ())
)
select json_build_object('data', json_build_object('agingReport', json_build_object(
  'asOf', $1::date,
  ${bucketFields('t')},
  'bySalesperson', coalesce((
    select json_agg(json_build_object('salesperson', json_build_object('id', u.id, 'name', u.name), ${bucketFields('s')}) order by u.name, u.id)
      from sums s join app_user u on u.id = s.salesperson_id where s.is_total = 0), '[]'::json)
)))::text as body
  from sums t where t.is_total = 1`;

async function main(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error('DATABASE_URL is required');
  const timeZone = process.env.TIME_ZONE ?? 'Asia/Shanghai';
  const pool = new Pool({ connectionString: databaseUrl, max: 10 });

  const answer = async (url: URL): Promise<string | undefined> => {
    const one = async (sql: string, params: unknown[]) => (await pool.query<{ body: string }>(sql, params)).rows[0].body;
    switch (url.pathname) {
      case '/dashboard':
        return one(DASHBOARD_SQL, [Number(url.searchParams.get('first') ?? 50), localDateAt(new Date(), timeZone)]);
      case '/customer':
        return one(CUSTOMER_SQL, [url.searchParams.get('id')]);
      case '/aging':
        return one(AGING_SQL, [url.searchParams.get('asOf') ?? localDateAt(new Date(), timeZone), timeZone]);
      default:
        return undefined;
    }
  };

  const server = http.createServer((req, res) => {
    answer(new URL(req.url ?? '/', 'http://raw')).then(
      (body) => {
        if (body === undefined) {
          res.writeHead(404).end();
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
      },
      (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(error.message),
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  process.stdout.write(`raw endpoint: http://127.0.0.1:${port}\n`);
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
    void pool.end().then(() => process.exit(0));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
