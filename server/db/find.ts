/** Entity look-ups by ids that come from clients, with the caller's visibility applied. */
import { EntityManager } from '@mikro-orm/postgresql';
import { EntityName, FilterQuery } from '@mikro-orm/core';
import { notFound } from '../core/errors';
import { isUuid } from './sql';

/**
 * The entity with this id, or null. An id that is no UUID names no row: PostgreSQL would
 * refuse to compare it with a uuid column, which must not surface as a server error.
 */
export function findById<T extends object>(em: EntityManager, entity: EntityName<T>, id: string): Promise<T | null> {
  return isUuid(id) ? em.findOne(entity, { id } as FilterQuery<T>) : Promise.resolve(null);
}

/** Whether the caller may see a row (the access policy's answer for its owner). */
export type Visibility<T> = (row: T) => boolean | Promise<boolean>;

/** The entity if it exists and the caller may see it; otherwise null, the same for both. */
export async function findVisible<T extends object>(em: EntityManager, entity: EntityName<T>, id: string, visible: Visibility<T>): Promise<T | null> {
  const row = await findById(em, entity, id);
  return row && (await visible(row)) ? row : null;
}

/** Like findVisible, but NOT_FOUND (naming the argument) when missing or hidden: existence is not disclosed. */
export async function getVisible<T extends object>(
  em: EntityManager,
  entity: EntityName<T>,
  id: string,
  visible: Visibility<T>,
  what: string,
  field: string,
): Promise<T> {
  const row = await findVisible(em, entity, id, visible);
  if (!row) throw notFound(what, id, field);
  return row;
}
