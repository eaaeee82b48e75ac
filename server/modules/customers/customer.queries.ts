/**
 * The customers area's SQL: customers as read rows, the customer list (filter and keyset
 * page, ordered by code) and the balances of a whole page of customers in one statement.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type Cents } from '../../core/money';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { containsPattern, defineQuery, searchText, type SqlRow, Where } from '../../db/sql';
import { CustomerFilter } from './customer.types';

/**
 * A customer as GraphQL reads it: a plain row, no entity. The `Customer` entity has the
 * same fields (and is one), so the Customer type's resolvers take either.
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
}

/** The columns `decodeCustomer` reads, of a customer table aliased `c`. */
const CUSTOMER_COLUMNS = `c.id, c.code, c.name, c.owner_id, c.credit_term_days, c.credit_limit,
  floor(extract(epoch from c.created_at) * 1000)::int8 as created_ms, floor(extract(epoch from c.updated_at) * 1000)::int8 as updated_ms`;

function decodeCustomer(row: SqlRow): CustomerRow {
  return {
    id: row.text('id'),
    code: row.text('code'),
    name: row.text('name'),
    ownerId: row.text('owner_id'),
    creditTermDays: row.int('credit_term_days'),
    creditLimit: row.cents('credit_limit'),
    createdAt: row.epochMs('created_ms'),
    updatedAt: row.epochMs('updated_ms'),
  };
}

export const CUSTOMERS_BY_ID = defineQuery<{ ids: readonly string[] }, CustomerRow>({
  text: `select ${CUSTOMER_COLUMNS} from customer c where c.id = any(cast(:ids as uuid[]))`,
  decode: decodeCustomer,
});

export interface CustomerListArgs {
  /** Only customers of this owner (a salesperson's own scope); undefined: all. */
  ownerScope: string | undefined;
  filter: CustomerFilter | undefined;
  first: number;
  after: string | undefined;
}

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
    where.add(
      `${filter.hasOverdue ? '' : 'not '}exists (select 1 from receivable r
          join receivable_overdue_state o on o.receivable_id = r.id where r.customer_id = c.id and o.stage is not null)`,
    );
  }
  return keysetPage<CustomerRow>(em, {
    columns: CUSTOMER_COLUMNS,
    decode: decodeCustomer,
    from: 'from customer c',
    where,
    keys: [
      { column: 'c.code', cast: 'text', value: (c) => c.code },
      { column: 'c.id', cast: 'uuid', value: (c) => c.id },
    ],
    first: args.first,
    after: args.after,
  });
}

export interface CustomerBalances {
  outstanding: Cents;
  overdueAmount: Cents;
  credit: Cents;
}

/** Outstanding, overdue amount and unallocated credit of each customer; one row per id. */
export const CUSTOMER_BALANCES = defineQuery<{ ids: readonly string[] }, { id: string; balances: CustomerBalances }>({
  text: `select k.id,
           coalesce((select sum(r.outstanding) from receivable r where r.customer_id = k.id), 0) as outstanding,
           coalesce((select sum(r.outstanding) from receivable r join receivable_overdue_state o on o.receivable_id = r.id
                      where r.customer_id = k.id and o.stage is not null), 0) as overdue,
           coalesce((select sum(p.unallocated) from payment p
                      where p.customer_id = k.id and p.voided_at is null), 0) as credit
         from unnest(cast(:ids as uuid[])) as k(id)`,
  decode: (row) => ({
    id: row.text('id'),
    balances: { outstanding: row.cents('outstanding'), overdueAmount: row.cents('overdue'), credit: row.cents('credit') },
  }),
});
