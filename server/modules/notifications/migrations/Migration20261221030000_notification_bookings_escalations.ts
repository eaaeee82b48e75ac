import { Migration } from '@mikro-orm/migrations';

/**
 * Two more things people hear of, each enqueued by a row trigger in the transaction of
 * the change it tells of:
 *
 * - FINANCE: a payment booked late, past BOOKING_LAG_LIMIT_DAYS (it carries a lag reason;
 *   the job checks LATE_BOOKING_NOTIFY_AMOUNT). A WHEN clause keeps ordinary bookings free
 *   of any work.
 * - PROJECT_LEAD: an improvement proposal escalated to management.
 */
export class Migration20261221030000_notification_bookings_escalations extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create function notification_enqueue_late_booking() returns trigger language plpgsql as $$
      begin
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_late_booking', json_build_object('paymentId', new.id),
                                          job_key => 'notifications:late-booking:' || new.id);
        end if;
        return null;
      end $$;
      create trigger payment_late_booking_notifications after insert on payment
        for each row when (new.lag_reason is not null)
        execute function notification_enqueue_late_booking();

      create function notification_enqueue_escalation() returns trigger language plpgsql as $$
      begin
        if to_regnamespace('graphile_worker') is not null then
          perform graphile_worker.add_job('notifications_escalation', json_build_object('proposalId', new.id),
                                          job_key => 'notifications:escalation:' || new.id);
        end if;
        return null;
      end $$;
      create trigger improvement_proposal_escalation_notifications after update of status on improvement_proposal
        for each row when (new.status = 'ESCALATED' and old.status is distinct from 'ESCALATED')
        execute function notification_enqueue_escalation();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger improvement_proposal_escalation_notifications on improvement_proposal;
      drop function notification_enqueue_escalation();
      drop trigger payment_late_booking_notifications on payment;
      drop function notification_enqueue_late_booking();
    `);
  }
}
