/**
 * The overdue engine. A scan judges, as of a business date, every receivable that is
 * unpaid past its effective due date or already in an overdue state, in one set-based
 * statement: outstanding as of that date counts payments by the date the money
 * arrived (`received_on`), an open payment notice holds the alarm back, and the stage is
 * the last threshold (OVERDUE_STAGES) reached. Every transition updates the receivable
 * and appends one event in the same transaction; NOTIFY wakes every instance at commit.
 * Scans are serialised by an advisory lock, so events are never duplicated and their
 * sequence numbers commit in order.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../../core/clock';
import { badInput } from '../../core/errors';
import { isAfter, type LocalDate } from '../../core/local-date';
import { pgArray } from '../../db/sql';
import { OverdueScanResult } from './overdue.types';

export const OVERDUE_CHANNEL = 'huikuan_overdue_events';

type ScanObserver = (result: OverdueScanResult) => void;
let observeScan: ScanObserver = () => undefined;

/** Where finished scans are reported (the process's metrics); set once at start-up. */
export function setScanObserver(observer: ScanObserver): void {
  observeScan = observer;
}
const SCAN_LOCK = 0x68_6b_73_63; // "hksc"

export interface OverdueRules {
  stages: number[];
  timeZone: string;
}

interface ScanScope {
  asOf: LocalDate;
  /** Only these receivables (re-evaluation after a ledger change). */
  receivableIds?: string[];
  /** Skip instead of waiting when another scan holds the lock (scheduled scans). */
  skipIfBusy?: boolean;
}

const SCAN_SQL = `
with candidates as (
  -- Unpaid past the effective due date (partial index), plus everything overdue now.
  select r.id, r.customer_id, r.salesperson_id, r.amount, r.effective_due_on, r.written_off_at, r.written_off_amount,
         o.stage as overdue_stage, o.as_of as state_as_of
    from receivable r left join receivable_overdue_state o on o.receivable_id = r.id
   where r.outstanding > 0 and r.effective_due_on < cast(:asOf as date)
     and (cast(:ids as uuid[]) is null or r.id = any(cast(:ids as uuid[])))
  union
  select r.id, r.customer_id, r.salesperson_id, r.amount, r.effective_due_on, r.written_off_at, r.written_off_amount,
         o.stage, o.as_of
    from receivable_overdue_state o join receivable r on r.id = o.receivable_id
   where o.stage is not null and (cast(:ids as uuid[]) is null or o.receivable_id = any(cast(:ids as uuid[])))
),
judged as materialized (
  select c.*,
         (cast(:asOf as date) - c.effective_due_on) as days_past,
         c.amount
           - coalesce((select sum(a.amount) from payment_allocation a
                        where a.receivable_id = c.id and not a.voided and a.received_on <= cast(:asOf as date)), 0)
           - case when c.written_off_at is not null and (c.written_off_at at time zone :tz)::date <= cast(:asOf as date)
                  then c.written_off_amount else 0 end as outstanding_as_of,
         exists (select 1 from payment_notice n
                  where n.receivable_id = c.id and n.status = 'OPEN'
                    and n.created_on <= cast(:asOf as date) and n.hold_until >= cast(:asOf as date)) as held
    from candidates c
),
changed as materialized (
  select t.*,
         case when t.overdue_stage is null then 'BECAME_OVERDUE'
              when t.new_stage is null then 'CLEARED'
              else 'STAGE_ESCALATED' end as event_type
    from (
      select j.*,
             case when j.days_past >= 1 and j.outstanding_as_of > 0 and not j.held
                  then (select max(s) from unnest(cast(:stages as int[])) s where s <= j.days_past) end as new_stage
        from judged j
    ) t
   -- Stages only rise while overdue; a lower stage (a rescan of an earlier date) changes nothing.
   where t.new_stage is distinct from t.overdue_stage
     and (t.new_stage is null or t.overdue_stage is null or t.new_stage > t.overdue_stage)
     -- Alarms move forward with the business date: a scan of a date before the one a
     -- receivable was last judged for is a look back, not a change (no clearing, no re-raising).
     and (t.state_as_of is null or t.state_as_of <= cast(:asOf as date))
),
entered as (
  insert into receivable_overdue_state (receivable_id, stage, as_of)
  select id, new_stage, cast(:asOf as date) from changed where event_type = 'BECAME_OVERDUE'
  on conflict (receivable_id) do update set stage = excluded.stage, as_of = excluded.as_of
),
moved as (
  -- Escalated to a later stage, or cleared (stage null); the row keeps the date judged for.
  update receivable_overdue_state o set stage = ch.new_stage, as_of = cast(:asOf as date)
    from changed ch where o.receivable_id = ch.id and ch.event_type <> 'BECAME_OVERDUE'
),
inserted as (
  insert into overdue_event (id, type, receivable_id, customer_id, salesperson_id, stage, previous_stage,
                             days_overdue, outstanding, as_of)
  select gen_random_uuid(), ch.event_type, ch.id, ch.customer_id, ch.salesperson_id, ch.new_stage, ch.overdue_stage,
         greatest(ch.days_past, 0), greatest(ch.outstanding_as_of, 0), cast(:asOf as date)
    from changed ch
   order by ch.effective_due_on, ch.id
  returning seq, type
)
select type, count(*)::int as n, max(seq)::text as last_seq from inserted group by type
`;

