import { Migration } from '@mikro-orm/migrations';

/**
 * PROMISE_REOPENED: a promise to pay judged KEPT (or BROKEN) that is open again before its
 * deadline, because the money that kept it was voided or a calendar change moved its dates.
 */
export class Migration20261216030000_promise_reopened_event extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table overdue_event drop constraint overdue_event_type_check;
      alter table overdue_event add constraint overdue_event_type_check check (type in (
        'BECAME_OVERDUE','STAGE_ESCALATED','CLEARED',
        'PROMISE_MADE','PROMISE_KEPT','PROMISE_BROKEN','PROMISE_REOPENED',
        'DISPUTE_OPENED','DISPUTE_RESOLVED','CREDIT_STATUS_CHANGED'));
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table overdue_event drop constraint overdue_event_type_check;
      alter table overdue_event add constraint overdue_event_type_check check (type in (
        'BECAME_OVERDUE','STAGE_ESCALATED','CLEARED',
        'PROMISE_MADE','PROMISE_KEPT','PROMISE_BROKEN',
        'DISPUTE_OPENED','DISPUTE_RESOLVED','CREDIT_STATUS_CHANGED'));
    `);
  }
}
