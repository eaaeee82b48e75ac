/**
 * The ledger of issue 15's measurements, generated with SQL (like bench/aging.ts, not
 * through the API): salespeople, customers, receivables issued over the last 540 days
 * and the payments of a sales team that is mostly paid on time. Deterministic: the
 * "random" draws are hashes of the row number, so two runs on the same day build the
 * same ledger.
 *
 * - Customers: owners round-robin, credit terms 30/45/60/90 days. Some customers buy
 *   much more than others (receivables per customer from about 10 to several hundred).
 * - Receivables: amounts 200.00–50,000.00 (mostly small), due after the customer's
 *   credit term, the effective due date rolled past weekends (no holidays, no grace:
 *   what the server computes with an empty calendar and GRACE_WORKING_DAYS=0).
 * - Past due: 73 % paid in full and 12 % in part, two thirds of them on time (up to 20
 *   days early) and a third late (up to 60 days); money that would arrive after today
 *   has not arrived yet. Not yet due: 15 % paid early.
 * - Payments: one per paid receivable, except that a quarter of the customers' full
 *   payments in a month come as one payment with several allocations; 4 % of payments
 *   round up to the next thousand (the rest stays as customer credit), and a tenth of
 *   the customers paid an advance that is not allocated at all. Booked 0–2 days after
 *   the money arrived by a finance clerk.
 */
import type { Client as PgClient } from 'pg';
import { ProgressBar } from './bench-report';

export interface LedgerSize {
  salespeople: number;
  customers: number;
  receivables: number;
}

export interface LedgerSummary {
  receivables: number;
  openReceivables: number;
  overdueReceivables: number;
  payments: number;
  allocations: number;
  paymentsWithSeveralAllocations: number;
  customersWithCredit: number;
  seconds: number;
}

/** A uniform draw in [0, 1) from row number `i` and stream `k`. */
const draw = (i: string, k: number) => `((abs(hashint8((${i}) * 16 + ${k})::bigint) % 1000003) / 1000003.0)`;

/** The next working day (Monday–Friday) on or after a date. */
const rollPastWeekend = (date: string) => `(${date} + case extract(isodow from ${date}) when 6 then 2 when 7 then 1 else 0 end)`;

/** Days after the effective due date the money of receivable `i` arrives: two thirds on time, a third late. */
const arrivalOffset = (i: string) => `(case when ${draw(i, 5)} < 0.67 then -floor(${draw(i, 6)} * 21) else 1 + floor(power(${draw(i, 6)}, 2) * 60) end)::int`;

const CHUNKS = 10;

