/**
 * Per-request batch loaders of customers: by id, their balances (one statement for
 * outstanding, overdue amount and credit of a whole page), and their first receivables.
 */
import type DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { type Cents, centsFromNumeric } from '../../core/money';
import { encodeCursor, Page } from '../../core/pagination';
import { decodeKeysetCursor } from '../../db/keyset';
import { pgArray, Where } from '../../db/sql';
import { Receivable } from '../receivables/receivable.entity';
import { ReceivableFilter } from '../receivables/receivable.inputs';
import { receivableFilterWhere } from '../receivables/receivable.queries';
import { Customer } from './customer.entity';

export interface CustomerBalances {
  outstanding: Cents;
  overdueAmount: Cents;
  credit: Cents;
}

export interface ReceivablePageArgs {
  first: number;
  after?: string | null;
  filter?: ReceivableFilter | null;
}

function receivablesOfCustomers(em: EntityManager, args: ReceivablePageArgs) {
  return batchLoader<string, Page<Receivable>>('receivablesOfCustomer', async (customerIds) => {
    const after = decodeKeysetCursor(args.after, ['date', 'uuid']);
    const where = receivableFilterWhere(new Where(), args.filter);
    const filterSql = where.sql;
    const filterParams = [...where.params];
    if (after) where.add('(r.due_on, r.id) > (?::date, ?::uuid)', ...after);
    const rows: Record<string, unknown>[] = await em.execute(
      `select * from (
         select r.*, row_number() over (partition by r.customer_id order by r.due_on, r.id) as hk_rank
           from receivable r
          where r.customer_id = any(?::uuid[]) and ${where.sql}
       ) ranked where hk_rank <= ? order by customer_id, hk_rank`,
      [pgArray(customerIds), ...where.params, args.first + 1],
    );
    const counts: { customer_id: string; n: string }[] = await em.execute(
      `select r.customer_id, count(*) as n from receivable r
        where r.customer_id = any(?::uuid[]) and ${filterSql} group by r.customer_id`,
      [pgArray(customerIds), ...filterParams],
    );
    const totals = orderByKeys(customerIds, counts, (c) => c.customer_id, (c) => Number(c.n), 0);
    const grouped = groupByKeys(customerIds, rows, (r) => r.customer_id as string);
    return grouped.map((group, i) => ({
      nodes: group.slice(0, args.first).map((row) => em.map(Receivable, row as never)),
      hasNextPage: group.length > args.first,
      totalCount: totals[i],
      cursorOf: (r: Receivable) => encodeCursor([r.dueOn, r.id]),
    }));
  });
}

export function createCustomerLoaders(em: EntityManager) {
  const receivablePages = new Map<string, DataLoader<string, Page<Receivable>>>();
  return {
    customerById: byIdLoader('customerById', (ids) => em.find(Customer, { id: { $in: ids } })),

    customerBalances: batchLoader<string, CustomerBalances>('customerBalances', async (ids) => {
      const rows: { id: string; outstanding: string; overdue: string; credit: string }[] = await em.execute(
        `select k.id,
           coalesce((select sum(r.outstanding) from receivable r where r.customer_id = k.id), 0) as outstanding,
           coalesce((select sum(r.outstanding) from receivable r join receivable_overdue_state o on o.receivable_id = r.id
                      where r.customer_id = k.id and o.stage is not null), 0) as overdue,
           coalesce((select sum(p.unallocated) from payment p
                      where p.customer_id = k.id and p.voided_at is null), 0) as credit
         from unnest(?::uuid[]) as k(id)`,
        [pgArray(ids)],
      );
      const zero: CustomerBalances = { outstanding: 0n, overdueAmount: 0n, credit: 0n };
      return orderByKeys(
        ids,
        rows,
        (r) => r.id,
        (r) => ({ outstanding: centsFromNumeric(r.outstanding), overdueAmount: centsFromNumeric(r.overdue), credit: centsFromNumeric(r.credit) }),
        zero,
      );
    }),

    /** One loader per distinct argument set, so every page in a request shares one statement. */
    receivablesOfCustomer(args: ReceivablePageArgs): DataLoader<string, Page<Receivable>> {
      const key = JSON.stringify([args.first, args.after ?? null, args.filter ?? null]);
      let loader = receivablePages.get(key);
      if (!loader) {
        loader = receivablesOfCustomers(em, args);
        receivablePages.set(key, loader);
      }
      return loader;
    },
  };
}
