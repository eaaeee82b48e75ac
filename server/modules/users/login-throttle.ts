/**
 * Login throttling shared by every instance: failed sign-ins are counted per e-mail
 * address and per client address in PostgreSQL (rate-limiter-flexible's store, table
 * `login_throttle`), in fixed windows. An attempt is counted before its password is
 * checked — one atomic upsert — so parallel guesses cannot slip through between check
 * and count, and a throttled attempt costs no scrypt work. A successful sign-in gives
 * its attempts back (the e-mail's counter is cleared); throttled callers are told when
 * to retry.
 *
 * Trade-off: anyone can lock an e-mail address for one window by failing on purpose; the
 * window is short, the owner is told when to retry, and the alternative (no per-account
 * limit) lets a botnet with many addresses guess one account without bound.
 */
import { createHash } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { RateLimiterPostgres, RateLimiterRes } from 'rate-limiter-flexible';
import { ApiErrorCode, DomainError } from '../../core/errors';
import { UserErrorReason } from './user.errors';
import { RETURN_ADDRESS_ATTEMPT } from './user.queries';

export interface LoginThrottleOptions {
  maxFailuresPerEmail: number;
  maxFailuresPerAddress: number;
  windowSeconds: number;
}

/** Counters are keyed by hashes: the table holds no e-mail or IP address. */
const keyOf = (value: string) => createHash('sha256').update(value).digest('base64url');

export const loginThrottled = (retryAfterSeconds: number) =>
  new DomainError(ApiErrorCode.UNAUTHENTICATED, `Too many failed sign-ins: try again in ${retryAfterSeconds} s`, UserErrorReason.LOGIN_THROTTLED, undefined, {
    retryAfterSeconds,
  });

export class LoginThrottle {
  private readonly byEmail: RateLimiterPostgres;
  private readonly byAddress: RateLimiterPostgres;
  constructor(
    private readonly orm: MikroORM,
    options: LoginThrottleOptions,
  ) {
    // The ORM's own pool (knex): no second pool to size and close. The table comes from a migration.
    const store = {
      storeClient: orm.em.getConnection().getKnex(),
      storeType: 'knex',
      tableName: 'login_throttle',
      tableCreated: true,
      duration: options.windowSeconds,
    };
    this.byEmail = new RateLimiterPostgres({ ...store, keyPrefix: 'email', points: options.maxFailuresPerEmail });
    this.byAddress = new RateLimiterPostgres({ ...store, keyPrefix: 'addr', points: options.maxFailuresPerAddress });
  }

  /**
   * Counts one attempt for the e-mail and the client address; throws LOGIN_THROTTLED when
   * either has used up its failures in the current window.
   */
  async attempt(email: string, address: string | undefined): Promise<void> {
    const results = await Promise.allSettled([this.byEmail.consume(keyOf(email)), ...(address ? [this.byAddress.consume(keyOf(address))] : [])]);
    let waitMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      // A store failure is an internal error, not a reason to let guesses through.
      if (!(result.reason instanceof RateLimiterRes)) throw result.reason;
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (results.some((r) => r.status === 'rejected')) throw loginThrottled(Math.max(1, Math.ceil(waitMs / 1000)));
  }

  /**
   * The attempt was right, so it was no failure: the e-mail's counter is cleared (other
   * addresses' failures on it are forgiven too) and the address gets its attempt back —
   * never more, or signing in to one's own account over and over would bank credit for
   * guessing others (rate-limiter-flexible's reward() can go below zero).
   */
  async succeeded(email: string, address: string | undefined): Promise<void> {
    await Promise.all([
      this.byEmail.delete(keyOf(email)),
      ...(address ? [RETURN_ADDRESS_ATTEMPT.run(this.orm.em.fork(), { key: this.byAddress.getKey(keyOf(address)) })] : []),
    ]);
  }
}
