import { Migration } from '@mikro-orm/migrations';

/**
 * Freezes: the engine's own record of money that must not escalate. An area above the
 * engine (disputes) writes a row in the same transaction as its own change; the engine
 * reads only this table, never that area's (the arrows of the house point down, in SQL
 * too).
 *
 * A row freezes `amount` of a receivable on every business date D with
 * `from_on <= D` and (`until_on` is null or `D < until_on`): a dispute opened on `from_on`
 * and resolved on `until_on` (null while open). A receivable whose frozen amounts on D
 * cover its whole position keeps the stage it has (JUDGE, CTE `disputes`). `source_id` is
 * the row of the writing area (the dispute's id), one freeze per source.
 *
 * Every change marks the receivable for re-judgement in the same transaction
 * (overdue_mark_changed of Migration20261202000000, which also takes the scan lock shared).
 */
export class Migration20261216010000_overdue_freeze extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create table overdue_freeze (
        source_id uuid primary key,
        receivable_id uuid not null references receivable (id) deferrable initially deferred,
        amount numeric(16,2) not null check (amount > 0),
        from_on date not null,
        until_on date check (until_on >= from_on)
      );
      create index overdue_freeze_receivable_idx on overdue_freeze (receivable_id) include (amount, from_on, until_on);

      -- The payment notices' trigger function marks the receivable of any row with a
      -- receivable_id (old and new): one function for both tables, named for what it does.
      alter function payment_notice_overdue_changed() rename to overdue_receivable_row_changed;
      create trigger overdue_freeze_changed after insert or update or delete on overdue_freeze
        for each row execute function overdue_receivable_row_changed();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger overdue_freeze_changed on overdue_freeze;
      alter function overdue_receivable_row_changed() rename to payment_notice_overdue_changed;
      drop table overdue_freeze;
    `);
  }
}
