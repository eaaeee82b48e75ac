/**
 * Per-request batch loaders of customers: by id, their balances (one statement for
 * outstanding, overdue amount and credit of a whole page).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, orderByKeys } from '../../core/dataloader';
import { type Cents, centsFromNumeric } from '../../core/money';
import { pgArray } from '../../db/sql';
import { Customer } from './customer.entity';

export interface CustomerBalances {
  outstanding: Cents;
  overdueAmount: Cents;
  credit: Cents;
}

export function createCustomerLoaders(em: EntityManager) {
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
  };
}
