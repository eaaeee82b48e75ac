/**
 * Authentication primitives: roles, slow password hashing (scrypt), signed expiring
 * user tokens (HMAC-SHA256) and API token secrets (stored as SHA-256 only). Who may do
 * what is the access policy's (access.ts).
 */
import { createHash, createHmac, randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
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

/** Who is calling; resolved once per request or WebSocket connection. */
export interface Principal {
  userId: string;
  role: Role;
}

// N=2^15, r=8: ~50 ms per hash on this machine; memory 32 MiB.
const SCRYPT_PARAMS = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };
const KEY_LENGTH = 32;

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, KEY_LENGTH, SCRYPT_PARAMS);
  return `scrypt$${SCRYPT_PARAMS.N}$${SCRYPT_PARAMS.r}$${SCRYPT_PARAMS.p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, saltB64, keyB64] = stored.split('$');
  if (scheme !== 'scrypt' || !keyB64) return false;
  const expected = Buffer.from(keyB64, 'base64');
  const key = await scrypt(password, Buffer.from(saltB64, 'base64'), expected.length, {
    N: Number(n),
    r: Number(r),
    p: Number(p),
    maxmem: SCRYPT_PARAMS.maxmem,
  });
  return timingSafeEqual(key, expected);
}

/** A hash to spend the same time on unknown e-mails as on known ones. */
export const DUMMY_PASSWORD_HASH =
  'scrypt$32768$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

interface TokenClaims {
  sub: string;
  role: Role;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const b64url = (data: Buffer | string) => Buffer.from(data).toString('base64url');

export function signUserToken(principal: Principal, secret: string, ttlSeconds: number, now = Date.now()): { token: string; expiresAt: Date } {
  const exp = Math.floor(now / 1000) + ttlSeconds;
  const claims: TokenClaims = { sub: principal.userId, role: principal.role, exp };
  const body = b64url(JSON.stringify(claims));
  const signature = b64url(createHmac('sha256', secret).update(body).digest());
  return { token: `hku.${body}.${signature}`, expiresAt: new Date(exp * 1000) };
}

/** Returns the claims of a valid, unexpired user token, otherwise undefined. */
export function verifyUserToken(token: string, secret: string, now = Date.now()): TokenClaims | undefined {
  const [prefix, body, signature] = token.split('.');
  if (prefix !== 'hku' || !body || !signature) return undefined;
  const expected = createHmac('sha256', secret).update(body).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as TokenClaims;
    if (typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
    return claims;
  } catch {
    return undefined;
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
