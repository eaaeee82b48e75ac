import { Migration } from '@mikro-orm/migrations';

/**
 * Per-customer figures kept by every judgement, so that nothing needs to add up a
 * customer's receivables again to know them (the credit status asks for them in every scan).
 *
 * - Each state row remembers what it counted as of its judgement: the customer
 *   (`customer_id`) and its overdue money (`overdue_amount`, the position when past its
 *   effective due date, else 0). Between judgements neither can change: a row's next
 *   judgement date is the first date its judgement could differ, and a ledger change
 *   marks it at once.
 * - `overdue_customer_stage` adds them up per customer and stage (0: overdue money without
 *   an alarm stage: held by a notice, frozen by a dispute before it had a stage): how many
 *   receivables, and their overdue money. A judgement moves each row it judged from the
 *   bucket it counted in to the one it counts in now, so the table always equals the sum
 *   over the state rows, as of the engine's date.
 * - Backfill: the stages are known, the money is not (it was never stored): every judged
 *   row is counted with its stage and no money, and marked for the next judgement, which
 *   adds its money. Nothing is lost; the next scan judges every receivable once.
 */
export class Migration20261215000000_overdue_customer_tally extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state
        add column customer_id uuid,
        add column overdue_amount numeric(16,2) not null default 0 check (overdue_amount >= 0);
      comment on column receivable_overdue_state.customer_id is 'The customer the last judgement counted the row for (overdue_customer_stage).';
      comment on column receivable_overdue_state.overdue_amount is
        'Overdue money as of the last judgement: the position when past the effective due date, else 0.';

      create table overdue_customer_stage (
        customer_id uuid not null,
        -- The alarm stage; 0: overdue money without a stage.
        stage integer not null check (stage >= 0),
        receivables integer not null check (receivables >= 0),
        amount numeric(16,2) not null check (amount >= 0),
        primary key (customer_id, stage)
      );

      update receivable_overdue_state o set customer_id = r.customer_id from receivable r where r.id = o.receivable_id;
      insert into overdue_customer_stage (customer_id, stage, receivables, amount)
        select o.customer_id, o.stage, count(*), 0 from receivable_overdue_state o where o.stage is not null group by o.customer_id, o.stage;
      update receivable_overdue_state set next_judgement_on = '-infinity' where judged_on is not null;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table overdue_customer_stage;
      alter table receivable_overdue_state drop column customer_id, drop column overdue_amount;
    `);
  }
}
