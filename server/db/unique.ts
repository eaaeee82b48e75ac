/**
 * Unique violations, mapped once. A check-then-insert races a concurrent insert of the
 * same key; the unique index decides, and the loser's error becomes what the caller
 * says it means (usually CONFLICT with the area's reason), never INTERNAL_SERVER_ERROR.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';

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
