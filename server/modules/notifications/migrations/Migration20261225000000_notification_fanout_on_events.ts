import { Migration } from '@mikro-orm/migrations';

/**
 * The fan-out job is enqueued only by a statement that inserted events. A statement-level
 * trigger fires also when its statement inserted no row: every judgement that found nothing
 * to tell (a scheduled scan, every minute) enqueued the job, and the worker ran it for
 * nothing. The trigger now reads its statement's rows (a transition table) and enqueues
 * nothing without one.
 */
export class Migration20261225000000_notification_fanout_on_events extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create or replace function notification_enqueue_fanout() returns trigger language plpgsql as $$
      begin
        -- The server installs the queue's schema at start; a database only migrated (a
        -- template, a tool) has none, and its events wait for the first start's sweep.
        if to_regnamespace('graphile_worker') is not null and exists (select 1 from inserted_events) then
          perform graphile_worker.add_job('notifications_fanout', '{}'::json,
                                          job_key => 'notifications:fanout', job_key_mode => 'preserve_run_at');
        end if;
        return null;
      end $$;
      drop trigger overdue_event_notifications on overdue_event;
      create trigger overdue_event_notifications after insert on overdue_event
        referencing new table as inserted_events
        for each statement execute function notification_enqueue_fanout();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger overdue_event_notifications on overdue_event;
      create or replace function notification_enqueue_fanout() returns trigger language plpgsql as $$
      begin
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_fanout', '{}'::json,
                                          job_key => 'notifications:fanout', job_key_mode => 'preserve_run_at');
        end if;
        return null;
      end $$;
      create trigger overdue_event_notifications after insert on overdue_event
        for each statement execute function notification_enqueue_fanout();
    `);
  }
}
