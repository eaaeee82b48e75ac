/** Entity look-ups by ids that come from clients. */
import { EntityManager } from '@mikro-orm/postgresql';
import { EntityName, FilterQuery } from '@mikro-orm/core';
import { isUuid } from './sql';

/**
 * The entity with this id, or null. An id that is no UUID names no row: PostgreSQL would
 * refuse to compare it with a uuid column, which must not surface as a server error.
 */
export function findById<T extends object>(em: EntityManager, entity: EntityName<T>, id: string): Promise<T | null> {
  return isUuid(id) ? em.findOne(entity, { id } as FilterQuery<T>) : Promise.resolve(null);
}
