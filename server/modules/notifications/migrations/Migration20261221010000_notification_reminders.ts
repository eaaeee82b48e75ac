import { Migration } from '@mikro-orm/migrations';

/**
 * Feedback reminders by e-mail and IM: `sendFeedbackReminders` (the feedback area) stores
 * one `feedback_reminder` row per front-line user who has not submitted, for "a deliverer
 * to send later". A statement-level trigger on that table enqueues the notifications
 * area's reminder job in the same transaction; the job writes the outbox rows and sets
 * the reminders' `delivered_at` in one transaction. A reminder of a user with no channel
 * (no e-mail, no IM bot) or with reminders turned off stays undelivered.
 */
export class Migration20261221010000_notification_reminders extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create function notification_enqueue_reminders() returns trigger language plpgsql as $$
      begin
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_reminders', '{}'::json,
                                          job_key => 'notifications:reminders', job_key_mode => 'preserve_run_at');
        end if;
        return null;
      end $$;
      create trigger feedback_reminder_notifications after insert on feedback_reminder
        for each statement execute function notification_enqueue_reminders();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger feedback_reminder_notifications on feedback_reminder;
      drop function notification_enqueue_reminders();
    `);
  }
}
