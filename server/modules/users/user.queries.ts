/**
 * The users area's SQL: users as read rows, a user token's standing in one statement
 * (user active, role read fresh, signed out everywhere, this token revoked), the
 * revocations themselves, and the lock that serialises changes to administrators.
 */
import { Role } from '../../core/auth';
import { Locale } from './user.locale';
import { defineQuery, defineStatement, type SqlRow } from '../../db/sql';

/**
 * A user as GraphQL reads it: a plain row, no entity, no credentials. The `User` entity
 * has the same fields (and is one), so a resolver of the User type takes either.
 */
export interface UserRow {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly role: Role;
  readonly active: boolean;
  readonly createdAt: Date;
  readonly locale: Locale;
}

/**
 * The columns `decodeUser` reads, of a user table aliased `u`; with a prefix (`owner_`)
 * when they travel beside another row's columns, e.g. a customer's owner in the
 * customer's own statement.
 */
export function userColumns(prefix = ''): string {
  return `u.id as ${prefix}id, u.email as ${prefix}email, u.name as ${prefix}name, u.role as ${prefix}role, u.active as ${prefix}active, u.locale as ${prefix}locale,
    floor(extract(epoch from u.created_at) * 1000)::int8 as ${prefix}created_ms`;
}

export function decodeUser(row: SqlRow, prefix = ''): UserRow {
  return {
    id: row.text(`${prefix}id`),
    email: row.text(`${prefix}email`),
    name: row.text(`${prefix}name`),
    role: row.oneOf(`${prefix}role`, Role),
    active: row.bool(`${prefix}active`),
    createdAt: row.epochMs(`${prefix}created_ms`),
    locale: row.oneOf(`${prefix}locale`, Locale),
  };
}

export const USERS_BY_ID = defineQuery<{ ids: readonly string[] }, UserRow>({
  text: `select ${userColumns()} from app_user u where u.id = any(cast(:ids as uuid[]))`,
  decode: (row) => decodeUser(row),
});

export const TOKEN_STANDING = defineQuery<{ userId: string; jti: string }, { role: Role; validAfterSeconds: number | null; revoked: boolean }>({
  text: `select u.role, extract(epoch from u.tokens_valid_after)::float8 as valid_after,
                exists (select 1 from revoked_token r where r.jti = cast(:jti as uuid)) as revoked
           from app_user u where u.id = cast(:userId as uuid) and u.active`,
  decode: (row) => ({ role: row.oneOf('role', Role), validAfterSeconds: row.numberOrNull('valid_after'), revoked: row.bool('revoked') }),
});

export const REVOKE_TOKEN = defineStatement<{ jti: string; userId: string; expiresAt: Date }>({
  text: `insert into revoked_token (jti, user_id, expires_at) values (cast(:jti as uuid), cast(:userId as uuid), :expiresAt)
         on conflict (jti) do nothing`,
});

/** Revocations outlive their token by nothing: an expired token is refused anyway. */
export const FORGET_EXPIRED_REVOCATIONS = defineStatement({ text: 'delete from revoked_token where expires_at < now()' });

export const SIGN_OUT_EVERYWHERE = defineStatement<{ userId: string; validAfterSeconds: number }>({
  text: `update app_user set tokens_valid_after = greatest(tokens_valid_after, to_timestamp(:validAfterSeconds))
          where id = cast(:userId as uuid)`,
});

/** Serialises changes to administrators: two admins demoting each other leave one. */
export const LOCK_ACTIVE_ADMINS = defineQuery({
  text: `select id from app_user where role = 'ADMIN' and active for update`,
  decode: (row) => row.text('id'),
});

export const NOTIFY_PRINCIPAL_CHANGE = defineStatement<{ channel: string; payload: string }>({
  text: 'select pg_notify(:channel, :payload)',
});

export const RETURN_ADDRESS_ATTEMPT = defineStatement<{ key: string }>({
  text: 'update login_throttle set points = points - 1 where key = :key and points > 0',
});
