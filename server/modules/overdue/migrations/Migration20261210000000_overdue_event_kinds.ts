import { Migration } from '@mikro-orm/migrations';

/**
 * One event stream for the collection day (issue 10): besides a receivable's overdue
 * transitions, `overdue_event` carries promises to pay (made, kept, broken), disputes
 * (opened, resolved) and credit status changes, appended by the areas that own them in
 * their own transactions (`appendOverdueEvent`, overdue.append.ts).
 *
 * - `receivable_id` is null for an event about a customer as a whole (a promise over
 *   several receivables, a credit status); `customer_id` stays on every event (SALES
 *   visibility, the customer filter). `salesperson_id` is the salesperson the receivable
 *   was issued under, or for a customer-level event the customer's owner when it happened.
 * - `days_overdue` and `outstanding` are an alarm's figures: null for the other kinds.
 * - The new kinds name what they are about (`promise_id`, `dispute_id`), a state and the
 *   state before (`state`, `previous_state`: a promise's, a dispute's, a credit status),
 *   an amount (promised, disputed) and a sentence for people (`detail`).
 */
export class Migration20261210000000_overdue_event_kinds extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table overdue_event drop constraint overdue_event_type_check;
      alter table overdue_event add constraint overdue_event_type_check check (type in (
        'BECAME_OVERDUE','STAGE_ESCALATED','CLEARED',
        'PROMISE_MADE','PROMISE_KEPT','PROMISE_BROKEN',
        'DISPUTE_OPENED','DISPUTE_RESOLVED','CREDIT_STATUS_CHANGED'));
      alter table overdue_event
        alter column receivable_id drop not null,
        alter column days_overdue drop not null,
        alter column outstanding drop not null,
        add column promise_id uuid,
        add column dispute_id uuid,
        add column state text,
        add column previous_state text,
        add column amount numeric(16,2),
        add column detail text;
      -- An alarm always names its receivable and its figures.
      alter table overdue_event add constraint overdue_event_alarm_shape check (
        type not in ('BECAME_OVERDUE','STAGE_ESCALATED','CLEARED')
        or (receivable_id is not null and days_overdue is not null and outstanding is not null));
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table overdue_event drop constraint overdue_event_alarm_shape;
      alter table overdue_event drop constraint overdue_event_type_check;
      alter table overdue_event
        drop column promise_id, drop column dispute_id, drop column state, drop column previous_state,
        drop column amount, drop column detail,
        alter column receivable_id set not null,
        alter column days_overdue set not null,
        alter column outstanding set not null;
      alter table overdue_event add constraint overdue_event_type_check check (type in ('BECAME_OVERDUE','STAGE_ESCALATED','CLEARED'));
    `);
  }
}