export async function generateLedger(pg: PgClient, size: LedgerSize, today: string, timeZone: string): Promise<LedgerSummary> {
  const started = Date.now();
  const bar = new ProgressBar('generating the ledger', CHUNKS + 5);
  let step = 0;
  const advance = (what: string) => bar.update(++step, what);
  bar.update(0, 'salespeople and customers');

  await pg.query(
    `insert into app_user (id, email, name, role)
     select gen_random_uuid(), 'bench-sales-' || i || '@example.com', 'Sales ' || lpad(i::text, 2, '0'), 'SALES' from generate_series(1, $1::int) i`,
    [size.salespeople],
  );
  await pg.query(`insert into app_user (id, email, name, role) values (gen_random_uuid(), 'bench-booker@example.com', 'Finance Desk', 'FINANCE')`);
  await pg.query(
    `with s as (select id, row_number() over (order by name) - 1 as n from app_user where role = 'SALES')
     insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
     select gen_random_uuid(), 'C' || lpad(i::text, 6, '0'), 'Customer ' || i, s.id,
            (array[30, 45, 60, 90])[1 + (i % 4)], 50000 + (i % 20) * 50000
       from generate_series(1, $1::int) i join s on s.n = i % $2::int`,
    [size.customers, size.salespeople],
  );
  // Customers in a hashed order: rank 0 buys the most, without the biggest ones all on the first page.
  await pg.query(`create unlogged table bench_customer as
    select row_number() over (order by hashtext(code)) - 1 as rank, id, owner_id, credit_term_days from customer`);
  await pg.query('create unique index on bench_customer (rank)');
  advance('customers');

  await pg.query(`create unlogged table bench_plan (
    i int, id uuid, customer_id uuid, owner_id uuid, issued_on date, due_on date, effective_due_on date,
    amount numeric(16,2), paid numeric(16,2), received_on date, batched boolean)`);
  const perChunk = Math.ceil(size.receivables / CHUNKS);
  for (let chunk = 0; chunk < CHUNKS; chunk++) {
    const from = chunk * perChunk + 1;
    const to = Math.min(size.receivables, (chunk + 1) * perChunk);
    if (from <= to) {
      await pg.query(
        `insert into bench_plan
         with g as (
           select i, c.id as customer_id, c.owner_id, d.issued_on, d.issued_on + c.credit_term_days as due_on,
                  round((200 + power(${draw('i', 3)}, 2) * 49800)::numeric, 2) as amount
             from generate_series($1::int, $2::int) i
             cross join lateral (select cast($3 as date) - floor(${draw('i', 2)} * 540)::int as issued_on) d
             join bench_customer c on c.rank = floor(power(${draw('i', 1)}, 1.7) * $4::int)::int
         ),
         e as (select g.*, ${rollPastWeekend('g.due_on')} as effective_due_on from g),
         o as (
           select e.*,
                  case when e.effective_due_on >= cast($3 as date) then
                         case when ${draw('i', 4)} < 0.15 then 'FULL' else 'NONE' end
                       when ${draw('i', 4)} < 0.73 then 'FULL'
                       when ${draw('i', 4)} < 0.85 then 'PART'
                       else 'NONE' end as outcome,
                  case when e.effective_due_on >= cast($3 as date)
                       then e.issued_on + floor(${draw('i', 6)} * (cast($3 as date) - e.issued_on + 1))::int
                       else greatest(e.issued_on, e.effective_due_on + ${arrivalOffset('i')}) end as received_on
             from e
         )
         select i, gen_random_uuid(), customer_id, owner_id, issued_on, due_on, effective_due_on, amount,
                case when outcome = 'NONE' or received_on > cast($3 as date) then 0
                     when outcome = 'FULL' then amount
                     else round(amount * (0.3 + 0.5 * ${draw('i', 7)}), 2) end,
                received_on,
                outcome = 'FULL' and ${draw('i', 8)} < 0.25
           from o`,
        [from, to, today, size.customers],
      );
    }
    advance(`receivables ${to.toLocaleString('en-US')}`);
  }

  await pg.query(
    `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
     select id, customer_id, owner_id, 'INV-' || lpad(i::text, 7, '0'), amount, issued_on, due_on, effective_due_on, amount - paid from bench_plan`,
  );
  advance('receivables written');

  // One payment per paid receivable, or per customer and month for the batched ones.
  await pg.query(`alter table bench_plan add column pay_group text`);
  await pg.query(`update bench_plan set pay_group = case when batched then customer_id::text || to_char(received_on, ':YYYY-MM') else id::text end
                   where paid > 0`);
  await pg.query(
    `create unlogged table bench_payment as
     select pay_group, gen_random_uuid() as id, customer_id, max(received_on) as received_on, sum(paid) as paid, count(*) as allocations,
            abs(hashtext(pay_group)) % 1000 as roll
       from bench_plan where paid > 0 group by pay_group, customer_id`,
  );
  await pg.query(
    `insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method, reference)
     select p.id, p.customer_id, p.paid + x.credit, x.credit, p.received_on,
            least(now(), cast(p.received_on + b.lag + time '10:00' as timestamp) at time zone $2),
            (select id from app_user where email = 'bench-booker@example.com'),
            (select count(*) from generate_series(1, b.lag) d where extract(isodow from p.received_on + d) < 6),
            (array['BANK_TRANSFER','BANK_TRANSFER','BANK_TRANSFER','MOBILE','CHECK','CASH'])[1 + p.roll % 6],
            'PAY-' || substr(md5(p.pay_group), 1, 10)
       from bench_payment p
       cross join lateral (select case when p.roll < 40 then ceil(p.paid / 1000) * 1000 - p.paid else 0 end as credit) x
       cross join lateral (select least(p.roll % 3, cast($1 as date) - p.received_on) as lag) b`,
    [today, timeZone],
  );
  advance('payments written');

  await pg.query(
    `insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on)
     select gen_random_uuid(), p.id, r.id, r.paid, p.received_on, r.issued_on
       from bench_plan r join bench_payment p on p.pay_group = r.pay_group
      where r.paid > 0`,
  );
  // Advances: a tenth of the customers paid money that no receivable has claimed yet.
  await pg.query(
    `insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, method, reference)
     select gen_random_uuid(), c.id, a.amount, a.amount, a.received_on, cast(a.received_on + time '10:00' as timestamp) at time zone $2,
            (select id from app_user where email = 'bench-booker@example.com'), 0, 'BANK_TRANSFER', 'ADV-' || c.rank
       from bench_customer c
       cross join lateral (select (1000 * (1 + abs(hashtext(c.id::text)) % 20))::numeric(16,2) as amount,
                                  cast($1 as date) - 1 - abs(hashtext(c.id::text)) % 60 as received_on) a
      where c.rank % 10 = 3`,
    [today, timeZone],
  );
  await pg.query('drop table bench_plan, bench_payment, bench_customer');
  advance('allocations written');

  await pg.query('vacuum analyze');
  advance('vacuum analyze');

  const { rows } = await pg.query(
    `select (select count(*) from receivable)::int as receivables,
            (select count(*) from receivable where outstanding > 0)::int as open,
            (select count(*) from receivable where outstanding > 0 and effective_due_on < cast($1 as date))::int as overdue,
            (select count(*) from payment)::int as payments,
            (select count(*) from payment_allocation)::int as allocations,
            (select count(*) from (select payment_id from payment_allocation group by payment_id having count(*) > 1) m)::int as multi,
            (select count(distinct customer_id) from payment where unallocated > 0)::int as credit`,
    [today],
  );
  const r = rows[0];
  return {
    receivables: r.receivables,
    openReceivables: r.open,
    overdueReceivables: r.overdue,
    payments: r.payments,
    allocations: r.allocations,
    paymentsWithSeveralAllocations: r.multi,
    customersWithCredit: r.credit,
    seconds: (Date.now() - started) / 1000,
  };
}
