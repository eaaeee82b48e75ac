/**
 * The customers area's SQL: customers as read rows, with their balances and owner in the
 * same statement when the reader asks for them, the customer list (filter and keyset
 * page, ordered by code) and the balances of a whole page of customers in one statement.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { type Cents, type MoneyText } from '../../core/money';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { positionsCtes, type Today } from '../../db/positions';
import { containsPattern, defineQuery, type Query, searchText, type SqlRow, Where } from '../../db/sql';
import { decodeUser, userColumns, type UserRow } from '../users/user.queries';
import { CustomerFilter } from './customer.types';

/**
 * A customer as GraphQL reads it: a plain row, no entity. The `Customer` entity has the
 * same fields (and is one), so the Customer type's resolvers take either. A read that
 * asked for them brings the balances and the owner along (`CustomerReads`).
 */
export interface CustomerRow {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly ownerId: string;
  readonly creditTermDays: number;
  readonly creditLimit: Cents;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  /** Read with the customer; absent: ask the customerBalances loader. */
  readonly balances?: CustomerBalances;
  /** The owner, read with the customer; absent: ask the userById loader. */
  readonly ownerRow?: UserRow;
}

/** Balances are only shown, never computed with: they stay in the wire form PostgreSQL prints. */
export interface CustomerBalances {
  outstanding: MoneyText;
  overdueAmount: MoneyText;
  alarmedAmount: MoneyText;
  credit: MoneyText;
}

/** What a read of customers brings along in its own statement: what the reader selected. */
export interface CustomerReads {
  balances: boolean;
  owner: boolean;
}

/**
 * The overdue money of the customer `customerSql` as of :today: the positions
 * (server/db/positions.ts) of its receivables past their effective due date, as the aging
 * report counts them. Customer.overdueAmount sums them and the hasOverdue filter asks for
 * one, so the two always agree with the report. The overdue engine's alarms are
 * `alarmed_amount`: receivables in an overdue stage.
 */
const overduePositions = (customerSql: string, select: string) => `
  with ${positionsCtes('pos', 'cast(:today as date)', { receivable: (r) => `${r}.customer_id = ${customerSql}` })}
  select ${select} from pos where pos.effective_due_on < cast(:today as date)`;

/**
 * Each balance of the customer whose id is `customerId` (SQL): outstanding, overdue amount
 * (positions as of :today), alarmed amount and unallocated credit. The page statement, the
 * balances loader and the answers PostgreSQL builds (customer.projections.ts) all read them here.
 */
export const BALANCE_SQL: Readonly<Record<keyof CustomerBalances, (customerId: string) => string>> = {
  outstanding: (id) => `coalesce((select sum(r.outstanding) from receivable r where r.customer_id = ${id}), 0.00)`,
  overdueAmount: (id) => `coalesce((${overduePositions(id, 'sum(pos.outstanding)')}), 0.00)`,
  alarmedAmount: (id) => `coalesce((select sum(r.outstanding) from receivable r join receivable_alarm o on o.receivable_id = r.id
             where r.customer_id = ${id} and o.stage is not null), 0.00)`,
  credit: (id) => `coalesce((select sum(p.unallocated) from payment p where p.customer_id = ${id} and p.voided_at is null), 0.00)`,
};

/** The balances of the customer aliased `c`, as columns. */
const BALANCE_COLUMNS = `
  ${BALANCE_SQL.outstanding('c.id')} as outstanding,
  ${BALANCE_SQL.overdueAmount('c.id')} as overdue_amount,
  ${BALANCE_SQL.alarmedAmount('c.id')} as alarmed_amount,
  ${BALANCE_SQL.credit('c.id')} as credit`;

function decodeBalances(row: SqlRow): CustomerBalances {
  return {
    outstanding: row.moneyText('outstanding'),
    overdueAmount: row.moneyText('overdue_amount'),
    alarmedAmount: row.moneyText('alarmed_amount'),
    credit: row.moneyText('credit'),
  };
}

/** The columns `decodeCustomer` reads, of a customer table aliased `c`. */
const CUSTOMER_COLUMNS = `c.id, c.code, c.name, c.owner_id, c.credit_term_days, c.credit_limit,
  floor(extract(epoch from c.created_at) * 1000)::int8 as created_ms, floor(extract(epoch from c.updated_at) * 1000)::int8 as updated_ms`;

const OWNER_PREFIX = 'owner_';

