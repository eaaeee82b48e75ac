/**
 * The receivables area's SQL: receivables as read rows, the list filter, shared by the
 * top-level list and the per-customer pages, the receivable list itself (keyset page),
 * the first receivables of a whole page of customers in two statements, and the overdue
 * stage of receivables.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { groupByKeys, orderByKeys } from '../../core/dataloader';
import { assertDateRange, type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { encodeCursor, Page } from '../../core/pagination';
import { decodeKeysetCursor, keysetPage } from '../../db/keyset';
import { containsPattern, defineQuery, searchText, type SqlRow, Where } from '../../db/sql';
import { ReceivableFilter } from './receivable.types';
import { receivableStatus, ReceivableStatus } from './receivable.entity';

/**
 * A receivable as GraphQL reads it: a plain row, no entity. The `Receivable` entity has
 * the same fields (and is one), so the Receivable type's resolvers take either.
 */
export interface ReceivableRow {
  readonly id: string;
  readonly customerId: string;
  readonly salespersonId: string;
  readonly reference: string;
  readonly amount: Cents;
  readonly issuedOn: LocalDate;
  readonly dueOn: LocalDate;
  readonly effectiveDueOn: LocalDate;
  readonly outstanding: Cents;
  readonly writtenOffAmount: Cents;
  readonly writtenOffAt: Date | null;
  readonly writeOffReason: string | null;
  readonly writtenOffById: string | null;
  readonly createdAt: Date;
  readonly status: ReceivableStatus;
}

/** The columns `decodeReceivable` reads, of a receivable table aliased `r`. */
const RECEIVABLE_COLUMNS = `r.id, r.customer_id, r.salesperson_id, r.reference, r.amount, r.issued_on, r.due_on, r.effective_due_on,
  r.outstanding, r.written_off_amount, floor(extract(epoch from r.written_off_at) * 1000)::int8 as written_off_ms, r.write_off_reason,
  r.written_off_by_id, floor(extract(epoch from r.created_at) * 1000)::int8 as created_ms`;

function decodeReceivable(row: SqlRow): ReceivableRow {
  const amount = row.cents('amount');
  const outstanding = row.cents('outstanding');
  const writtenOffAt = row.epochMsOrNull('written_off_ms');
  return {
    id: row.text('id'),
    customerId: row.text('customer_id'),
    salespersonId: row.text('salesperson_id'),
    reference: row.text('reference'),
    amount,
    issuedOn: row.date('issued_on'),
    dueOn: row.date('due_on'),
    effectiveDueOn: row.date('effective_due_on'),
    outstanding,
    writtenOffAmount: row.cents('written_off_amount'),
    writtenOffAt,
    writeOffReason: row.textOrNull('write_off_reason'),
    writtenOffById: row.textOrNull('written_off_by_id'),
    createdAt: row.epochMs('created_ms'),
    status: receivableStatus(amount, outstanding, writtenOffAt),
  };
}

export const RECEIVABLES_BY_ID = defineQuery<{ ids: readonly string[] }, ReceivableRow>({
  text: `select ${RECEIVABLE_COLUMNS} from receivable r where r.id = any(cast(:ids as uuid[]))`,
  decode: decodeReceivable,
});

const STATUS_SQL: Record<ReceivableStatus, string> = {
  [ReceivableStatus.WRITTEN_OFF]: 'r.written_off_at is not null and r.outstanding = 0',
  [ReceivableStatus.PAID]: 'r.written_off_at is null and r.outstanding = 0',
  [ReceivableStatus.PARTIALLY_PAID]: 'r.outstanding > 0 and r.outstanding < r.amount',
  [ReceivableStatus.OPEN]: 'r.outstanding = r.amount',
};

