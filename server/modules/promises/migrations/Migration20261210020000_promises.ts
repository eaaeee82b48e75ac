import { Migration } from '@mikro-orm/migrations';

/**
 * Promises to pay (issue 10). A promise names a customer's receivables, an amount and a
 * date; the overdue scan judges it as of each date (promise.queries.ts, JUDGE_PROMISES).
 * `due_on` is the promised date rolled forward to a working day and `deadline_on` that
 * plus PROMISE_GRACE_WORKING_DAYS working days, both fixed when the promise is recorded.
 * `paid_amount` is the money counted for it at its last judgement (`judged_on`).
 */
export class Migration20261210020000_promises extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table promise_to_pay (
        id uuid primary key,
        customer_id uuid not null references customer (id),
        -- The customer's owner when the promise was made: whose promise it is.
        salesperson_id uuid not null references app_user (id),
        activity_id uuid unique references collection_activity (id),
        receivable_ids uuid[] not null check (cardinality(receivable_ids) >= 1),
        amount numeric(16,2) not null check (amount > 0),
        promised_on date not null,
        due_on date not null,
        deadline_on date not null,
        made_on date not null,
        state text not null default 'OPEN' check (state in ('OPEN','KEPT','PARTIAL','BROKEN')),
        paid_amount numeric(16,2) not null default 0,
        judged_on date,
        kept_on date,
        broken_on date,
        recorded_by_id uuid not null references app_user (id),
        recorded_at timestamptz not null default now(),
        check (due_on >= promised_on and deadline_on >= due_on)
      );
      create index promise_to_pay_customer_idx on promise_to_pay (customer_id, promised_on desc, id desc);
      create index promise_to_pay_list_idx on promise_to_pay (promised_on desc, id desc);
      -- What every judgement reads: the promises not kept yet (broken ones can still be corrected).
      create index promise_to_pay_unsettled_idx on promise_to_pay (made_on) where state <> 'KEPT';
    `);
  }

  async down(): Promise<void> {
    this.addSql('drop table promise_to_pay;');
  }
}