export class OverdueService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly rules: OverdueRules,
  ) {}

  /**
   * Scans every receivable as of `asOf` (default: today in the company time zone). A
   * future date is refused: its alarms would be stored in the append-only stream and
   * its stages would never go back down.
   */
  async scan(asOf: LocalDate = this.clock.today(), options: { skipIfBusy?: boolean } = {}): Promise<OverdueScanResult> {
    const today = this.clock.today();
    if (isAfter(asOf, today)) throw badInput('asOf', `asOf ${asOf} is in the future (today is ${today})`, 'DATE_IN_FUTURE');
    return this.run({ asOf, skipIfBusy: options.skipIfBusy });
  }

  /**
   * Judges these receivables again after a payment, void, write-off or notice, as of the
   * later of today and the date their state was last judged.
   */
  async reevaluate(receivableIds: string[]): Promise<void> {
    if (receivableIds.length === 0) return;
    const rows: { as_of: string }[] = await this.em.execute(
      `select greatest(coalesce(max(as_of), ?::date), ?::date)::text as as_of from receivable_overdue_state where receivable_id = any(?::uuid[])`,
      [this.clock.today(), this.clock.today(), pgArray(receivableIds)],
    );
    await this.run({ asOf: rows[0].as_of, receivableIds });
  }

  private async run(scope: ScanScope): Promise<OverdueScanResult> {
    const started = Date.now();
    const result = await this.em.fork().transactional(async (em) => {
      const result: OverdueScanResult = {
        asOf: scope.asOf,
        ran: true,
        becameOverdue: 0,
        escalated: 0,
        cleared: 0,
        overdueCount: 0,
        durationMs: 0,
      };
      if (scope.skipIfBusy) {
        const [lock]: { locked: boolean }[] = await em.execute('select pg_try_advisory_xact_lock(?) as locked', [SCAN_LOCK]);
        if (!lock.locked) return { ...result, ran: false };
      } else {
        await em.execute('select pg_advisory_xact_lock(?)', [SCAN_LOCK]);
      }
      const counts: { type: string; n: number; last_seq: string }[] = await em.execute(
        em.getKnex().raw(SCAN_SQL, {
          asOf: scope.asOf,
          ids: scope.receivableIds ? pgArray(scope.receivableIds) : null,
          tz: this.rules.timeZone,
          stages: `{${this.rules.stages.join(',')}}`,
        }),
      );
      for (const c of counts) {
        if (c.type === 'BECAME_OVERDUE') result.becameOverdue = c.n;
        if (c.type === 'STAGE_ESCALATED') result.escalated = c.n;
        if (c.type === 'CLEARED') result.cleared = c.n;
      }
      const lastSeq = counts.reduce((max, c) => (BigInt(c.last_seq) > BigInt(max) ? c.last_seq : max), '0');
      if (lastSeq !== '0') await em.execute('select pg_notify(?, ?)', [OVERDUE_CHANNEL, lastSeq]);
      const [overdue]: { n: number }[] = await em.execute('select count(*)::int as n from receivable_overdue_state where stage is not null');
      result.overdueCount = overdue.n;
      result.durationMs = Date.now() - started;
      return result;
    });
    if (result.ran) observeScan(result);
    return result;
  }
}
