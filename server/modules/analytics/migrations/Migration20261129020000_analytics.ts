import { Migration } from '@mikro-orm/migrations';

/**
 * Analytics: indexes for the as-of and window metrics (modules/analytics/metrics.queries.ts),
 * the immutable weekly analysis snapshots and the goals.
 */
export class Migration20261129020000_analytics extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      -- Positions as of a date start from the open receivables (partial index) and add
      -- back what arrived or was written off after that date.
      create index receivable_open_salesperson_idx on receivable (salesperson_id, effective_due_on) where outstanding > 0;
      create index receivable_written_off_at_idx on receivable (written_off_at) where written_off_at is not null;
      -- Window metrics: what fell due (effective due date) and what was issued in a window.
      create index receivable_effective_due_idx on receivable (effective_due_on, salesperson_id);
      create index receivable_issued_idx on receivable (issued_on, salesperson_id);
      create index payment_booked_at_idx on payment (booked_at);

      -- One row per Monday-to-Sunday week, written once and never changed: the trend
      -- stays as it was reported even when the ledger is corrected later.
      create table weekly_analysis (
        week_start date primary key check (extract(isodow from week_start) = 1),
        week_end date not null check (week_end = week_start + 6),
        published_at timestamptz not null default now(),
        published_by_id uuid references app_user (id) deferrable initially deferred,
        trigger text not null check (trigger in ('SCHEDULE','MANUAL')),
        data jsonb not null
      );
      create function weekly_analysis_immutable() returns trigger language plpgsql as $$
      begin
        raise exception 'weekly_analysis snapshots are immutable';
      end $$;
      create trigger weekly_analysis_no_change before update or delete on weekly_analysis
        for each row execute function weekly_analysis_immutable();

      create table goal (
        id uuid primary key,
        metric text not null check (metric in ('COLLECTION_RATE','ON_TIME_RATE','OVERDUE_AMOUNT','OVERDUE_RATIO','DSO','CEI')),
        direction text not null check (direction in ('AT_LEAST','AT_MOST')),
        target numeric(18,4) not null check (target >= 0),
        period text not null check (period in ('WEEK','MONTH','QUARTER')),
        period_start date not null,
        period_end date not null,
        scope text not null check (scope in ('COMPANY','SALESPERSON','EVERY_SALESPERSON')),
        salesperson_id uuid references app_user (id) deferrable initially deferred,
        weight integer not null check (weight between 1 and 100),
        created_by_id uuid not null references app_user (id) deferrable initially deferred,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        archived_at timestamptz,
        constraint goal_period_order check (period_end >= period_start),
        constraint goal_scope_salesperson check ((scope = 'SALESPERSON') = (salesperson_id is not null))
      );
      create index goal_period_idx on goal (period_start, period_end) where archived_at is null;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table goal;
      drop table weekly_analysis;
      drop function weekly_analysis_immutable();
      drop index payment_booked_at_idx, receivable_issued_idx, receivable_effective_due_idx,
        receivable_written_off_at_idx, receivable_open_salesperson_idx;
    `);
  }
}
