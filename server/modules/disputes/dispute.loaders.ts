/** Per-request batch loaders of disputes: those of each receivable, oldest first. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, groupByKeys } from '../../core/dataloader';
import { Dispute } from './dispute.entity';

export function createDisputeLoaders(em: EntityManager) {
  return {
    disputesOfReceivable: batchLoader<string, Dispute[]>('disputesOfReceivable', async (ids) => {
      const rows = await em.find(Dispute, { receivableId: { $in: [...ids] } }, { orderBy: { openedAt: 'asc', id: 'asc' } });
      return groupByKeys(ids, rows, (d) => d.receivableId);
    }),
  };
}
