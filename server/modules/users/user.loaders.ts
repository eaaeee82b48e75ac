/** Per-request batch loaders of users. */
import { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/dataloader';
import { User } from './user.entity';

export function createUserLoaders(em: EntityManager) {
  const userById = byIdLoader('userById', (ids) => em.find(User, { id: { $in: ids } }));
  return {
    userById,
    /** The user an optional reference names (a salesperson, a decider), or null. */
    async userOrNull(id: string | null | undefined): Promise<User | null> {
      return id ? ((await userById.load(id)) ?? null) : null;
    },
  };
}
