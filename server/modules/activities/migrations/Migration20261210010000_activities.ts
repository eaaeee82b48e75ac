import { Migration } from '@mikro-orm/migrations';

/**
 * The contact log (issue 10): what a salesperson (or finance, a manager) did to collect
 * from a customer and what the customer said. Rows are written once and never changed.
 * A phone that logged offline retries with the same idempotency key: the key is unique
 * per user, and `content_hash` tells a retry (same content) from a reused key.
 */
export class Migration20261210010000_activities extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table collection_activity (
        id uuid primary key,
        customer_id uuid not null references customer (id),
        -- Null for an activity recorded by reportPaymentNotice (it does not say how the customer was reached).
        kind text check (kind in ('CALL','VISIT','MESSAGE','EMAIL')),
        outcome text not null check (outcome in ('REACHED','NO_ANSWER','PROMISED','DISPUTED','CLAIMS_PAID','REFUSED')),
        note text not null default '',
        receivable_ids uuid[] not null default '{}',
        -- As captured on the phone, and its business date in the company time zone.
        occurred_at timestamptz not null,
        occurred_on date not null,
        next_action_on date,
        recorded_by_id uuid not null references app_user (id),
        recorded_at timestamptz not null default now(),
        idempotency_key text,
        content_hash text,
        payment_notice_id uuid references payment_notice (id),
        unique (recorded_by_id, idempotency_key)
      );
      create index collection_activity_customer_idx on collection_activity (customer_id, occurred_at desc, id desc);
      create index collection_activity_occurred_idx on collection_activity (occurred_at desc, id desc);
    `);
  }

  async down(): Promise<void> {
    this.addSql('drop table collection_activity;');
  }
}
