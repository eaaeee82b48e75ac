/**
 * The receivables area's SQL: receivables as read rows, the list filter, shared by the
 * top-level list and the per-customer pages, the receivable list itself (keyset page),
 * the first receivables of a whole page of customers in one statement, and the overdue
 * stage of receivables.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { assertDateRange, type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { encodeCursor, Page } from '../../core/pagination';
import { decodeKeysetCursor, keysetPage } from '../../db/keyset';
import { positionsCtes, type Today } from '../../db/positions';
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
  readonly creditedAmount: Cents;
  readonly writtenOffAt: Date | null;
  readonly writeOffReason: string | null;
  readonly writtenOffById: string | null;
  readonly createdAt: Date;
  readonly status: ReceivableStatus;
}

/** The columns `decodeReceivable` reads, of a receivable table aliased `r`. */
const RECEIVABLE_COLUMNS = `r.id, r.customer_id, r.salesperson_id, r.reference, r.amount, r.issued_on, r.due_on, r.effective_due_on,
  r.outstanding, r.written_off_amount, r.credited_amount, floor(extract(epoch from r.written_off_at) * 1000)::int8 as written_off_ms, r.write_off_reason,
  r.written_off_by_id, floor(extract(epoch from r.created_at) * 1000)::int8 as created_ms`;

function decodeReceivable(row: SqlRow): ReceivableRow {
  const amount = row.cents('amount');
  const outstanding = row.cents('outstanding');
  const writtenOffAt = row.epochMsOrNull('written_off_ms');
  const creditedAmount = row.cents('credited_amount');
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
    creditedAmount,
    writtenOffAt,
    writeOffReason: row.textOrNull('write_off_reason'),
    writtenOffById: row.textOrNull('written_off_by_id'),
    createdAt: row.epochMs('created_ms'),
    status: receivableStatus(amount, outstanding, writtenOffAt, creditedAmount),
  };
}

export const RECEIVABLES_BY_ID = defineQuery<{ ids: readonly string[] }, ReceivableRow>({
  text: `select ${RECEIVABLE_COLUMNS} from receivable r where r.id = any(cast(:ids as uuid[]))`,
  decode: decodeReceivable,
});

const STATUS_SQL: Record<ReceivableStatus, string> = {
  [ReceivableStatus.WRITTEN_OFF]: 'r.written_off_at is not null and r.outstanding = 0',
  [ReceivableStatus.PAID]: 'r.written_off_at is null and r.outstanding = 0 and r.credited_amount = 0',
  [ReceivableStatus.CREDITED]: 'r.written_off_at is null and r.outstanding = 0 and r.credited_amount > 0',
  [ReceivableStatus.PARTIALLY_PAID]: 'r.outstanding > 0 and r.outstanding < r.amount',
  [ReceivableStatus.OPEN]: 'r.outstanding = r.amount',
};

/** Receivable `r` is past its effective due date with money outstanding today (its position, server/db/positions.ts). */
const OVERDUE_TODAY = `exists (
  with ${positionsCtes('pos', 'cast(:today as date)', { receivable: (x) => `${x}.id = r.id` })}
  select 1 from pos where pos.effective_due_on < cast(:today as date))`;

/** Adds the filter's conditions on alias `r` (receivable) to `where`; `today` is what "overdue" is judged on. */
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
  if (filter.alarmed === true) where.add('exists (select 1 from receivable_alarm o where o.receivable_id = r.id and o.stage is not null)');
  if (filter.alarmed === false) where.add('not exists (select 1 from receivable_alarm o where o.receivable_id = r.id and o.stage is not null)');
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
  /** Count the matching receivables (totalCount is selected). */
  count: boolean;
}

/** Receivables ordered by due date. */
export function receivablePage(em: EntityManager, args: ReceivableListArgs): Promise<Page<ReceivableRow>> {
  const where = receivableFilterWhere(new Where(), args.filter, args.today);
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
    count: args.count,
  });
}

export interface ReceivablePageArgs {
  first: number;
  after?: string | null;
  filter?: ReceivableFilter | null;
  /** Count each customer's matching receivables (totalCount is selected). */
  count: boolean;
}

