/**
 * Transaction-scoped advisory locks: how instances take turns (one scan at a time, one
 * weekly snapshot, one first start, one calendar change). Released at commit or rollback.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineQuery } from './sql';

/** A lock is named by a number, or by a text PostgreSQL hashes into one. */
interface LockKey {
  id: number | null;
  name: string | null;
}

const LOCK_KEY = 'coalesce(cast(:id as bigint), hashtext(:name))';

const TRY_LOCK = defineQuery<LockKey, boolean>({
  text: `select pg_try_advisory_xact_lock(${LOCK_KEY}) as locked`,
  decode: (row) => row.bool('locked'),
});

const WAIT_FOR_LOCK = defineQuery<LockKey, true>({
  text: `select pg_advisory_xact_lock(${LOCK_KEY})`,
  decode: () => true,
});

/**
 * Takes the lock named by `key` for the rest of the transaction. Waits for it, or with
 * `skipIfBusy` answers false at once when another transaction holds it.
 */
export async function lockForTransaction(em: EntityManager, key: number | string, options: { skipIfBusy?: boolean } = {}): Promise<boolean> {
  const lockKey: LockKey = typeof key === 'number' ? { id: key, name: null } : { id: null, name: key };
  if (options.skipIfBusy) return TRY_LOCK.one(em, lockKey);
  return WAIT_FOR_LOCK.one(em, lockKey);
}
