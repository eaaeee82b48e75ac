import { Migration } from '@mikro-orm/migrations';

/**
 * A dispute freezes its amount in the overdue engine's own table (overdue_freeze,
 * Migration20261216010000), written by the dispute's trigger in the same transaction as
 * the dispute row: from the day it was opened until the day it was resolved. The engine
 * no longer reads the `dispute` table. The freeze's trigger marks the receivable for
 * re-judgement (this trigger did it itself before); existing disputes are copied.
 */
export class Migration20261216020000_dispute_freezes extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      insert into overdue_freeze (source_id, receivable_id, amount, from_on, until_on)
        select id, receivable_id, amount, opened_on, case when state = 'RESOLVED' then resolved_on end from dispute;

      create or replace function dispute_overdue_changed() returns trigger language plpgsql as $$
      begin
        insert into overdue_freeze (source_id, receivable_id, amount, from_on, until_on)
        values (new.id, new.receivable_id, new.amount, new.opened_on, case when new.state = 'RESOLVED' then new.resolved_on end)
        on conflict (source_id) do update
           set receivable_id = excluded.receivable_id, amount = excluded.amount, from_on = excluded.from_on, until_on = excluded.until_on
         where (overdue_freeze.receivable_id, overdue_freeze.amount, overdue_freeze.from_on, overdue_freeze.until_on)
               is distinct from (excluded.receivable_id, excluded.amount, excluded.from_on, excluded.until_on);
        return null;
      end $$;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      create or replace function dispute_overdue_changed() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array[new.receivable_id]);
        return null;
      end $$;
      delete from overdue_freeze f using dispute d where d.id = f.source_id;
    `);
  }
}
