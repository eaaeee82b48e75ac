/**
 * Per-request batch loaders of receivables, plain rows (receivable.queries.ts): by id,
 * the first receivables of each customer on a page, their overdue stage and payment notices.
 */
import type DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { type Clock } from '../../core/clock';
import { Page } from '../../core/pagination';
import { PaymentNotice } from './payment-notice.entity';
import {
  OVERDUE_STAGES,
  type OverdueStage,
  RECEIVABLES_BY_ID,
  type ReceivablePageArgs,
  type ReceivableRow,
  receivablePagesOfCustomers,
} from './receivable.queries';

export function createReceivableLoaders(em: EntityManager, clock: Clock, timeZone: string) {
  const receivablePages = new Map<string, DataLoader<string, Page<ReceivableRow>>>();
  return {
    receivableById: byIdLoader<ReceivableRow>('receivableById', (ids) => RECEIVABLES_BY_ID.all(em, { ids })),
    /** One loader per distinct argument set, so every page in a request shares one statement. */
    receivablesOfCustomer(args: ReceivablePageArgs): DataLoader<string, Page<ReceivableRow>> {
      const key = JSON.stringify([args.first, args.after ?? null, args.filter ?? null, args.count]);
      let loader = receivablePages.get(key);
      if (!loader) {
        loader = batchLoader<string, Page<ReceivableRow>>('receivablesOfCustomer', (customerIds) =>
          receivablePagesOfCustomers(em, customerIds, args, { today: clock.today(), tz: timeZone }),
        );
        receivablePages.set(key, loader);
      }
      return loader;
    },
    /** The overdue engine's current stage, or null when not overdue. */
    overdueStageOfReceivable: batchLoader<string, OverdueStage | null>('overdueStageOfReceivable', async (ids) => {
      const rows = await OVERDUE_STAGES.all(em, { ids });
      return orderByKeys(
        ids,
        rows,
        (r) => r.receivableId,
        (r) => r.stage as OverdueStage | null,
        null,
      );
    }),
    noticesOfReceivable: batchLoader<string, PaymentNotice[]>('noticesOfReceivable', async (ids) => {
      const rows = await em.find(PaymentNotice, { receivableId: { $in: [...ids] } }, { orderBy: { createdAt: 'desc', id: 'asc' } });
      return groupByKeys(ids, rows, (n) => n.receivableId);
    }),
  };
}
