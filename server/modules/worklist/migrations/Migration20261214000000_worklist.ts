import { Migration } from '@mikro-orm/migrations';

/**
 * The collection worklist (issue 10) reads a salesperson's customers (customer_owner_idx)
 * and, per customer, its open receivables: this partial index serves that walk with what
 * the position needs, so the page never reads the receivables already paid.
 */
export class Migration20261214000000_worklist extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create index receivable_open_customer_idx on receivable (customer_id, effective_due_on)
        include (id, issued_on, outstanding, written_off_at, written_off_amount, salesperson_id) where outstanding > 0;
    `);
  }

  async down(): Promise<void> {
    this.addSql('drop index receivable_open_customer_idx;');
  }
}