/** The select list and joins of a customer read (alias `c`) that brings `reads` along. */
function customerSelect(reads: CustomerReads): { columns: string; join: string } {
  return {
    columns: [CUSTOMER_COLUMNS, reads.balances ? BALANCE_COLUMNS : '', reads.owner ? userColumns(OWNER_PREFIX) : ''].filter(Boolean).join(',\n'),
    join: reads.owner ? 'join app_user u on u.id = c.owner_id' : '',
  };
}

function decodeCustomer(row: SqlRow, reads?: CustomerReads): CustomerRow {
  return {
    id: row.text('id'),
    code: row.text('code'),
    name: row.text('name'),
    ownerId: row.text('owner_id'),
    creditTermDays: row.int('credit_term_days'),
    creditLimit: row.cents('credit_limit'),
    createdAt: row.epochMs('created_ms'),
    updatedAt: row.epochMs('updated_ms'),
    balances: reads?.balances ? decodeBalances(row) : undefined,
    ownerRow: reads?.owner ? decodeUser(row, OWNER_PREFIX) : undefined,
  };
}

const NOTHING_MORE: CustomerReads = { balances: false, owner: false };

/** :today and :tz only where the balances are read. */
type ByIdParams = { ids: readonly string[]; today?: LocalDate; tz?: string };
const byIdQueries = new Map<string, Query<ByIdParams, CustomerRow>>();

/** The customers with these ids, in one statement with what `reads` asks for (balances as of `today`). */
export function customersById(em: EntityManager, ids: readonly string[], today: Today, reads: CustomerReads = NOTHING_MORE): Promise<CustomerRow[]> {
  const key = `${reads.balances}:${reads.owner}`;
  let query = byIdQueries.get(key);
  if (!query) {
    const { columns, join } = customerSelect(reads);
    query = defineQuery<ByIdParams, CustomerRow>({
      text: `select ${columns} from customer c ${join} where c.id = any(cast(:ids as uuid[]))`,
      decode: (row) => decodeCustomer(row, reads),
    });
    byIdQueries.set(key, query);
  }
  return query.all(em, reads.balances ? { ids, today: today.today, tz: today.tz } : { ids });
}

export interface CustomerListArgs {
  /** Only customers of this owner (a salesperson's own scope); undefined: all. */
  ownerScope: string | undefined;
  filter: CustomerFilter | undefined;
  first: number;
  after: string | undefined;
  /** The business date overdue amounts and the hasOverdue filter are judged on. */
  today: Today;
  /** Count the matching customers (totalCount is selected). */
  count: boolean;
  reads: CustomerReads;
}

/** One page of customers, with the total, balances and owners in the same statement when asked for. */
export function customerPage(em: EntityManager, args: CustomerListArgs): Promise<Page<CustomerRow>> {
  const { filter } = args;
  const where = new Where();
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  if (filter?.ownerId) where.addIdEquals('c.owner_id', 'ownerId', filter.ownerId);
  const search = searchText(filter?.search);
  if (search) {
    where.add('c.code ilike :search or c.name ilike :search', { search: containsPattern(search) });
  }
  if (filter?.hasOverdue !== undefined && filter.hasOverdue !== null) {
    where.add(`${filter.hasOverdue ? '' : 'not '}exists (${overduePositions('c.id', '1')})`, { today: args.today.today, tz: args.today.tz });
  }
  const { columns, join } = customerSelect(args.reads);
  return keysetPage<CustomerRow>(em, {
    columns,
    join,
    params: args.reads.balances ? { today: args.today.today, tz: args.today.tz } : {},
    decode: (row) => decodeCustomer(row, args.reads),
    from: 'from customer c',
    where,
    keys: [
      { column: 'c.code', cast: 'text', value: (c) => c.code },
      { column: 'c.id', cast: 'uuid', value: (c) => c.id },
    ],
    first: args.first,
    after: args.after,
    count: args.count,
  });
}

/** Outstanding, overdue amount (as of :today), alarmed amount and unallocated credit of each customer; one row per id. */
export const CUSTOMER_BALANCES = defineQuery<{ ids: readonly string[]; today: LocalDate; tz: string }, { id: string; balances: CustomerBalances }>({
  text: `select c.id, ${BALANCE_COLUMNS} from unnest(cast(:ids as uuid[])) as c(id)`,
  decode: (row) => ({ id: row.text('id'), balances: decodeBalances(row) }),
});
