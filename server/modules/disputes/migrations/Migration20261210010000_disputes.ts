import { Migration } from '@mikro-orm/migrations';

/**
 * Disputes: a customer contests part or all of a receivable. One row per dispute keeps
 * its whole history: who opened it when, for how much and why; who resolved it when,
 * with which outcome, note and credit. A dispute is resolved once and never reopened.
 *
 * Opening or resolving a dispute changes what the overdue engine judges (a fully
 * disputed receivable does not escalate): the trigger marks the receivable for
 * re-judgement in the same transaction, like payment notices (overdue_mark_changed of
 * Migration20261202000000, which also takes the scan lock shared).
 */
export class Migration20261210010000_disputes extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table dispute (
        id uuid primary key,
        receivable_id uuid not null references receivable (id) deferrable initially deferred,
        customer_id uuid not null references customer (id) deferrable initially deferred,
        amount numeric(16,2) not null check (amount > 0),
        category text not null check (category in ('PRICE','QUANTITY','QUALITY','DELIVERY','NOT_ORDERED','OTHER')),
        reason text not null,
        state text not null default 'OPEN' check (state in ('OPEN','RESOLVED')),
        opened_on date not null,
        opened_at timestamptz not null default now(),
        opened_by_id uuid not null references app_user (id) deferrable initially deferred,
        outcome text check (outcome in ('VALID','INVALID','PARTIAL')),
        credited_amount numeric(16,2) not null default 0 check (credited_amount >= 0 and credited_amount <= amount),
        credit_id uuid references receivable_credit (id) deferrable initially deferred,
        resolution_note text,
        resolved_on date,
        resolved_at timestamptz,
        resolved_by_id uuid references app_user (id) deferrable initially deferred,
        constraint dispute_resolution_complete check (
          (state = 'OPEN' and outcome is null and resolved_on is null and resolved_at is null and resolved_by_id is null and credited_amount = 0)
          or (state = 'RESOLVED' and outcome is not null and resolved_on is not null and resolved_at is not null and resolved_by_id is not null
              and resolution_note is not null and resolved_on >= opened_on))
      );
      create index dispute_receivable_idx on dispute (receivable_id, opened_on);
      create index dispute_customer_idx on dispute (customer_id, opened_on desc, id desc);
      create index dispute_opened_idx on dispute (opened_on desc, id desc);
      -- Disputed amounts as of a date: the open ones, and those resolved after it.
      create index dispute_open_idx on dispute (receivable_id) include (amount, opened_on) where state = 'OPEN';
      create index dispute_resolved_on_idx on dispute (resolved_on) include (receivable_id, amount, opened_on) where state = 'RESOLVED';

      create function dispute_overdue_changed() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array[new.receivable_id]);
        return null;
      end $$;
      create trigger dispute_overdue_changed after insert or update on dispute
        for each row execute function dispute_overdue_changed();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger dispute_overdue_changed on dispute;
      drop function dispute_overdue_changed();
      drop table dispute;
    `);
  }
}
