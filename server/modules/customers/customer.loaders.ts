/**
 * Per-request batch loaders of customers, plain rows (customer.queries.ts): by id, their
 * balances (one statement for outstanding, overdue amount and credit of a whole page).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, orderByKeys } from '../../core/dataloader';
import { CUSTOMER_BALANCES, CUSTOMERS_BY_ID, type CustomerBalances, type CustomerRow } from './customer.queries';

export function createCustomerLoaders(em: EntityManager) {
  return {
    customerById: byIdLoader<CustomerRow>('customerById', (ids) => CUSTOMERS_BY_ID.all(em, { ids })),

    customerBalances: batchLoader<string, CustomerBalances>('customerBalances', async (ids) => {
      const rows = await CUSTOMER_BALANCES.all(em, { ids });
      const zero: CustomerBalances = { outstanding: 0n, overdueAmount: 0n, credit: 0n };
      return orderByKeys(
        ids,
        rows,
        (r) => r.id,
        (r) => r.balances,
        zero,
      );
    }),
  };
}
