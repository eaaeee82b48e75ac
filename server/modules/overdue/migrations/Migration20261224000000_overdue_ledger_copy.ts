import { Migration } from '@mikro-orm/migrations';

/**
 * The statements of a receivable trigger: marks the rows of `changed` (receivable rows, read
 * from the trigger's transition tables) as overdue_mark_changed does, with a copy of their
 * ledger columns. The transition tables are visible in the trigger's function only, so each
 * trigger runs its own copy of this text.
 */
function markWithCopy(changed: string): string {
  return `-- The scan's advisory lock ("hksc", SCAN_LOCK in overdue.queries.ts), shared.
        perform pg_advisory_xact_lock_shared(1751872355);
        insert into receivable_overdue_state (receivable_id, stage, judged_on, next_judgement_on, ledger_customer_id, ledger_salesperson_id,
                                              ledger_issued_on, ledger_effective_due_on, ledger_outstanding, ledger_written_off_at, ledger_written_off_amount)
        select r.id, null::integer, null::date, '-infinity'::date, r.customer_id, r.salesperson_id,
               r.issued_on, r.effective_due_on, r.outstanding, r.written_off_at, r.written_off_amount
          from (${changed}) r order by r.id
        on conflict (receivable_id) do update
           set next_judgement_on = '-infinity', ledger_customer_id = excluded.ledger_customer_id, ledger_salesperson_id = excluded.ledger_salesperson_id,
               ledger_issued_on = excluded.ledger_issued_on, ledger_effective_due_on = excluded.ledger_effective_due_on,
               ledger_outstanding = excluded.ledger_outstanding, ledger_written_off_at = excluded.ledger_written_off_at,
               ledger_written_off_amount = excluded.ledger_written_off_amount;`;
}

/**
 * A copy of a changed receivable's ledger columns in its state row, until it is judged.
 *
 * The receivable triggers mark a receivable whose money or dates changed (`-infinity`), and
 * the next judgement reads it from the ledger. Reading the receivable row is the largest
 * part of judging a changed receivable: a lookup by key at a random place of a million-row
 * table, right after the change wrote that page (the first reader after a checkpoint sets
 * its hint bits, which writes the whole page to the WAL). The triggers have the new row at
 * hand, and already write the state row to mark it: now they also copy the columns the
 * position is computed from (`ledger_*`), and the judgement reads the copy instead of the
 * receivable. The formula is the same (server/db/positions.ts); only where its receivable
 * columns come from differs.
 *
 * - The receivable's triggers write the copy on every insert and on every update that changes
 *   one of those columns, in the changing transaction, under the scan lock taken shared; so
 *   whenever a judgement (the lock exclusive) reads a copy, it is the receivable's row.
 * - A judgement clears the copies of the rows it judged, so the rows stay narrow; a row
 *   marked only by something else (a notice, a dispute) has none and is read from the ledger.
 * - A full re-judgement (the check) ignores the copies and reads the ledger.
 */
export class Migration20261224000000_overdue_ledger_copy extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state
        add column ledger_customer_id uuid,
        add column ledger_salesperson_id uuid,
        add column ledger_issued_on date,
        add column ledger_effective_due_on date,
        add column ledger_outstanding numeric(16,2),
        add column ledger_written_off_at timestamptz,
        add column ledger_written_off_amount numeric(16,2),
        add constraint receivable_overdue_state_ledger_copy check (
          (ledger_customer_id is null) = (ledger_salesperson_id is null) and (ledger_customer_id is null) = (ledger_issued_on is null)
          and (ledger_customer_id is null) = (ledger_effective_due_on is null) and (ledger_customer_id is null) = (ledger_outstanding is null));
      comment on column receivable_overdue_state.ledger_customer_id is
        'With the other ledger_* columns: the receivable''s ledger columns as its last change left them, until the next judgement; null: read the receivable.';

      create or replace function receivable_overdue_inserted() returns trigger language plpgsql as $$
      begin
        ${markWithCopy('select n.* from new_rows n')}
        return null;
      end $$;

      create or replace function receivable_overdue_updated() returns trigger language plpgsql as $$
      begin
        ${markWithCopy(`select n.* from new_rows n join old_rows o on o.id = n.id
           where (n.amount, n.outstanding, n.issued_on, n.effective_due_on, n.written_off_at, n.written_off_amount, n.customer_id, n.salesperson_id)
                 is distinct from (o.amount, o.outstanding, o.issued_on, o.effective_due_on, o.written_off_at, o.written_off_amount, o.customer_id, o.salesperson_id)`)}
        return null;
      end $$;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      create or replace function receivable_overdue_inserted() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array(select id from new_rows order by id));
        return null;
      end $$;
      create or replace function receivable_overdue_updated() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array(
          select n.id from new_rows n join old_rows o on o.id = n.id
           where (n.amount, n.outstanding, n.issued_on, n.effective_due_on, n.written_off_at, n.written_off_amount, n.customer_id, n.salesperson_id)
                 is distinct from (o.amount, o.outstanding, o.issued_on, o.effective_due_on, o.written_off_at, o.written_off_amount, o.customer_id, o.salesperson_id)
           order by n.id));
        return null;
      end $$;
      alter table receivable_overdue_state
        drop constraint receivable_overdue_state_ledger_copy,
        drop column ledger_customer_id, drop column ledger_salesperson_id, drop column ledger_issued_on, drop column ledger_effective_due_on,
        drop column ledger_outstanding, drop column ledger_written_off_at, drop column ledger_written_off_amount;
    `);
  }
}
