/**
 * Per-request batch loaders of receivables: by id, the first receivables of each
 * customer on a page, their overdue stage and payment notices.
 */
import type DataLoader from 'dataloader';
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { decodeCursor, encodeCursor, Page } from '../../core/pagination';
import { pgArray, Where } from '../../db/sql';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable } from './receivable.entity';
import { ReceivableFilter } from './receivable.types';
import { receivableFilterWhere } from './receivable.queries';

export interface ReceivablePageArgs {
  first: number;
  after?: string | null;
  filter?: ReceivableFilter | null;
}

function receivablesOfCustomers(em: EntityManager, args: ReceivablePageArgs) {
  return batchLoader<string, Page<Receivable>>('receivablesOfCustomer', async (customerIds) => {
    const after = decodeCursor(args.after, 2);
    const where = receivableFilterWhere(new Where(), args.filter);
    const filterSql = where.sql;
    const filterParams = [...where.params];
    if (after) where.add('(r.due_on, r.id) > (?::date, ?::uuid)', ...after);
    const rows: Record<string, unknown>[] = await em.execute(
      `select * from (
         select r.*, row_number() over (partition by r.customer_id order by r.due_on, r.id) as hk_rank
           from receivable r
          where r.customer_id = any(?::uuid[]) and ${where.sql}
       ) ranked where hk_rank <= ? order by customer_id, hk_rank`,
      [pgArray(customerIds), ...where.params, args.first + 1],
    );
    const counts: { customer_id: string; n: string }[] = await em.execute(
      `select r.customer_id, count(*) as n from receivable r
        where r.customer_id = any(?::uuid[]) and ${filterSql} group by r.customer_id`,
      [pgArray(customerIds), ...filterParams],
    );
    const totals = orderByKeys(customerIds, counts, (c) => c.customer_id, (c) => Number(c.n), 0);
    const grouped = groupByKeys(customerIds, rows, (r) => r.customer_id as string);
    return grouped.map((group, i) => ({
      nodes: group.slice(0, args.first).map((row) => em.map(Receivable, row as never)),
      hasNextPage: group.length > args.first,
      totalCount: totals[i],
      cursorOf: (r: Receivable) => encodeCursor([r.dueOn, r.id]),
    }));
  });
}


export function createReceivableLoaders(em: EntityManager) {
  const receivablePages = new Map<string, DataLoader<string, Page<Receivable>>>();
  return {
    receivableById: byIdLoader('receivableById', (ids) => em.find(Receivable, { id: { $in: ids } })),
    /** One loader per distinct argument set, so every page in a request shares one statement. */
    receivablesOfCustomer(args: ReceivablePageArgs): DataLoader<string, Page<Receivable>> {
      const key = JSON.stringify([args.first, args.after ?? null, args.filter ?? null]);
      let loader = receivablePages.get(key);
      if (!loader) {
        loader = receivablesOfCustomers(em, args);
        receivablePages.set(key, loader);
      }
      return loader;
    },
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
