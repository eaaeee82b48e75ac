/**
 * Users and authentication: sign-in (throttled, with a transparent rehash of passwords
 * stored with weaker parameters), user tokens and their revocation (logout, sign out
 * everywhere), API tokens for integrations, and user administration. Every change that
 * ends sessions is announced to all instances in its own transaction.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  API_TOKEN_PREFIX,
  DUMMY_PASSWORD_HASH,
  hashApiToken,
  hashPassword,
  needsRehash,
  newApiTokenSecret,
  Principal,
  Role,
  signUserToken,
  verifyPassword,
  verifyUserToken,
  type ApiTokenScope,
} from '../../core/auth';
import { ApiErrorCode, badInput, conflict, CoreErrorReason, DomainError, notFound, unauthenticated } from '../../core/errors';
import type { Clock } from '../../core/clock';
import { MAX_PASSWORD_LENGTH, passwordProblem } from '../../core/password-policy';
import { PRINCIPAL_CHANNEL, type PrincipalChange, type SessionRegistry } from '../../core/session-registry';
import { PrincipalCache } from '../../core/principal-cache';
import { ApiToken } from './api-token.entity';
import type { LoginThrottle } from './login-throttle';
import { User } from './user.entity';
import type { Locale } from './user.locale';
import { CreateUserInput, UpdateUserInput } from './user.types';
import { findById } from '../../db/find';
import { isUuid } from '../../db/sql';
import { FORGET_EXPIRED_REVOCATIONS, LOCK_ACTIVE_ADMINS, NOTIFY_PRINCIPAL_CHANGE, REVOKE_TOKEN, SIGN_OUT_EVERYWHERE, TOKEN_STANDING } from './user.queries';
import { onUniqueViolation } from '../../db/unique';
import { UserErrorReason } from './user.errors';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** RFC 5321's longest forward path; also keeps the e-mail pattern's backtracking short. */
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;
const LAST_USED_RESOLUTION_MS = 60_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Ends this instance's affected sessions at once; the NOTIFY reaches the others (and this one again, harmlessly). */

const userTokenRequired = () =>
  new DomainError(
    ApiErrorCode.FORBIDDEN,
    'Only a user token can be signed out; API tokens are revoked with revokeApiToken',
    UserErrorReason.USER_TOKEN_REQUIRED,
  );

/** Announces a change when the caller's transaction commits (NOTIFY is transactional); every instance closes the sessions it ends. */
async function announcePrincipalChange(em: EntityManager, change: PrincipalChange): Promise<void> {
  await NOTIFY_PRINCIPAL_CHANGE.run(em, { channel: PRINCIPAL_CHANNEL, payload: JSON.stringify(change) });
}

function checkPassword(password: string, userInputs: string[]): void {
  const problem = passwordProblem(password, userInputs);
  if (problem) throw badInput('input.password', problem.message, problem.reason);
}

