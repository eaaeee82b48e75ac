/** Per-request batch loaders of the credit area: the stored evaluation of a page of customers in one statement. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, orderByKeys } from '../../core/dataloader';
import { STORED_CREDIT, type StoredCredit } from './credit.queries';

export function createCreditLoaders(em: EntityManager) {
  return {
    /** The last evaluation of each customer; null for a customer never evaluated (OK). */
    creditOfCustomer: batchLoader<string, StoredCredit | null>('creditOfCustomer', async (ids) => {
      const rows = await STORED_CREDIT.all(em, { ids });
      return orderByKeys(
        ids,
        rows,
        (r) => r.detail.customerId,
        (r) => r as StoredCredit | null,
        null,
      );
    }),
  };
}
