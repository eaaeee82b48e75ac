import { Migration } from '@mikro-orm/migrations';

/**
 * An overdue event's id follows from its sequence number, so it is unique by
 * construction and needs no index of its own.
 *
 * A judgement appends an event per transition; 100,000 receivables may fall overdue in
 * one scan. A unique index on random uuids puts each insert on a random page of an
 * ever-growing index, and nothing reads events by id (readers go by `seq`, the primary
 * key). Events written from now on get `00000000-0000-8000-8000-<seq as 12 hex digits>`
 * (a version-8 uuid: the layout is ours); events written before keep their random
 * version-4 ids, which cannot take that form.
 */
export class Migration20261203000000_overdue_event_ids extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table overdue_event drop constraint overdue_event_id_key;
      comment on column overdue_event.id is
        'Unique by construction: 00000000-0000-8000-8000-<seq, 12 hex digits> (events written before this migration: random v4 uuids).';
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      comment on column overdue_event.id is null;
      alter table overdue_event add constraint overdue_event_id_key unique (id);
    `);
  }
}