export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly deps: {
      tokenSecret: string;
      tokenTtlSeconds: number;
      sessions?: SessionRegistry;
      loginThrottle?: LoginThrottle;
      /** Principals of tokens seen in the last few seconds (PRINCIPAL_CACHE_SECONDS). */
      principals?: PrincipalCache;
    },
  ) {}

  /**
   * Resolves a bearer header to a principal; a missing, bad, revoked or expired token gives
   * none. A token seen within PRINCIPAL_CACHE_SECONDS is answered from the principal cache,
   * which every change to tokens and users empties for whom it concerns (principal-cache.ts).
   */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) return undefined;
    const token = match[1];
    const cache = this.deps.principals?.active ? this.deps.principals : undefined;
    const key = cache && PrincipalCache.keyOf(token);
    const cached = key && cache.get(key);
    if (cached) return cached;
    const mark = cache?.mark();
    const principal = await this.authenticateToken(token);
    if (principal && key) cache.remember(key, Object.freeze(principal), mark!);
    return principal;
  }

  private async authenticateToken(token: string): Promise<Principal | undefined> {
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const apiToken = await this.em.findOne(ApiToken, { tokenHash: hashApiToken(token), revokedAt: null });
      if (!apiToken) return undefined;
      const user = await this.em.findOne(User, { id: apiToken.userId, active: true });
      if (!user) return undefined;
      // When an integration last called, to the minute: no write on every request.
      const now = this.clock.now();
      if (!apiToken.lastUsedAt || now.getTime() - apiToken.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await this.em.nativeUpdate(ApiToken, { id: apiToken.id }, { lastUsedAt: now });
      }
      return { userId: user.id, role: user.role, credential: { kind: 'API_TOKEN', apiTokenId: apiToken.id }, scopes: [...apiToken.scopes] };
    }
    // Token lifetimes run on real time: CLOCK_DATE shifts business dates (demos, tests), not
    // how long a credential is valid, so instances with different CLOCK_DATEs accept each other's tokens.
    const claims = await verifyUserToken(token, this.deps.tokenSecret);
    if (!claims || !isUuid(claims.sub) || !isUuid(claims.jti)) return undefined;
    // One statement: the user (active, role read fresh), sign-out-everywhere and this token's revocation.
    const row = await TOKEN_STANDING.maybeOne(this.em, { userId: claims.sub, jti: claims.jti });
    if (!row || row.revoked) return undefined;
    if (row.validAfterSeconds !== null && claims.iat < row.validAfterSeconds) return undefined;
    return {
      userId: claims.sub,
      role: row.role,
      credential: { kind: 'USER_TOKEN', jti: claims.jti, issuedAt: claims.iat, expiresAt: new Date(claims.exp * 1000) },
    };
  }

  async login(email: string, password: string, clientAddress?: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const normalised = normaliseEmail(email);
    // Counted before the password is checked: parallel guesses cannot outrun the count.
    await this.deps.loginThrottle?.attempt(normalised, clientAddress);
    const user = await this.em.findOne(User, { email: normalised, active: true });
    // Over-long input is no password (none can be set) but still costs one full hash, like any other miss.
    const candidate = password.length > MAX_PASSWORD_LENGTH * 2 ? '' : password;
    const ok = await verifyPassword(candidate, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !user.passwordHash || !ok) throw unauthenticated('Wrong e-mail or password');
    await this.deps.loginThrottle?.succeeded(normalised, clientAddress);
    if (needsRehash(user.passwordHash)) {
      // Only if nobody changed the password meanwhile.
      await this.em.nativeUpdate(User, { id: user.id, passwordHash: user.passwordHash }, { passwordHash: await hashPassword(password) });
    }
    const { token, expiresAt } = await signUserToken({ userId: user.id, role: user.role }, this.deps.tokenSecret, this.deps.tokenTtlSeconds, {
      notBeforeIssuedAt: user.tokensValidAfter ? Math.floor(user.tokensValidAfter.getTime() / 1000) : undefined,
    });
    return { token, expiresAt, user };
  }

  /** Revokes the caller's current user token (everywhere, at once). */
  async logout(principal: Principal): Promise<boolean> {
    const credential = principal.credential;
    if (credential?.kind !== 'USER_TOKEN') throw userTokenRequired();
    const change: PrincipalChange = { type: 'TOKEN_REVOKED', jti: credential.jti };
    await this.em.transactional(async (em) => {
      await REVOKE_TOKEN.run(em, { jti: credential.jti, userId: principal.userId, expiresAt: credential.expiresAt });
      await FORGET_EXPIRED_REVOCATIONS.run(em);
      await announcePrincipalChange(em, change);
    });
    this.deps.sessions?.apply(change);
    return true;
  }

  /** Revokes every user token of the caller issued up to now, on every device. */
  async signOutEverywhere(principal: Principal): Promise<boolean> {
    if (principal.credential?.kind !== 'USER_TOKEN') throw userTokenRequired();
    // Tokens carry whole seconds: everything issued up to the end of this second is void,
    // and a sign-in later in this second gets the next second as its `iat` (see login).
    const validAfter = Math.floor(Date.now() / 1000) + 1;
    const change: PrincipalChange = { type: 'SIGNED_OUT_EVERYWHERE', userId: principal.userId, validAfter };
    await this.em.transactional(async (em) => {
      await SIGN_OUT_EVERYWHERE.run(em, { userId: principal.userId, validAfterSeconds: validAfter });
      await announcePrincipalChange(em, change);
    });
    this.deps.sessions?.apply(change);
    return true;
  }
}

