/** Per-request batch loaders of disputes: by id, and those of each receivable, oldest first. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys } from '../../core/dataloader';
import { Dispute } from './dispute.entity';

export function createDisputeLoaders(em: EntityManager) {
  return {
    disputeById: byIdLoader<Dispute>('disputeById', (ids) => em.find(Dispute, { id: { $in: ids } })),
    disputesOfReceivable: batchLoader<string, Dispute[]>('disputesOfReceivable', async (ids) => {
      const rows = await em.find(Dispute, { receivableId: { $in: [...ids] } }, { orderBy: { openedAt: 'asc', id: 'asc' } });
      return groupByKeys(ids, rows, (d) => d.receivableId);
    }),
  };
}
