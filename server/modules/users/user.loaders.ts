/** Per-request batch loaders of users: plain rows (user.queries.ts), never entities. */
import { EntityManager } from '@mikro-orm/postgresql';
import { byIdLoader } from '../../core/dataloader';
import { USERS_BY_ID, type UserRow } from './user.queries';

export function createUserLoaders(em: EntityManager) {
  const userById = byIdLoader<UserRow>('userById', (ids) => USERS_BY_ID.all(em, { ids }));
  return {
    userById,
    /** The user an optional reference names (a salesperson, a decider), or null. */
    async userOrNull(id: string | null | undefined): Promise<UserRow | null> {
      return id ? ((await userById.load(id)) ?? null) : null;
    },
  };
}
