/**
 * Per-request batch loaders of receivables: by id, the first receivables of each
 * customer on a page, their overdue stage and payment notices.
 */
import type DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { Clock } from '../../core/clock';
import { Page } from '../../core/pagination';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable } from './receivable.entity';
import { OVERDUE_STAGES, type OverdueStage, type ReceivablePageArgs, receivablePagesOfCustomers } from './receivable.queries';

export function createReceivableLoaders(em: EntityManager, clock: Clock, timeZone: string) {
  const receivablePages = new Map<string, DataLoader<string, Page<Receivable>>>();
  return {
    receivableById: byIdLoader('receivableById', (ids) => em.find(Receivable, { id: { $in: ids } })),
    /** One loader per distinct argument set, so every page in a request shares one statement. */
    receivablesOfCustomer(args: ReceivablePageArgs): DataLoader<string, Page<Receivable>> {
      const key = JSON.stringify([args.first, args.after ?? null, args.filter ?? null]);
      let loader = receivablePages.get(key);
      if (!loader) {
        loader = batchLoader<string, Page<Receivable>>('receivablesOfCustomer', (customerIds) =>
          receivablePagesOfCustomers(em, customerIds, args, { today: clock.today(), tz: timeZone }),
        );
        receivablePages.set(key, loader);
      }
      return loader;
    },
    /** The overdue engine's stage and the date it holds for, or null when not overdue. */
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