export class UserService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly deps: { sessions?: SessionRegistry } = {},
  ) {}

  async get(id: string): Promise<User> {
    const user = await findById(this.em, User, id);
    if (!user) throw notFound('User', id);
    return user;
  }

  /** The user's language, `User.locale` (one column: every area reads it from there). */
  async setLocale(userId: string, locale: Locale): Promise<User> {
    const user = await this.get(userId);
    user.locale = locale;
    await this.em.flush();
    return user;
  }

  list(role?: Role | null): Promise<User[]> {
    return this.em.find(User, role ? { role } : {}, { orderBy: { role: 'asc', name: 'asc', id: 'asc' } });
  }

  async create(input: CreateUserInput): Promise<User> {
    const email = normaliseEmail(input.email);
    if (email.length > MAX_EMAIL_LENGTH) throw badInput('input.email', `email must have at most ${MAX_EMAIL_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
    if (!EMAIL_PATTERN.test(email)) throw badInput('input.email', 'email is not a valid e-mail address', CoreErrorReason.INVALID_FORMAT);
    const trimmedName = input.name.trim();
    if (!trimmedName || trimmedName.length > MAX_NAME_LENGTH)
      throw badInput('input.name', `name must have 1 to ${MAX_NAME_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
    if (input.role === Role.INTEGRATION) {
      throw badInput('input.role', 'INTEGRATION users are created with createApiToken', UserErrorReason.ROLE_NOT_ASSIGNABLE);
    }
    checkPassword(input.password, [email, input.name]);
    const taken = () => conflict(`A user with e-mail ${email} exists`, UserErrorReason.EMAIL_TAKEN, 'input.email');
    if (await this.em.count(User, { email })) throw taken();
    const user = this.em.create(User, {
      email,
      name: input.name.trim(),
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    // Two concurrent calls with one e-mail both pass the count: the unique index decides.
    await onUniqueViolation(
      () => this.em.flush(),
      () => {
        throw taken();
      },
    );
    return user;
  }

  /**
   * Renames, changes the role of, deactivates or reactivates a user. A role change or
   * deactivation takes effect at once: the next request reads it, and open subscriptions
   * of the user on every instance are closed.
   */
  async update(id: string, input: UpdateUserInput): Promise<User> {
    const name = input.name?.trim();
    if (input.name !== undefined && input.name !== null && (!name || name.length > MAX_NAME_LENGTH)) {
      throw badInput('input.name', `name must have 1 to ${MAX_NAME_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
    }
    if (input.role === Role.INTEGRATION) throw badInput('input.role', 'INTEGRATION users are created with createApiToken', UserErrorReason.ROLE_NOT_ASSIGNABLE);
    const { user, change } = await this.em.transactional(async (em) => {
      await LOCK_ACTIVE_ADMINS.all(em);
      const user = await findById(em, User, id);
      if (!user) throw notFound('User', id, 'id');
      const role = input.role ?? user.role;
      const active = input.active ?? user.active;
      if (user.role === Role.INTEGRATION && role !== Role.INTEGRATION) {
        throw badInput('input.role', 'an INTEGRATION user keeps its role; create a user for a person', UserErrorReason.ROLE_NOT_ASSIGNABLE);
      }
      const losesAdmin = user.role === Role.ADMIN && user.active && (role !== Role.ADMIN || !active);
      if (losesAdmin && (await em.count(User, { role: Role.ADMIN, active: true, id: { $ne: user.id } })) === 0) {
        throw conflict(
          'The last active ADMIN cannot be deactivated or given another role',
          UserErrorReason.LAST_ADMIN,
          input.active === false ? 'input.active' : 'input.role',
        );
      }
      let change: PrincipalChange | undefined;
      if (user.active && !active) change = { type: 'USER_DEACTIVATED', userId: user.id };
      else if (active && role !== user.role) change = { type: 'ROLE_CHANGED', userId: user.id, role };
      if (name) user.name = name;
      user.role = role;
      user.active = active;
      await em.flush();
      if (change) await announcePrincipalChange(em, change);
      return { user, change };
    });
    if (change) this.deps.sessions?.apply(change);
    return user;
  }

  /** Creates an INTEGRATION user and its token in one transaction; the secret is returned once. */
  async createApiToken(name: string, createdById: string, scopes: readonly ApiTokenScope[] = []): Promise<{ token: string; apiToken: ApiToken; user: User }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name', 'name must have 1 to 100 characters', CoreErrorReason.TEXT_LENGTH);
    const secret = newApiTokenSecret();
    return this.em.transactional(async (em) => {
      const user = em.create(User, {
        email: `${trimmed.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${randomUUID().slice(0, 8)}@integration.invalid`,
        name: trimmed,
        role: Role.INTEGRATION,
        passwordHash: null,
      });
      const apiToken = em.create(ApiToken, { name: trimmed, userId: user.id, tokenHash: hashApiToken(secret), createdById, scopes: [...new Set(scopes)] });
      return { token: secret, apiToken, user };
    });
  }

  /** Revokes an API token; its open subscriptions on every instance are closed. */
  async revokeApiToken(id: string): Promise<boolean> {
    const change: PrincipalChange = { type: 'API_TOKEN_REVOKED', apiTokenId: id };
    const revoked = await this.em.transactional(async (em) => {
      const token = await findById(em, ApiToken, id);
      if (!token) throw notFound('API token', id, 'id');
      if (token.revokedAt) return false;
      token.revokedAt = this.clock.now();
      await em.flush();
      await announcePrincipalChange(em, change);
      return true;
    });
    if (revoked) this.deps.sessions?.apply(change);
    return revoked;
  }

  listApiTokens(): Promise<ApiToken[]> {
    return this.em.find(ApiToken, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
