import { Migration } from '@mikro-orm/migrations';

/**
 * A settled promise (KEPT, PARTIAL, BROKEN) is judged again when what settled it changes
 * (`rejudge`); before, KEPT was final and a voided payment left it KEPT.
 *
 * - Money: any change to an allocation of a promised receivable (booked, voided, removed,
 *   its arrival date corrected) marks the receivable's settled promises in the same
 *   transaction, by trigger, whichever code writes the ledger: a voided payment can turn a
 *   KEPT promise OPEN, PARTIAL or BROKEN again.
 * - Calendar: a calendar change that moves a promise's due date or deadline marks it too
 *   (promises area, CALENDAR_CHANGE_PARTICIPANTS).
 * - The judgement clears the mark. The trigger takes the overdue engine's scan lock shared
 *   before it touches a promise, as the engine's change triggers do, so it waits for a
 *   running judgement and a judgement for it: no two transactions wait for each other.
 * - Every KEPT promise is judged once more by the first judgement after this migration.
 */
export class Migration20261216040000_promise_rejudge extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table promise_to_pay add column rejudge boolean not null default false;
      comment on column promise_to_pay.rejudge is 'A change since the last judgement may move this settled promise: the next judgement reads it.';
      update promise_to_pay set rejudge = true where state = 'KEPT';
      drop index promise_to_pay_unsettled_idx;
      create index promise_to_pay_to_judge_idx on promise_to_pay (made_on) where state <> 'KEPT' or rejudge;
      create index promise_to_pay_receivables_idx on promise_to_pay using gin (receivable_ids);

      create function promise_money_changed() returns trigger language plpgsql as $$
      declare
        changed uuid[];
      begin
        if tg_op = 'INSERT' then
          changed := array(select distinct receivable_id from new_rows);
        elsif tg_op = 'UPDATE' then
          changed := array(select receivable_id from new_rows union select receivable_id from old_rows);
        else
          changed := array(select distinct receivable_id from old_rows);
        end if;
        if exists (select 1 from promise_to_pay p where p.receivable_ids && changed) then
          -- The overdue engine's scan lock ("hksc"), shared, before any promise row is read for
          -- update: a judgement that settled a promise meanwhile has committed, and the update
          -- below sees its state.
          perform pg_advisory_xact_lock_shared(1751872355);
          update promise_to_pay p set rejudge = true where p.receivable_ids && changed and p.state <> 'OPEN' and not p.rejudge;
        end if;
        return null;
      end $$;
      create trigger promise_money_inserted after insert on payment_allocation
        referencing new table as new_rows for each statement execute function promise_money_changed();
      create trigger promise_money_updated after update on payment_allocation
        referencing old table as old_rows new table as new_rows for each statement execute function promise_money_changed();
      create trigger promise_money_deleted after delete on payment_allocation
        referencing old table as old_rows for each statement execute function promise_money_changed();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger promise_money_deleted on payment_allocation;
      drop trigger promise_money_updated on payment_allocation;
      drop trigger promise_money_inserted on payment_allocation;
      drop function promise_money_changed();
      drop index promise_to_pay_receivables_idx;
      drop index promise_to_pay_to_judge_idx;
      create index promise_to_pay_unsettled_idx on promise_to_pay (made_on) where state <> 'KEPT';
      alter table promise_to_pay drop column rejudge;
    `);
  }
}
