import { Migration } from '@mikro-orm/migrations';

/**
 * Incremental scans and a forward-only engine date.
 *
 * - Every receivable has a state row with its *next judgement date*: the first date on
 *   which its judgement can differ without a change to the ledger (its next stage
 *   threshold, the end of a payment notice's hold, its issue date). A scan judges only
 *   the rows due by its date (partial index), instead of every overdue receivable.
 * - A change to what the judgement reads (the receivable's money, dates or write-off, a
 *   payment notice) marks the row at once, in the same transaction, by trigger: next
 *   judgement `-infinity`. Nothing that writes the ledger, whichever code or tool, can
 *   forget it. The triggers take the scan lock shared, so a change waits for a running
 *   scan and a scan for the changes in flight: a scan never judges half a change.
 * - `overdue_engine` keeps the date of the last scan: the date the alarm state is valid
 *   for. Scans of an earlier date are refused.
 * - `overdue_scan` logs every scan and re-evaluation that judged something, with the
 *   receivables it judged; events carry the scan that wrote them.
 */
export class Migration20261202000000_overdue_incremental extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table receivable_overdue_state rename column as_of to judged_on;
      alter table receivable_overdue_state
        alter column judged_on drop not null,
        add column next_judgement_on date;
      comment on column receivable_overdue_state.judged_on is 'Business date of the last judgement; null: never judged.';
      comment on column receivable_overdue_state.next_judgement_on is
        'First date the judgement can change without a ledger change; -infinity: changed, judge at the next scan; null: nothing to judge until a change.';
      -- Every receivable is judged again by the first scan after this migration.
      update receivable_overdue_state set next_judgement_on = '-infinity';
      insert into receivable_overdue_state (receivable_id, stage, judged_on, next_judgement_on)
        select r.id, null, null, '-infinity' from receivable r
         where not exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id);
      create index receivable_overdue_state_next_idx on receivable_overdue_state (next_judgement_on) where next_judgement_on is not null;
      -- Every judgement rewrites its rows: vacuum after 2% of them changed (default 20%), so
      -- the next-judgement index does not fill with dead entries between scans.
      alter table receivable_overdue_state set (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);
      -- Overdue rows are found by key (the filters) or counted by the engine row: this index only cost writes.
      drop index receivable_overdue_state_overdue_idx;

      create table overdue_engine (
        singleton boolean primary key default true check (singleton),
        scanned_on date not null,
        -- Receivables in an overdue stage, kept by every judgement (no count over the state table).
        overdue_count integer not null default 0 check (overdue_count >= 0)
      );
      insert into overdue_engine (scanned_on, overdue_count)
        select max(judged_on), count(*) filter (where stage is not null) from receivable_overdue_state having max(judged_on) is not null;

      -- The engine's log: a row per scan or re-evaluation that judged something.
      create table overdue_scan (
        id bigserial primary key,
        kind text not null check (kind in ('SCAN','REEVALUATION','FULL')),
        as_of date not null,
        previous_scan_on date,
        started_at timestamptz not null default now(),
        duration_ms integer not null default 0,
        judged integer not null default 0,
        judged_late integer not null default 0,
        judged_changed integer not null default 0,
        became_overdue integer not null default 0,
        escalated integer not null default 0,
        cleared integer not null default 0,
        overdue_count integer not null default 0,
        -- The receivables judged, in event order (effective due date, id).
        judged_ids uuid[] not null default '{}'
      );
      create index overdue_scan_started_idx on overdue_scan (started_at);
      alter table overdue_event add column scan_id bigint;

      -- Marks receivables changed: the next scan or re-evaluation judges them.
      create function overdue_mark_changed(ids uuid[]) returns void language plpgsql as $$
      begin
        -- The scan's advisory lock ("hksc", SCAN_LOCK in overdue.service.ts), shared.
        perform pg_advisory_xact_lock_shared(1751872355);
        insert into receivable_overdue_state (receivable_id, stage, judged_on, next_judgement_on)
        select distinct id, null::integer, null::date, '-infinity'::date from unnest(ids) as t(id)
        on conflict (receivable_id) do update set next_judgement_on = '-infinity';
      end $$;

      create function receivable_overdue_inserted() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array(select id from new_rows order by id));
        return null;
      end $$;
      create trigger receivable_overdue_inserted after insert on receivable
        referencing new table as new_rows for each statement execute function receivable_overdue_inserted();

      create function receivable_overdue_updated() returns trigger language plpgsql as $$
      begin
        perform overdue_mark_changed(array(
          select n.id from new_rows n join old_rows o on o.id = n.id
           where (n.amount, n.outstanding, n.issued_on, n.effective_due_on, n.written_off_at, n.written_off_amount, n.customer_id, n.salesperson_id)
                 is distinct from (o.amount, o.outstanding, o.issued_on, o.effective_due_on, o.written_off_at, o.written_off_amount, o.customer_id, o.salesperson_id)
           order by n.id));
        return null;
      end $$;
      create trigger receivable_overdue_updated after update on receivable
        referencing old table as old_rows new table as new_rows for each statement execute function receivable_overdue_updated();

      create function payment_notice_overdue_changed() returns trigger language plpgsql as $$
      begin
        if tg_op = 'DELETE' then
          perform overdue_mark_changed(array[old.receivable_id]);
        else
          perform overdue_mark_changed(array[new.receivable_id]);
          if tg_op = 'UPDATE' and old.receivable_id <> new.receivable_id then
            perform overdue_mark_changed(array[old.receivable_id]);
          end if;
        end if;
        return null;
      end $$;
      create trigger payment_notice_overdue_changed after insert or update or delete on payment_notice
        for each row execute function payment_notice_overdue_changed();
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop trigger payment_notice_overdue_changed on payment_notice;
      drop function payment_notice_overdue_changed();
      drop trigger receivable_overdue_updated on receivable;
      drop function receivable_overdue_updated();
      drop trigger receivable_overdue_inserted on receivable;
      drop function receivable_overdue_inserted();
      drop function overdue_mark_changed(uuid[]);
      alter table overdue_event drop column scan_id;
      drop table overdue_scan;
      drop table overdue_engine;
      drop index receivable_overdue_state_next_idx;
      create index receivable_overdue_state_overdue_idx on receivable_overdue_state (receivable_id) where stage is not null;
      alter table receivable_overdue_state reset (autovacuum_vacuum_scale_factor, autovacuum_analyze_scale_factor);
      delete from receivable_overdue_state where judged_on is null;
      alter table receivable_overdue_state drop column next_judgement_on, alter column judged_on set not null;
      alter table receivable_overdue_state rename column judged_on to as_of;
    `);
  }
}
