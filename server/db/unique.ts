/**
 * Unique violations, mapped once. A check-then-insert races a concurrent insert of the
 * same key; the unique index decides, and the loser's error becomes what the caller
 * says it means (usually CONFLICT with the area's reason), never INTERNAL_SERVER_ERROR.
 */
import { DeadlockException, UniqueConstraintViolationException } from '@mikro-orm/core';

export function isUniqueViolation(error: unknown): boolean {
  return error instanceof UniqueConstraintViolationException || (error as { code?: string } | null)?.code === '23505';
}

/**
 * Runs `work`; a unique violation it raises is answered by `onViolation` (throw a domain
 * error, or return what the winner of the race stored).
 */
export async function onUniqueViolation<T>(work: () => Promise<T>, onViolation: (error: unknown) => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) return onViolation(error);
    throw error;
  }
}

/**
 * A transaction that lost a race it may simply run again: a unique violation (the same
 * key inserted by a concurrent transaction) or a deadlock PostgreSQL broke by aborting it.
 */
export function isRetryableConflict(error: unknown): boolean {
  return isUniqueViolation(error) || error instanceof DeadlockException || (error as { code?: string } | null)?.code === '40P01';
}
