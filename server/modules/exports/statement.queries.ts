/**
 * A customer's statement as of a business date in one statement of SQL: each receivable
 * issued by then with its position (server/db/positions.ts `positionOnSql`, the aging
 * report's formula: money counts from the day it arrived), its disputed slice
 * (`disputedAsOfCte`, capped at the position as the aging report caps it), the latest
 * promise and dispute open on the date, and the customer's unallocated credit then.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type Cents } from '../../core/money';
import { type LocalDate } from '../../core/local-date';
import { positionOnSql } from '../../db/positions';
import { defineQuery } from '../../db/sql';
import { DisputeState } from '../disputes/dispute.entity';
import { disputedAsOfCte } from '../disputes/dispute.queries';
import { PromiseState } from '../promises/promise.types';

export interface StatementItemRow {
  receivableId: string;
  reference: string;
  issuedOn: LocalDate;
  dueOn: LocalDate;
  effectiveDueOn: LocalDate;
  amount: Cents;
  outstanding: Cents;
  daysOverdue: number;
  disputedAmount: Cents;
  promise: { id: string; promisedOn: LocalDate; amount: Cents; state: PromiseState } | null;
  dispute: { id: string; openedOn: LocalDate; amount: Cents; state: DisputeState } | null;
}

const AS_OF = 'cast(:asOf as date)';

const ITEMS = defineQuery<{ customerId: string; asOf: LocalDate; tz: string; openOnly: boolean }, StatementItemRow>({
  text: `
with st_items as (
  select r.id, r.reference, r.issued_on, r.due_on, r.effective_due_on, r.amount,
         ${positionOnSql('r', AS_OF)} as outstanding
    from receivable r
   where r.customer_id = :customerId and r.issued_on <= ${AS_OF}
),
${disputedAsOfCte('st_disputed', AS_OF, 'st_items')}
select i.id, i.reference, i.issued_on::text as issued_on, i.due_on::text as due_on, i.effective_due_on::text as effective_due_on,
       i.amount::text as amount, i.outstanding::text as outstanding,
       greatest(${AS_OF} - i.effective_due_on, 0)::int as days_overdue,
       least(coalesce(sd.amount, 0), i.outstanding)::text as disputed_amount,
       pp.id as promise_id, pp.promised_on::text as promised_on, pp.amount::text as promise_amount, pp.state as promise_state,
       dd.id as dispute_id, dd.opened_on::text as dispute_opened_on, dd.amount::text as dispute_amount, dd.state as dispute_state
  from st_items i
  left join st_disputed sd on sd.receivable_id = i.id
  -- The latest promise covering the receivable that was made by the date and still open on it.
  left join lateral (
    select p.id, p.promised_on, p.amount, p.state
      from promise_to_pay p
     where p.customer_id = :customerId and i.id = any(p.receivable_ids) and p.made_on <= ${AS_OF}
       and (p.state = 'OPEN' or coalesce(p.kept_on, p.broken_on, p.judged_on) > ${AS_OF})
     order by p.made_on desc, p.id desc
     limit 1
  ) pp on true
  -- The latest dispute of the receivable open on the date (opened by it, not resolved by it).
  left join lateral (
    select d.id, d.opened_on, d.amount, d.state
      from dispute d
     where d.receivable_id = i.id and d.opened_on <= ${AS_OF} and (d.state = 'OPEN' or d.resolved_on > ${AS_OF})
     order by d.opened_on desc, d.id desc
     limit 1
  ) dd on true
 where not cast(:openOnly as boolean) or i.outstanding > 0
 order by i.effective_due_on, i.issued_on, i.reference, i.id`,
  decode: (row) => ({
    receivableId: row.text('id'),
    reference: row.text('reference'),
    issuedOn: row.date('issued_on'),
    dueOn: row.date('due_on'),
    effectiveDueOn: row.date('effective_due_on'),
    amount: row.cents('amount'),
    outstanding: row.cents('outstanding'),
    daysOverdue: row.int('days_overdue'),
    disputedAmount: row.cents('disputed_amount'),
    promise: row.isNull('promise_id')
      ? null
      : {
          id: row.text('promise_id'),
          promisedOn: row.date('promised_on'),
          amount: row.cents('promise_amount'),
          state: row.oneOf('promise_state', PromiseState),
        },
    dispute: row.isNull('dispute_id')
      ? null
      : {
          id: row.text('dispute_id'),
          openedOn: row.date('dispute_opened_on'),
          amount: row.cents('dispute_amount'),
          state: row.oneOf('dispute_state', DisputeState),
        },
  }),
});

/**
 * The customer's unallocated credit at the end of the date: per payment received by then
 * (voided ones never count, as in the positions), its amount minus the allocations that
 * count by the date (an allocation counts from the day the money arrived, or from the
 * receivable's issue when that is later).
 */
const CREDIT = defineQuery<{ customerId: string; asOf: LocalDate }, Cents>({
  text: `
select coalesce(sum(p.amount - coalesce((select sum(pa.amount)
                                            from payment_allocation pa join receivable r on r.id = pa.receivable_id
                                           where pa.payment_id = p.id and not pa.voided
                                             and greatest(pa.received_on, r.issued_on) <= ${AS_OF}), 0)), 0)::text as credit
  from payment p
 where p.customer_id = :customerId and p.voided_at is null and p.received_on <= ${AS_OF}`,
  decode: (row) => row.cents('credit'),
});

/** `tz`: the company time zone, in which the disputes area dates a dispute's opening and resolution. */
export function queryStatementItems(em: EntityManager, customerId: string, asOf: LocalDate, tz: string, openOnly: boolean): Promise<StatementItemRow[]> {
  return ITEMS.all(em, { customerId, asOf, tz, openOnly });
}

export function queryUnallocatedCredit(em: EntityManager, customerId: string, asOf: LocalDate): Promise<Cents> {
  return CREDIT.one(em, { customerId, asOf });
}
