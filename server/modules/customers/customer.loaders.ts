/**
 * Per-request batch loaders of customers, plain rows (customer.queries.ts): by id, their
 * balances (one statement for outstanding, overdue and alarmed amounts and credit of a whole page).
 */
import { EntityManager } from '@mikro-orm/postgresql';
import type { Clock } from '../../core/clock';
import { batchLoader, byIdLoader, orderByKeys } from '../../core/dataloader';
import { type MoneyText } from '../../core/money';
import { CUSTOMER_BALANCES, customersById, type CustomerBalances, type CustomerRow } from './customer.queries';

export function createCustomerLoaders(em: EntityManager, clock: Clock, timeZone: string) {
  const today = () => ({ today: clock.today(), tz: timeZone });
  return {
    customerById: byIdLoader<CustomerRow>('customerById', (ids) => customersById(em, ids, today())),

    /** Balances of customers read without them (pages and look-ups read them in their own statement). */
    customerBalances: batchLoader<string, CustomerBalances>('customerBalances', async (ids) => {
      const rows = await CUSTOMER_BALANCES.all(em, { ids, ...today() });
      const none = '0.00' as MoneyText;
      const zero: CustomerBalances = { outstanding: none, overdueAmount: none, alarmedAmount: none, credit: none };
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
