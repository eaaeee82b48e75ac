/** Per-request batch loaders of users. */
import { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/dataloader';
import { User } from './user.entity';

export function createUserLoaders(em: EntityManager) {
  return {
    userById: byIdLoader('userById', (ids) => em.find(User, { id: { $in: ids } })),
  };
}
