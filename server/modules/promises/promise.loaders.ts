/** Per-request loaders of promises to pay: by id, and by the activity that recorded them. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, orderByKeys } from '../../core/dataloader';
import { PROMISES_BY_ID, PROMISES_OF_ACTIVITIES } from './promise.queries';
import { PromiseToPay } from './promise.types';

export function createPromiseLoaders(em: EntityManager) {
  return {
    promiseById: byIdLoader<PromiseToPay>('promiseById', (ids) => PROMISES_BY_ID.all(em, { ids })),
    promiseOfActivity: batchLoader<string, PromiseToPay | undefined>('promiseOfActivity', async (ids) =>
      orderByKeys(
        ids,
        await PROMISES_OF_ACTIVITIES.all(em, { ids }),
        (p) => p.activityId!,
        (p): PromiseToPay | undefined => p,
        undefined,
      ),
    ),
  };
}
