import { Migration } from '@mikro-orm/migrations';

/**
 * Which promises a judgement reads: the OPEN ones (time alone changes them) and those a
 * change since their last judgement may have moved (`rejudge`), instead of every promise
 * not yet KEPT at every scan, forever.
 *
 * - Money: any change to an allocation of a promised receivable (booked, voided, removed,
 *   its arrival date corrected) marks the receivable's settled promises (KEPT, PARTIAL,
 *   BROKEN) in the same transaction, by trigger, whichever code writes the ledger: a late
 *   booking of on-time money can still turn a BROKEN promise KEPT, and a voided payment
 *   can turn a KEPT one OPEN, PARTIAL or BROKEN again.
 * - Calendar: a calendar change that moves a promise's due date or deadline marks it too
 *   (promises area, CALENDAR_CHANGE_PARTICIPANTS).
 * - The judgement clears the mark. The trigger takes the overdue engine's scan lock shared
 *   before it touches a promise, as the engine's change triggers do, so it waits for a
 *   running judgement and a judgement for it: no two transactions wait for each other.
 * - Every settled promise is judged once more by the first judgement after this migration.
 */
export class Migration20261216040000_promise_rejudge extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table promise_to_pay add column rejudge boolean not null default false;
      comment on column promise_to_pay.rejudge is 'A change since the last judgement may move this settled promise: the next judgement reads it.';
      update promise_to_pay set rejudge = true where state <> 'OPEN';
      drop index promise_to_pay_unsettled_idx;
      create index promise_to_pay_to_judge_idx on promise_to_pay (made_on) where state = 'OPEN' or rejudge;
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
