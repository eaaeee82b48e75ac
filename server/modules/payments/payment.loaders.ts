/** Per-request batch loaders of payments and allocations (of a payment, of a receivable). */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys } from '../../core/dataloader';
import { Allocation } from './allocation.entity';
import { Payment } from './payment.entity';

export function createPaymentLoaders(em: EntityManager) {
  return {
    paymentById: byIdLoader('paymentById', (ids) => em.find(Payment, { id: { $in: ids } })),
    allocationsOfPayment: batchLoader<string, Allocation[]>('allocationsOfPayment', async (ids) => {
      const rows = await em.find(Allocation, { paymentId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return groupByKeys(ids, rows, (a) => a.paymentId);
    }),
    allocationsOfReceivable: batchLoader<string, Allocation[]>('allocationsOfReceivable', async (ids) => {
      const rows = await em.find(Allocation, { receivableId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return groupByKeys(ids, rows, (a) => a.receivableId);
    }),
  };
}
