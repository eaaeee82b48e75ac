/** Per-request batch loaders of receivables, their allocations and payment notices. */
import DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader, groupByKeys } from '../../core/dataloader';
import { Allocation } from '../payments/allocation.entity';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable } from './receivable.entity';

export function createReceivableLoaders(em: EntityManager) {
  return {
    receivableById: byIdLoader((ids) => em.find(Receivable, { id: { $in: ids } })),
    allocationsOfReceivable: new DataLoader<string, Allocation[]>(async (ids) => {
      const rows = await em.find(Allocation, { receivableId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return groupByKeys(ids, rows, (a) => a.receivableId);
    }),
    noticesOfReceivable: new DataLoader<string, PaymentNotice[]>(async (ids) => {
      const rows = await em.find(PaymentNotice, { receivableId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc', id: 'asc' } });
      return groupByKeys(ids, rows, (n) => n.receivableId);
    }),
  };
}