/** Adds the filter's conditions on alias `r` (receivable) to `where`. */
export function receivableFilterWhere(where: Where, filter: ReceivableFilter | undefined | null): Where {
  if (!filter) return where;
  if (filter.customerId) where.addIdEquals('r.customer_id', 'customerId', filter.customerId);
  if (filter.salespersonId) where.addIdEquals('r.salesperson_id', 'salespersonId', filter.salespersonId);
  if (filter.status && filter.status.length > 0) {
    where.add(filter.status.map((s) => `(${STATUS_SQL[s]})`).join(' or '));
  }
  if (filter.dueFrom && filter.dueTo) assertDateRange(filter.dueFrom, filter.dueTo, { fromField: 'filter.dueFrom', toField: 'filter.dueTo' });
  if (filter.dueFrom) where.add('r.due_on >= cast(:dueFrom as date)', { dueFrom: filter.dueFrom });
  if (filter.dueTo) where.add('r.due_on <= cast(:dueTo as date)', { dueTo: filter.dueTo });
  if (filter.overdue === true) where.add('exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  if (filter.overdue === false) where.add('not exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  const search = searchText(filter.search);
  if (search) where.add('r.reference ilike :search', { search: containsPattern(search) });
  return where;
}

export interface ReceivableListArgs {
  /** Only receivables of customers this salesperson owns now; undefined: all. */
  ownerScope: string | undefined;
  filter: ReceivableFilter | undefined;
  first: number;
  after: string | undefined;
}

/** Receivables ordered by due date. */
export function receivablePage(em: EntityManager, args: ReceivableListArgs): Promise<Page<ReceivableRow>> {
  const where = receivableFilterWhere(new Where(), args.filter);
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  return keysetPage<ReceivableRow>(em, {
    columns: RECEIVABLE_COLUMNS,
    decode: decodeReceivable,
    from: 'from receivable r join customer c on c.id = r.customer_id',
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

/** Up to `limit` receivables of each customer (ranked per customer). */
const FIRST_RECEIVABLES_OF_CUSTOMERS = defineQuery<{ customerIds: readonly string[]; where: Where; limit: number }, ReceivableRow>({
  text: `select * from (
         select ${RECEIVABLE_COLUMNS}, row_number() over (partition by r.customer_id order by r.due_on, r.id) as hk_rank
           from receivable r
          where r.customer_id = any(cast(:customerIds as uuid[])) and :where
       ) ranked where hk_rank <= :limit order by customer_id, hk_rank`,
  decode: decodeReceivable,
});

const RECEIVABLE_COUNTS_OF_CUSTOMERS = defineQuery<{ customerIds: readonly string[]; where: Where }, { customerId: string; count: number }>({
  text: `select r.customer_id, count(*) as n from receivable r
          where r.customer_id = any(cast(:customerIds as uuid[])) and :where group by r.customer_id`,
  decode: (row) => ({ customerId: row.text('customer_id'), count: row.int('n') }),
});

/** One page of receivables per customer, all customers in two statements. */
export async function receivablePagesOfCustomers(em: EntityManager, customerIds: readonly string[], args: ReceivablePageArgs): Promise<Page<ReceivableRow>[]> {
  const after = decodeKeysetCursor(args.after, ['date', 'uuid']);
  const filter = receivableFilterWhere(new Where(), args.filter);
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
  const grouped = groupByKeys(customerIds, rows, (r) => r.customerId);
  return grouped.map((group, i) => ({
    nodes: group.slice(0, args.first),
    hasNextPage: group.length > args.first,
    totalCount: totals[i],
    cursorOf: (r: ReceivableRow) => encodeCursor([r.dueOn, r.id]),
  }));
}

/** The overdue engine's current stage of each receivable that is overdue now. */
export const OVERDUE_STAGES = defineQuery<{ ids: readonly string[] }, { receivableId: string; stage: number }>({
  text: 'select receivable_id, stage from receivable_overdue_state where receivable_id = any(cast(:ids as uuid[])) and stage is not null',
  decode: (row) => ({ receivableId: row.text('receivable_id'), stage: row.int('stage') }),
});
