import { Migration } from '@mikro-orm/migrations';

/**
 * A CLAIMS_PAID activity holds the alarm of each of its receivables with a payment notice,
 * exactly as reportPaymentNotice does: one activity, several notices. The link moves from
 * the activity's single `payment_notice_id` to a table of its own (a notice belongs to at
 * most one activity); the notices reportPaymentNotice recorded so far keep their activity.
 */
export class Migration20261216000000_activity_notices extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table collection_activity_notice (
        payment_notice_id uuid primary key references payment_notice (id),
        activity_id uuid not null references collection_activity (id)
      );
      create index collection_activity_notice_activity_idx on collection_activity_notice (activity_id);
      insert into collection_activity_notice (payment_notice_id, activity_id)
        select payment_notice_id, id from collection_activity where payment_notice_id is not null;
      alter table collection_activity drop column payment_notice_id;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table collection_activity add column payment_notice_id uuid references payment_notice (id);
      update collection_activity a set payment_notice_id = l.payment_notice_id
        from (select distinct on (activity_id) activity_id, payment_notice_id from collection_activity_notice order by activity_id, payment_notice_id) l
       where l.activity_id = a.id;
      drop table collection_activity_notice;
    `);
  }
}