const cursorOfReceivable = (r: ReceivableRow) => encodeCursor([r.dueOn, r.id]);

/**
 * One page of receivables per customer, all customers in one statement: per customer id
 * (in the order given) its first `limit` receivables from the index on (customer_id,
 * due_on, id), and its count when asked for. A customer without receivables on its page
 * still has one row, with nulls, for its count.
 */
function receivablesOfCustomersText(count: boolean): string {
  return `select k.id as hk_customer_id, ${count ? 't.n as hk_total,' : ''} p.*
    from unnest(cast(:customerIds as uuid[])) with ordinality as k(id, ord)
    ${count ? 'cross join lateral (select count(*) as n from receivable r where r.customer_id = k.id and :filter) t' : ''}
    left join lateral (
      select ${RECEIVABLE_COLUMNS} from receivable r where r.customer_id = k.id and :where order by r.due_on, r.id limit :limit
    ) p on true
    order by k.ord, p.due_on, p.id`;
}

interface PageRow {
  customerId: string;
  total: number | undefined;
  receivable: ReceivableRow | undefined;
}

const decodePageRow =
  (count: boolean) =>
  (row: SqlRow): PageRow => ({
    customerId: row.text('hk_customer_id'),
    total: count ? row.int('hk_total') : undefined,
    receivable: row.isNull('id') ? undefined : decodeReceivable(row),
  });

type PagesParams = { customerIds: readonly string[]; where: Where; limit: number; filter?: Where };
const RECEIVABLES_OF_CUSTOMERS = defineQuery<PagesParams, PageRow>({ text: receivablesOfCustomersText(false), decode: decodePageRow(false) });
const COUNTED_RECEIVABLES_OF_CUSTOMERS = defineQuery<PagesParams, PageRow>({ text: receivablesOfCustomersText(true), decode: decodePageRow(true) });

/** One page of receivables per customer, all customers in one statement. */
export async function receivablePagesOfCustomers(
  em: EntityManager,
  customerIds: readonly string[],
  args: ReceivablePageArgs,
  today: Today,
): Promise<Page<ReceivableRow>[]> {
  const after = decodeKeysetCursor(args.after, ['date', 'uuid']);
  const filter = receivableFilterWhere(new Where(), args.filter, today);
  const where = new Where().add(':filter', { filter });
  if (after) where.add('(r.due_on, r.id) > (cast(:afterDueOn as date), cast(:afterId as uuid))', { afterDueOn: after[0], afterId: after[1] });
  const limit = args.first + 1;
  const rows = args.count
    ? await COUNTED_RECEIVABLES_OF_CUSTOMERS.all(em, { customerIds, where, limit, filter })
    : await RECEIVABLES_OF_CUSTOMERS.all(em, { customerIds, where, limit });
  const pages = new Map<string, Page<ReceivableRow>>();
  for (const row of rows) {
    let page = pages.get(row.customerId);
    if (!page) {
      page = { nodes: [], hasNextPage: false, totalCount: row.total, cursorOf: cursorOfReceivable };
      pages.set(row.customerId, page);
    }
    if (!row.receivable) continue;
    if (page.nodes.length < args.first) page.nodes.push(row.receivable);
    else page.hasNextPage = true;
  }
  return customerIds.map((id) => pages.get(id)!);
}

/** An overdue stage of the engine, and the date it holds for (the engine's last scan). */
export interface OverdueStage {
  stage: number;
  asOf: LocalDate;
}

/** The overdue engine's stage of each receivable that is in one. */
export const OVERDUE_STAGES = defineQuery<{ ids: readonly string[] }, { receivableId: string; stage: OverdueStage }>({
  text: `select o.receivable_id, o.stage, o.as_of::text as as_of
           from receivable_alarm o
          where o.receivable_id = any(cast(:ids as uuid[])) and o.stage is not null`,
  decode: (row) => ({ receivableId: row.text('receivable_id'), stage: { stage: row.int('stage'), asOf: row.date('as_of') } }),
});
