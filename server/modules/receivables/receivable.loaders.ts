/** Per-request batch loaders of receivables, their allocations and payment notices. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { pgArray } from '../../db/sql';
import { Allocation } from '../payments/allocation.entity';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable } from './receivable.entity';

export function createReceivableLoaders(em: EntityManager) {
  return {
    receivableById: byIdLoader('receivableById', (ids) => em.find(Receivable, { id: { $in: ids } })),
    allocationsOfReceivable: batchLoader<string, Allocation[]>('allocationsOfReceivable', async (ids) => {
      const rows = await em.find(Allocation, { receivableId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return groupByKeys(ids, rows, (a) => a.receivableId);
    }),
    /** The overdue engine's current stage, or null when not overdue. */
    overdueStageOfReceivable: batchLoader<string, number | null>('overdueStageOfReceivable', async (ids) => {
      const rows: { receivable_id: string; stage: number }[] = await em.execute(
        'select receivable_id, stage from receivable_overdue_state where receivable_id = any(?::uuid[]) and stage is not null',
        [pgArray(ids)],
      );
      return orderByKeys(ids, rows, (r) => r.receivable_id, (r) => r.stage as number | null, null);
    }),
    noticesOfReceivable: batchLoader<string, PaymentNotice[]>('noticesOfReceivable', async (ids) => {
      const rows = await em.find(PaymentNotice, { receivableId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc', id: 'asc' } });
      return groupByKeys(ids, rows, (n) => n.receivableId);
    }),
  };
}
