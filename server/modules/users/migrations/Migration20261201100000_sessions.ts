import { Migration } from '@mikro-orm/migrations';

/**
 * Revocable user tokens and a login throttle shared by every instance.
 *
 * - `app_user.tokens_valid_after`: "sign out everywhere" — user tokens issued (`iat`)
 *   before it are refused. One column instead of a row per token: a user may hold many.
 * - `revoked_token`: the ids (`jti`) of single tokens revoked by `logout`, kept until
 *   the token would have expired anyway, then removed.
 * - `login_throttle`: failed sign-in counters in the layout of rate-limiter-flexible's
 *   PostgreSQL store (key, points, expire in epoch milliseconds); keys are hashes of
 *   e-mail and client addresses, never the addresses themselves.
 */
export class Migration20261201100000_sessions extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table app_user add column tokens_valid_after timestamptz;
      create table revoked_token (
        jti uuid primary key,
        user_id uuid not null references app_user (id),
        expires_at timestamptz not null,
        revoked_at timestamptz not null default now()
      );
      create index revoked_token_expires_at_idx on revoked_token (expires_at);
      create table login_throttle (
        key varchar(255) primary key,
        points integer not null default 0,
        expire bigint
      );
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      drop table login_throttle;
      drop table revoked_token;
      alter table app_user drop column tokens_valid_after;
    `);
  }
}
