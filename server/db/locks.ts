/**
 * Transaction-scoped advisory locks: how instances take turns (one scan at a time, one
 * weekly snapshot, one first start, one calendar change). Released at commit or rollback.
 */
import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Takes the lock named by `key` (a number, or a text PostgreSQL hashes) for the rest of
 * the transaction. Waits for it, or with `skipIfBusy` answers false at once when
 * another transaction holds it.
 */
export async function lockForTransaction(em: EntityManager, key: number | string, options: { skipIfBusy?: boolean } = {}): Promise<boolean> {
  const lockKey = typeof key === 'number' ? '?::bigint' : 'hashtext(?)';
  if (options.skipIfBusy) {
    const [row]: { locked: boolean }[] = await em.execute(`select pg_try_advisory_xact_lock(${lockKey}) as locked`, [key]);
    return row.locked;
  }
  await em.execute(`select pg_advisory_xact_lock(${lockKey})`, [key]);
  return true;
}
