/**
 * The receivables area's SQL: the list filter, shared by the top-level list and the
 * per-customer pages, the receivable list itself (keyset page), the first receivables
 * of a whole page of customers in two statements, and the overdue stage of receivables.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { groupByKeys, orderByKeys } from '../../core/dataloader';
import { assertDateRange, type LocalDate } from '../../core/local-date';
import { encodeCursor, Page } from '../../core/pagination';
import { decodeKeysetCursor, keysetPage } from '../../db/keyset';
import { positionsCtes } from '../../db/positions';
import { containsPattern, defineQuery, searchText, Where } from '../../db/sql';
import { ReceivableFilter } from './receivable.types';
import { Receivable, ReceivableStatus } from './receivable.entity';

const STATUS_SQL: Record<ReceivableStatus, string> = {
  [ReceivableStatus.WRITTEN_OFF]: 'r.written_off_at is not null and r.outstanding = 0',
  [ReceivableStatus.PAID]: 'r.written_off_at is null and r.outstanding = 0',
  [ReceivableStatus.PARTIALLY_PAID]: 'r.outstanding > 0 and r.outstanding < r.amount',
  [ReceivableStatus.OPEN]: 'r.outstanding = r.amount',
};

/** What "today" means to a filter: the business date and the company time zone. */
export interface Today {
  today: LocalDate;
  tz: string;
}

/** Receivable `r` is past its effective due date with money outstanding today (its position, server/db/positions.ts). */
const OVERDUE_TODAY = `exists (
  with ${positionsCtes('pos', 'cast(:today as date)', { receivable: (x) => `${x}.id = r.id` })}
  select 1 from pos where pos.effective_due_on < cast(:today as date))`;

/** Adds the filter's conditions on alias `r` (receivable) to `where`. */
export function receivableFilterWhere(where: Where, filter: ReceivableFilter | undefined | null, today: Today): Where {
  if (!filter) return where;
  if (filter.customerId) where.addIdEquals('r.customer_id', 'customerId', filter.customerId);
  if (filter.salespersonId) where.addIdEquals('r.salesperson_id', 'salespersonId', filter.salespersonId);
  if (filter.status && filter.status.length > 0) {
    where.add(filter.status.map((s) => `(${STATUS_SQL[s]})`).join(' or '));
  }
  if (filter.dueFrom && filter.dueTo) assertDateRange(filter.dueFrom, filter.dueTo, { fromField: 'filter.dueFrom', toField: 'filter.dueTo' });
  if (filter.dueFrom) where.add('r.due_on >= cast(:dueFrom as date)', { dueFrom: filter.dueFrom });
  if (filter.dueTo) where.add('r.due_on <= cast(:dueTo as date)', { dueTo: filter.dueTo });
  if (filter.overdue === true) where.add(OVERDUE_TODAY, { today: today.today, tz: today.tz });
  if (filter.overdue === false) where.add(`not ${OVERDUE_TODAY}`, { today: today.today, tz: today.tz });
  if (filter.alarmed === true) where.add('exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  if (filter.alarmed === false) where.add('not exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  const search = searchText(filter.search);
  if (search) where.add('r.reference ilike :search', { search: containsPattern(search) });
  return where;
}

export interface ReceivableListArgs {
  /** Only receivables of customers this salesperson owns now; undefined: all. */
  ownerScope: string | undefined;
  filter: ReceivableFilter | undefined;
  today: Today;
  first: number;
  after: string | undefined;
}

/** Receivables ordered by due date. */
export function receivablePage(em: EntityManager, args: ReceivableListArgs): Promise<Page<Receivable>> {
  const where = receivableFilterWhere(new Where(), args.filter, args.today);
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  return keysetPage(em, {
    entity: Receivable,
    from: 'from receivable r join customer c on c.id = r.customer_id',
    alias: 'r',
    where,
    keys: [
      { column: 'r.due_on', cast: 'date', value: (r) => r.dueOn },
      { column: 'r.id', cast: 'uuid', value: (r) => r.id },
    ],
    first: args.first,
    after: args.after,
  });
}

export interface ReceivablePageArgs {
  first: number;
  after?: string | null;
  filter?: ReceivableFilter | null;
}

/** Up to `limit` receivables of each customer (entity rows, ranked per customer). */
const FIRST_RECEIVABLES_OF_CUSTOMERS = defineQuery<{ customerIds: readonly string[]; where: Where; limit: number }, Readonly<Record<string, unknown>>>({
  text: `select * from (
         select r.*, row_number() over (partition by r.customer_id order by r.due_on, r.id) as hk_rank
           from receivable r
          where r.customer_id = any(cast(:customerIds as uuid[])) and :where
       ) ranked where hk_rank <= :limit order by customer_id, hk_rank`,
  // Entity rows: hydrated by the caller, which drops each customer's extra row first.
  decode: (row) => row.raw,
});

const RECEIVABLE_COUNTS_OF_CUSTOMERS = defineQuery<{ customerIds: readonly string[]; where: Where }, { customerId: string; count: number }>({
  text: `select r.customer_id, count(*) as n from receivable r
          where r.customer_id = any(cast(:customerIds as uuid[])) and :where group by r.customer_id`,
  decode: (row) => ({ customerId: row.text('customer_id'), count: row.int('n') }),
});

/** One page of receivables per customer, all customers in two statements. */
export async function receivablePagesOfCustomers(
  em: EntityManager,
  customerIds: readonly string[],
  args: ReceivablePageArgs,
  today: Today,
): Promise<Page<Receivable>[]> {
  const after = decodeKeysetCursor(args.after, ['date', 'uuid']);
  const filter = receivableFilterWhere(new Where(), args.filter, today);
  const where = new Where().add(':filter', { filter });
  if (after) where.add('(r.due_on, r.id) > (cast(:afterDueOn as date), cast(:afterId as uuid))', { afterDueOn: after[0], afterId: after[1] });
  const rows = await FIRST_RECEIVABLES_OF_CUSTOMERS.all(em, { customerIds, where, limit: args.first + 1 });
  const counts = await RECEIVABLE_COUNTS_OF_CUSTOMERS.all(em, { customerIds, where: filter });
  const totals = orderByKeys(
    customerIds,
    counts,
    (c) => c.customerId,
    (c) => c.count,
    0,
  );
  const grouped = groupByKeys(customerIds, rows, (r) => r.customer_id as string);
  return grouped.map((group, i) => ({
    nodes: group.slice(0, args.first).map((row) => em.map(Receivable, row as never)),
    hasNextPage: group.length > args.first,
    totalCount: totals[i],
    cursorOf: (r: Receivable) => encodeCursor([r.dueOn, r.id]),
  }));
}

/** An overdue stage of the engine, and the date it holds for (the engine's last scan). */
export interface OverdueStage {
  stage: number;
  asOf: LocalDate;
}

/** The overdue engine's stage of each receivable that is in one. */
export const OVERDUE_STAGES = defineQuery<{ ids: readonly string[] }, { receivableId: string; stage: OverdueStage }>({
  text: `select o.receivable_id, o.stage, greatest(e.scanned_on, o.judged_on)::text as as_of
           from receivable_overdue_state o cross join overdue_engine e
          where o.receivable_id = any(cast(:ids as uuid[])) and o.stage is not null`,
  decode: (row) => ({ receivableId: row.text('receivable_id'), stage: { stage: row.int('stage'), asOf: row.date('as_of') } }),
});
