import { Migration } from '@mikro-orm/migrations';

/**
 * Positions as of a past date (aging, window sums) add back what arrived after that date.
 * Summing it through payment ⋈ payment_allocation read both tables whole and aggregated
 * every later allocation, most of them to receivables issued after the date. The
 * allocation now carries the payment's `received_on`, whether the payment is voided and
 * the receivable's `issued_on` (both dates never change; `voided` is set when the payment
 * is voided), so the sum is one index-only range scan of the partial index below.
 */
export class Migration20261129040000_aging_indexes extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table payment_allocation
        add column received_on date,
        add column issued_on date,
        add column voided boolean not null default false;
      update payment_allocation a set received_on = p.received_on, voided = p.voided_at is not null
        from payment p where p.id = a.payment_id;
      update payment_allocation a set issued_on = r.issued_on
        from receivable r where r.id = a.receivable_id;
      alter table payment_allocation
        alter column received_on set not null,
        alter column issued_on set not null;
      create index payment_allocation_later_idx on payment_allocation (received_on, issued_on)
        include (receivable_id, amount) where not voided;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop index payment_allocation_later_idx;
      alter table payment_allocation drop column received_on, drop column issued_on, drop column voided;
    `);
  }
}
