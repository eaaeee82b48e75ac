/**
 * Per-request batch loaders of customers: by id, their balances (one statement for
 * outstanding, overdue and alarmed amounts and credit of a whole page).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Clock } from '../../core/clock';
import { batchLoader, byIdLoader, orderByKeys } from '../../core/dataloader';
import { Customer } from './customer.entity';
import { CUSTOMER_BALANCES, type CustomerBalances } from './customer.queries';

export function createCustomerLoaders(em: EntityManager, clock: Clock, timeZone: string) {
  return {
    customerById: byIdLoader('customerById', (ids) => em.find(Customer, { id: { $in: ids } })),

    customerBalances: batchLoader<string, CustomerBalances>('customerBalances', async (ids) => {
      const rows = await CUSTOMER_BALANCES.all(em, { ids, today: clock.today(), tz: timeZone });
      const zero: CustomerBalances = { outstanding: 0n, overdueAmount: 0n, alarmedAmount: 0n, credit: 0n };
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
