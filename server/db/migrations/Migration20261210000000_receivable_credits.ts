import { Migration } from '@mikro-orm/migrations';

/**
 * Credits: a part of a receivable the company no longer claims (e.g. a dispute found
 * valid), dated by the business date it was granted. Unlike a write-off (all that is
 * outstanding, at an instant) a receivable can get several credits, each of a part; the
 * ledger keeps `receivable.credited_amount` (their sum) so that
 * outstanding = amount − allocations − write-off − credits, and a position as of D adds
 * back the credits granted after D (server/db/positions.ts). A credit is never changed
 * or deleted. The change to `outstanding` marks the receivable for the overdue engine
 * (trigger of the overdue area).
 */
export class Migration20261210000000_receivable_credits extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable add column credited_amount numeric(16,2) not null default 0 check (credited_amount >= 0);
      create table receivable_credit (
        id uuid primary key,
        receivable_id uuid not null references receivable (id) deferrable initially deferred,
        amount numeric(16,2) not null check (amount > 0),
        credited_on date not null,
        reason text not null,
        credited_by_id uuid not null references app_user (id) deferrable initially deferred,
        created_at timestamptz not null default now()
      );
      create index receivable_credit_receivable_idx on receivable_credit (receivable_id);
      -- Positions as of a past date add back the credits granted after it: a range scan.
      create index receivable_credit_on_idx on receivable_credit (credited_on) include (receivable_id, amount);
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table receivable_credit;
      alter table receivable drop column credited_amount;
    `);
  }
}
