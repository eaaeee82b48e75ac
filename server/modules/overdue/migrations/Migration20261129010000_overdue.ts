import { Migration } from '@mikro-orm/migrations';

/**
 * The overdue engine: the overdue state of receivables (written only by scans), payment
 * notice holds, and the append-only event table that is the truth of the event stream.
 * Both engine tables are narrow and carry no foreign keys on purpose: a scan writes one
 * row per transition for up to hundreds of thousands of receivables at once, and only
 * the scan, which reads the ids from `receivable`, writes them.
 */
export class Migration20261129010000_overdue extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      -- The engine's state of every receivable it has judged overdue at some time: the
      -- stage now (null: not overdue any more) and the business date of that judgement.
      create table receivable_overdue_state (
        receivable_id uuid primary key,
        stage integer check (stage >= 1),
        as_of date not null
      );
      create index receivable_overdue_state_overdue_idx on receivable_overdue_state (receivable_id) where stage is not null;

      alter table payment_notice
        add column created_on date,
        add column hold_until date;
      update payment_notice set created_on = (created_at at time zone 'UTC')::date, hold_until = (created_at at time zone 'UTC')::date;
      alter table payment_notice alter column created_on set not null, alter column hold_until set not null;

      -- Append-only: rows are inserted by scans (one per state transition) and never changed.
      -- seq orders the stream; scans are serialised, so seq order is commit order.
      create table overdue_event (
        seq bigserial primary key,
        id uuid not null unique,
        type text not null check (type in ('BECAME_OVERDUE','STAGE_ESCALATED','CLEARED')),
        receivable_id uuid not null,
        customer_id uuid not null,
        salesperson_id uuid not null,
        stage integer,
        previous_stage integer,
        days_overdue integer not null,
        outstanding numeric(16,2) not null,
        as_of date not null,
        occurred_at timestamptz not null default now()
      );
      create index overdue_event_customer_idx on overdue_event (customer_id, seq);

      create function overdue_event_append_only() returns trigger language plpgsql as $$
      begin
        raise exception 'overdue_event is append-only';
      end $$;
      create trigger overdue_event_no_change before update or delete on overdue_event
        for each row execute function overdue_event_append_only();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table overdue_event;
      drop function overdue_event_append_only();
      alter table payment_notice drop column created_on, drop column hold_until;
      drop table receivable_overdue_state;
    `);
  }
}
