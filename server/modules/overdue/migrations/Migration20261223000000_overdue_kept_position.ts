import { Migration } from '@mikro-orm/migrations';

/**
 * What a judgement read from the ledger, kept in the state row while no date can change it.
 *
 * Most receivables a scan takes come for a date alone: their next stage threshold, their
 * first day past due. Their position is what it was at their last judgement whenever no
 * date can move it: issued by then, no money, credit or write-off that counts only later,
 * and no ledger change since (which marks the row, `-infinity`). Then the judgement keeps
 * the position, the effective due date and the salesperson it read (`kept_*`), and the
 * next judgement of that row by date reads them instead of the receivable and its
 * allocations: for 100,000 falling overdue at once, the million-row receivable table is
 * not read at all. Anything else (a marked row, a position that a date will move, a full
 * re-judgement) reads the ledger as before, and a judgement that reads it keeps what it
 * read again. Existing rows keep nothing until their next judgement.
 */
export class Migration20261223000000_overdue_kept_position extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state
        add column kept_position numeric(16,2) check (kept_position >= 0),
        add column kept_effective_due_on date,
        add column kept_salesperson_id uuid,
        add constraint receivable_overdue_state_kept check (
          (kept_position is null) = (kept_effective_due_on is null) and (kept_position is null) = (kept_salesperson_id is null));
      comment on column receivable_overdue_state.kept_position is
        'The position as of the last judgement, when no date can move it without a ledger change (which marks the row); null: read the ledger at the next judgement.';
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state
        drop constraint receivable_overdue_state_kept,
        drop column kept_position, drop column kept_effective_due_on, drop column kept_salesperson_id;
    `);
  }
}
