/**
 * Authentication primitives: roles, slow password hashing (scrypt) with a check for
 * hashes made with weaker parameters, signed expiring user tokens (HS256 JWTs with an
 * id, so each can be revoked) and API token secrets (stored as SHA-256 only). Who may do
 * what is the access policy's (access.ts).
 */
import { createHash, randomBytes, randomUUID, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { registerEnumType } from 'type-graphql';

const scrypt = promisify(scryptCb) as (password: string, salt: Buffer, keylen: number, options: object) => Promise<Buffer>;

export enum Role {
  SALES = 'SALES',
  FINANCE = 'FINANCE',
  PROJECT_LEAD = 'PROJECT_LEAD',
  MANAGER = 'MANAGER',
  ADMIN = 'ADMIN',
  INTEGRATION = 'INTEGRATION',
}

/** The token a caller presented: what logout revokes and what ends a WebSocket session. */
export type Credential =
  { kind: 'USER_TOKEN'; jti: string; /** seconds since the epoch */ issuedAt: number; expiresAt: Date } | { kind: 'API_TOKEN'; apiTokenId: string };

/**
 * What an API token may do beyond its INTEGRATION role's reads (issue 12): given when the
 * token is created, listed on `ApiToken.scopes`; access.ts maps each to its permissions.
 */
export enum ApiTokenScope {
  /** Bulk import (importCustomers, importReceivables, importPayments, importRuns). */
  IMPORT = 'IMPORT',
}
registerEnumType(ApiTokenScope, { name: 'ApiTokenScope', description: 'What an API token may do beyond reading (given at createApiToken).' });

/** Who is calling; resolved once per request or WebSocket connection. */
export interface Principal {
  userId: string;
  role: Role;
  credential?: Credential;
  /** An API token's scopes (empty or absent for user tokens). */
  scopes?: readonly ApiTokenScope[];
}

/**
 * OWASP Password Storage Cheat Sheet (2025): scrypt N=2^17, r=8, p=1 — 128 MiB and about
 * half a second per hash on the reference machine. libuv runs at most 4 hashes at once,
 * so the peak is ~512 MiB; the login throttle keeps attackers from queueing more.
 */
const SCRYPT_PARAMS = { N: 1 << 17, r: 8, p: 1 };
const KEY_LENGTH = 32;
/** Stored hashes above these bounds are refused rather than computed (a bad row must not exhaust memory). */
const MAX_N = 1 << 18;
const MAX_R = 16;
const MAX_P = 4;
const maxmemFor = (N: number, r: number, p: number) => 128 * N * r * p + 16 * 1024 * 1024;

export async function hashPassword(password: string): Promise<string> {
  const { N, r, p } = SCRYPT_PARAMS;
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, { N, r, p, maxmem: maxmemFor(N, r, p) });
  return `scrypt$${N}$${r}$${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

function parseHash(stored: string): { N: number; r: number; p: number; salt: Buffer; key: Buffer } | undefined {
  const [scheme, n, r, p, saltB64, keyB64, extra] = stored.split('$');
  if (scheme !== 'scrypt' || !keyB64 || extra !== undefined) return undefined;
  const params = { N: Number(n), r: Number(r), p: Number(p) };
  const valid =
    Number.isInteger(params.N) &&
    params.N > 1 &&
    (params.N & (params.N - 1)) === 0 &&
    params.N <= MAX_N &&
    Number.isInteger(params.r) &&
    params.r >= 1 &&
    params.r <= MAX_R &&
    Number.isInteger(params.p) &&
    params.p >= 1 &&
    params.p <= MAX_P;
  return valid ? { ...params, salt: Buffer.from(saltB64, 'base64'), key: Buffer.from(keyB64, 'base64') } : undefined;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const hash = parseHash(stored);
  if (!hash || hash.key.length === 0) return false;
  const key = await scrypt(password, hash.salt, hash.key.length, { N: hash.N, r: hash.r, p: hash.p, maxmem: maxmemFor(hash.N, hash.r, hash.p) });
  return timingSafeEqual(key, hash.key);
}

/** True when the hash was made with other parameters than today's: rehash it at the next sign-in. */
export function needsRehash(stored: string): boolean {
  const hash = parseHash(stored);
  return !hash || hash.N !== SCRYPT_PARAMS.N || hash.r !== SCRYPT_PARAMS.r || hash.p !== SCRYPT_PARAMS.p || hash.key.length !== KEY_LENGTH;
}

/**
 * A hash with today's parameters, to spend the same time on unknown e-mails (and users
 * without a password) as on known ones; no password matches its all-zero key.
 */
export const DUMMY_PASSWORD_HASH = `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$${Buffer.alloc(16).toString('base64')}$${Buffer.alloc(KEY_LENGTH).toString('base64')}`;

/**
 * User tokens are compact JWS (RFC 7515/7519): exactly three segments, HS256 only, with
 * `sub` (user id), `role` (informational: the role is read fresh on every request), `iat`,
 * `exp` and `jti` (what logout revokes). No prefix: a fourth segment would not be a JWT.
 */
const TOKEN_ALGORITHM = 'HS256';
const TOKEN_ISSUER = 'huikuan';

export interface UserTokenClaims {
  sub: string;
  jti: string;
  /** Seconds since the epoch. */
  iat: number;
  exp: number;
}

const tokenKey = (secret: string) => new TextEncoder().encode(secret);

export async function signUserToken(
  principal: { userId: string; role: Role },
  secret: string,
  ttlSeconds: number,
  options: { now?: number; notBeforeIssuedAt?: number } = {},
): Promise<{ token: string; expiresAt: Date; jti: string }> {
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  // After "sign out everywhere" in this same second, a new token must not look older than it.
  const iat = Math.max(now, options.notBeforeIssuedAt ?? 0);
  const exp = now + ttlSeconds;
  const jti = randomUUID();
  const token = await new SignJWT({ role: principal.role })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setIssuer(TOKEN_ISSUER)
    .setSubject(principal.userId)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .setJti(jti)
    .sign(tokenKey(secret));
  return { token, expiresAt: new Date(exp * 1000), jti };
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** Returns the claims of a well-formed, correctly signed, unexpired user token, otherwise undefined. */
export async function verifyUserToken(token: string, secret: string): Promise<UserTokenClaims | undefined> {
  // Exactly three base64url segments: no JWE, no extra or empty segments, no padding.
  if (!COMPACT_JWS.test(token)) return undefined;
  try {
    const { payload } = await jwtVerify(token, tokenKey(secret), {
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      typ: 'JWT',
      requiredClaims: ['sub', 'jti', 'iat', 'exp'],
    });
    if (typeof payload.sub !== 'string' || typeof payload.jti !== 'string' || typeof payload.iat !== 'number' || typeof payload.exp !== 'number') {
      return undefined;
    }
    return { sub: payload.sub, jti: payload.jti, iat: payload.iat, exp: payload.exp };
  } catch (e) {
    if (e instanceof joseErrors.JOSEError) return undefined;
    throw e;
  }
}

export const API_TOKEN_PREFIX = 'hkt_';

export function newApiTokenSecret(): string {
  return API_TOKEN_PREFIX + randomBytes(24).toString('base64url');
}

export function hashApiToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function newRandomSecret(): string {
  return randomBytes(32).toString('base64url');
}

registerEnumType(Role, { name: 'Role', description: 'What a user may do (DESIGN.md, Roles).' });
