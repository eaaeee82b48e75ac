/** Per-request batch loaders of the imports area: a customer's known payer accounts. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, groupByKeys } from '../../core/dataloader';
import { PAYER_ACCOUNTS_OF_CUSTOMERS } from './import.queries';

export function createImportLoaders(em: EntityManager) {
  return {
    payerAccountsOfCustomer: batchLoader<string, string[]>('payerAccountsOfCustomer', async (ids) => {
      const rows = await PAYER_ACCOUNTS_OF_CUSTOMERS.all(em, { customerIds: [...ids] });
      return groupByKeys(ids, rows, (r) => r.customerId).map((list) => list.map((r) => r.account));
    }),
  };
}
