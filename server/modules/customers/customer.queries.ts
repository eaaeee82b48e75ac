/**
 * The customers area's SQL: the customer list (filter and keyset page, ordered by code)
 * and the balances of a whole page of customers in one statement.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { positionsCtes } from '../../db/positions';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { containsPattern, defineQuery, searchText, Where } from '../../db/sql';
import { Customer } from './customer.entity';
import { CustomerFilter } from './customer.types';

export interface CustomerListArgs {
  /** Only customers of this owner (a salesperson's own scope); undefined: all. */
  ownerScope: string | undefined;
  filter: CustomerFilter | undefined;
  /** Today and the company time zone: what "overdue" means for the filter. */
  today: LocalDate;
  tz: string;
  first: number;
  after: string | undefined;
}

export function customerPage(em: EntityManager, args: CustomerListArgs): Promise<Page<Customer>> {
  const { filter } = args;
  const where = new Where();
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  if (filter?.ownerId) where.addIdEquals('c.owner_id', 'ownerId', filter.ownerId);
  const search = searchText(filter?.search);
  if (search) {
    where.add('c.code ilike :search or c.name ilike :search', { search: containsPattern(search) });
  }
  if (filter?.hasOverdue !== undefined && filter.hasOverdue !== null) {
    where.add(`${filter.hasOverdue ? '' : 'not '}exists (${OVERDUE_POSITIONS('c.id')})`, { today: args.today, tz: args.tz });
  }
  return keysetPage(em, {
    entity: Customer,
    from: 'from customer c',
    alias: 'c',
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
  alarmedAmount: Cents;
  credit: Cents;
}

/** A customer's receivables past their effective due date with money outstanding as of `:today` (positions). */
const OVERDUE_POSITIONS = (customerSql: string) => `
with ${positionsCtes('pos', 'cast(:today as date)', { receivable: (r) => `${r}.customer_id = ${customerSql}` })}
select 1 from pos where pos.effective_due_on < cast(:today as date)`;

/**
 * Outstanding, overdue amount (positions as of today: money), alarmed amount (the
 * overdue engine's state: alarms) and unallocated credit of each customer; one row per id.
 */
export const CUSTOMER_BALANCES = defineQuery<{ ids: readonly string[]; today: LocalDate; tz: string }, { id: string; balances: CustomerBalances }>({
  text: `
with ${positionsCtes('pos', 'cast(:today as date)', { receivable: (r) => `${r}.customer_id = any(cast(:ids as uuid[]))` })}
select k.id,
       coalesce((select sum(r.outstanding) from receivable r where r.customer_id = k.id), 0) as outstanding,
       coalesce((select sum(p.outstanding) from pos p where p.customer_id = k.id and p.effective_due_on < cast(:today as date)), 0) as overdue,
       coalesce((select sum(r.outstanding) from receivable r join receivable_overdue_state o on o.receivable_id = r.id
                  where r.customer_id = k.id and o.stage is not null), 0) as alarmed,
       coalesce((select sum(p.unallocated) from payment p where p.customer_id = k.id and p.voided_at is null), 0) as credit
  from unnest(cast(:ids as uuid[])) as k(id)`,
  decode: (row) => ({
    id: row.text('id'),
    balances: {
      outstanding: row.cents('outstanding'),
      overdueAmount: row.cents('overdue'),
      alarmedAmount: row.cents('alarmed'),
      credit: row.cents('credit'),
    },
  }),
});
