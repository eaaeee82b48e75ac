import { Migration } from '@mikro-orm/migrations';

/**
 * The daily digest. A preference per kind may now be `DAILY_DIGEST` besides `IMMEDIATE`
 * and `OFF` (the settings' jsonb, no column). A message of such a kind is written to the
 * outbox like any other but `AWAITING_DIGEST`, without a send job; at DIGEST_AT the
 * digest job folds every user's waiting rows of one channel into ONE `DAILY_DIGEST` row
 * (an ordinary PENDING row with its send job) and marks them `DIGESTED` with its id, in
 * one transaction: a row is in exactly one digest, and a digest that rolled back leaves
 * its rows waiting for the next one.
 */
export class Migration20261222020000_notification_daily_digest extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table notification drop constraint notification_status_check;
      alter table notification add constraint notification_status_check
        check (status in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DEAD', 'AWAITING_DIGEST', 'DIGESTED'));
      alter table notification add column digest_id uuid references notification (id);
      alter table notification add constraint notification_digested check ((status = 'DIGESTED') = (digest_id is not null));
      create index notification_awaiting_digest on notification (user_id, channel, created_at, id) where status = 'AWAITING_DIGEST';
      create index notification_of_digest on notification (digest_id) where digest_id is not null;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop index notification_of_digest;
      drop index notification_awaiting_digest;
      alter table notification drop constraint notification_digested;
      alter table notification drop column digest_id;
      update notification set status = 'PENDING' where status = 'AWAITING_DIGEST';
      update notification set status = 'SENT' where status = 'DIGESTED';
      alter table notification drop constraint notification_status_check;
      alter table notification add constraint notification_status_check check (status in ('PENDING', 'SENDING', 'SENT', 'FAILED', 'DEAD'));
    `);
  }
}
