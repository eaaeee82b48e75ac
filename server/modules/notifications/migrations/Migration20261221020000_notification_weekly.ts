import { Migration } from '@mikro-orm/migrations';

/**
 * The managers' weekly digest: when a weekly analysis is stored (the analytics area's
 * `weekly_analysis`, one row per week, by schedule or `publishWeeklyAnalysis`), a row
 * trigger enqueues the digest job for that week in the same transaction. Outbox rows get
 * a `dedupe_key` (one digest per week, manager and channel), so a job run twice writes
 * them once.
 */
export class Migration20261221020000_notification_weekly extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table notification add column dedupe_key text;
      create unique index notification_dedupe on notification (dedupe_key) where dedupe_key is not null;

      create function notification_enqueue_weekly() returns trigger language plpgsql as $$
      begin
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_weekly', json_build_object('weekStart', new.week_start),
                                          job_key => 'notifications:weekly:' || new.week_start);
        end if;
        return null;
      end $$;
      create trigger weekly_analysis_notifications after insert on weekly_analysis
        for each row execute function notification_enqueue_weekly();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger weekly_analysis_notifications on weekly_analysis;
      drop function notification_enqueue_weekly();
      drop index notification_dedupe;
      alter table notification drop column dedupe_key;
    `);
  }
}
