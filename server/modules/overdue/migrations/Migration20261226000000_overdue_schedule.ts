import { Migration } from '@mikro-orm/migrations';

/**
 * Receivables whose alarm follows the calendar alone are not rewritten by the dates that move it.
 *
 * Most receivables a scan takes come for a date alone: their first day past due, their next
 * stage threshold. When nothing but the date can change such a receivable's judgement (its
 * position is kept, `kept_*`: issued, nothing counting later; more than nothing
 * outstanding; no open payment notice; no open dispute), its stage and its overdue money as
 * of any later date follow from its effective due date and the stage thresholds, until a
 * change marks it. Such a row is *on schedule*: its judgement stores the effective due date
 * it follows (`schedule_from`) and no next judgement date.
 *
 * - A scan of D after the scan of P takes the rows on schedule for which a threshold (or the
 *   first day past due) falls in (P, D]: `schedule_from` in (P − t, D − t] for each
 *   threshold t, by index. It judges them as before (events, the customers' figures, the
 *   log), but does not rewrite their state row: what it would write follows from what is
 *   there. Rewriting was most of a steady day's judgement: a new row version and two index
 *   entries per row.
 * - `receivable_alarm` is the alarm state as of the engine's date, the one place that
 *   derives it: the stored stage, raised to the last threshold reached since
 *   `schedule_from`; the overdue money, the kept position once past due. Every reader of a
 *   stage reads it; so does the judgement, for the stage and money a row counted in before.
 * - `overdue_engine.stages` keeps the thresholds the state was judged with, so the view
 *   derives with them; a judgement under other thresholds (OVERDUE_STAGES changed) judges
 *   every receivable again.
 * - A change marks a row on schedule as any other (`-infinity`); it is judged at once and
 *   leaves or keeps its schedule. Existing rows keep their next judgement dates and come on
 *   schedule at their next judgement.
 */
export class Migration20261226000000_overdue_schedule extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state add column schedule_from date;
      comment on column receivable_overdue_state.schedule_from is
        'On schedule: the effective due date the alarm follows from (stage and overdue money derive from it, receivable_alarm); next_judgement_on is then null unless a change marked the row.';
      create index receivable_overdue_state_schedule_idx on receivable_overdue_state (schedule_from)
        where next_judgement_on is null and schedule_from is not null;
      comment on column receivable_overdue_state.stage is
        'The alarm stage as of the last judgement; receivable_alarm.stage is the one as of the engine''s date.';
      comment on column receivable_overdue_state.overdue_amount is
        'Overdue money as of the last judgement (the position when past the effective due date, else 0); receivable_alarm has the one as of the engine''s date.';

      alter table overdue_engine add column stages integer[];
      comment on column overdue_engine.stages is 'The stage thresholds the alarm state was judged with (OVERDUE_STAGES); null: not yet recorded.';

      -- The alarm state as of the engine's date. Without an engine row (before the first scan)
      -- it is the stored one.
      create view receivable_alarm as
      select o.receivable_id,
             case when o.schedule_from is not null and e.scanned_on - o.schedule_from >= 1
                       and width_bucket(e.scanned_on - o.schedule_from, e.stages) >= 1
                  then greatest(o.stage, e.stages[width_bucket(e.scanned_on - o.schedule_from, e.stages)])
                  else o.stage end as stage,
             case when o.schedule_from is not null and e.scanned_on - o.schedule_from >= 1 then o.kept_position
                  else o.overdue_amount end as overdue_amount,
             greatest(e.scanned_on, o.judged_on) as as_of,
             -- The engine's own columns, for its judgement.
             o.ctid as state_row, o.judged_on, o.next_judgement_on, o.schedule_from, o.customer_id,
             o.kept_position, o.kept_effective_due_on, o.kept_salesperson_id,
             o.ledger_customer_id, o.ledger_salesperson_id, o.ledger_issued_on, o.ledger_effective_due_on,
             o.ledger_outstanding, o.ledger_written_off_at, o.ledger_written_off_amount
        from receivable_overdue_state o
        left join overdue_engine e on true;
      comment on view receivable_alarm is
        'Each receivable''s alarm stage and overdue money as of the engine''s date (overdue_engine.scanned_on): what every reader of a stage reads.';
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      -- Rows on schedule store the stage and money they have now, and are judged again at the
      -- next scan, which gives them their next judgement date.
      update receivable_overdue_state o set stage = a.stage, overdue_amount = a.overdue_amount, next_judgement_on = '-infinity'
        from receivable_alarm a where a.receivable_id = o.receivable_id and o.schedule_from is not null;
      drop view receivable_alarm;
      alter table overdue_engine drop column stages;
      drop index receivable_overdue_state_schedule_idx;
      alter table receivable_overdue_state drop column schedule_from;
    `);
  }
}
