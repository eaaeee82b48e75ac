/**
 * Users and authentication: sign-in, user tokens, API tokens for integrations, and
 * the first administrator.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { API_TOKEN_PREFIX, DUMMY_PASSWORD_HASH, hashApiToken, hashPassword, newApiTokenSecret, Principal, Role, signUserToken, verifyPassword, verifyUserToken } from '../../core/auth';
import { badInput, conflict, notFound, unauthenticated } from '../../core/errors';
import { AppDeps } from '../../context';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';
import { CreateUserInput } from './user.inputs';
import { findById } from '../../db/find';

const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MIN_PASSWORD_LENGTH = 8;
const MAX_PASSWORD_LENGTH = 200;
/** RFC 5321's longest forward path; also keeps the e-mail pattern's backtracking short. */
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;
const LAST_USED_RESOLUTION_MS = 60_000;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export class AuthService {
  constructor(
    private readonly em: EntityManager,
    private readonly deps: Pick<AppDeps, 'config' | 'tokenSecret'>,
  ) {}

  /** Resolves a bearer header to a principal; a missing, bad or expired token gives none. */
  async authenticate(authorization: string | undefined): Promise<Principal | undefined> {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match) return undefined;
    const token = match[1];
    if (token.startsWith(API_TOKEN_PREFIX)) {
      const apiToken = await this.em.findOne(ApiToken, { tokenHash: hashApiToken(token), revokedAt: null });
      if (!apiToken) return undefined;
      const user = await this.em.findOne(User, { id: apiToken.userId, active: true });
      if (!user) return undefined;
      // When an integration last called, to the minute: no write on every request.
      const now = new Date();
      if (!apiToken.lastUsedAt || now.getTime() - apiToken.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
        await this.em.nativeUpdate(ApiToken, { id: apiToken.id }, { lastUsedAt: now });
      }
      return { userId: user.id, role: user.role };
    }
    const claims = verifyUserToken(token, this.deps.tokenSecret);
    if (!claims) return undefined;
    const user = await this.em.findOne(User, { id: claims.sub, active: true });
    // The role is read fresh: a demoted or deactivated user loses access at once.
    return user ? { userId: user.id, role: user.role } : undefined;
  }

  async login(email: string, password: string): Promise<{ token: string; expiresAt: Date; user: User }> {
    const user = await this.em.findOne(User, { email: normaliseEmail(email), active: true });
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_PASSWORD_HASH);
    if (!user || !user.passwordHash || !ok) throw unauthenticated('Wrong e-mail or password');
    const { token, expiresAt } = signUserToken(
      { userId: user.id, role: user.role },
      this.deps.tokenSecret,
      this.deps.config.tokenTtlHours * 3600,
    );
    return { token, expiresAt, user };
  }
}

export class UserService {
  constructor(private readonly em: EntityManager) {}

  async get(id: string): Promise<User> {
    const user = await findById(this.em, User, id);
    if (!user) throw notFound('User', id);
    return user;
  }

  list(role?: Role | null): Promise<User[]> {
    return this.em.find(User, role ? { role } : {}, { orderBy: { role: 'asc', name: 'asc', id: 'asc' } });
  }

  async create(input: CreateUserInput): Promise<User> {
    const email = normaliseEmail(input.email);
    if (email.length > MAX_EMAIL_LENGTH) throw badInput('input.email', `email must have at most ${MAX_EMAIL_LENGTH} characters`, 'STRING_TOO_LONG');
    if (!EMAIL_PATTERN.test(email)) throw badInput('input.email', 'email is not a valid e-mail address');
    if (!input.name.trim()) throw badInput('input.name', 'name must not be empty');
    if (input.name.trim().length > MAX_NAME_LENGTH) throw badInput('input.name', `name must have at most ${MAX_NAME_LENGTH} characters`, 'STRING_TOO_LONG');
    if (input.role === Role.INTEGRATION) {
      throw badInput('input.role', 'INTEGRATION users are created with createApiToken');
    }
    if (input.password.length < MIN_PASSWORD_LENGTH) {
      throw badInput('input.password', `password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    }
    if (input.password.length > MAX_PASSWORD_LENGTH) {
      throw badInput('input.password', `password must have at most ${MAX_PASSWORD_LENGTH} characters`, 'STRING_TOO_LONG');
    }
    if (await this.em.count(User, { email })) throw conflict(`A user with e-mail ${email} exists`, 'EMAIL_TAKEN', 'input.email');
    const user = this.em.create(User, {
      email,
      name: input.name.trim(),
      role: input.role,
      passwordHash: await hashPassword(input.password),
    });
    await this.em.flush();
    return user;
  }

  /** Creates an INTEGRATION user and its token in one transaction; the secret is returned once. */
  async createApiToken(name: string, createdById: string): Promise<{ token: string; apiToken: ApiToken; user: User }> {
    const trimmed = name.trim();
    if (!trimmed || trimmed.length > 100) throw badInput('name', 'name must have 1 to 100 characters');
    const secret = newApiTokenSecret();
    return this.em.transactional(async (em) => {
      const user = em.create(User, {
        email: `${trimmed.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.${randomUUID().slice(0, 8)}@integration.invalid`,
        name: trimmed,
        role: Role.INTEGRATION,
        passwordHash: null,
      });
      const apiToken = em.create(ApiToken, { name: trimmed, userId: user.id, tokenHash: hashApiToken(secret), createdById });
      return { token: secret, apiToken, user };
    });
  }

  async revokeApiToken(id: string): Promise<boolean> {
    const token = await findById(this.em, ApiToken, id);
    if (!token) throw notFound('API token', id, 'id');
    if (token.revokedAt) return false;
    token.revokedAt = new Date();
    await this.em.flush();
    return true;
  }

  listApiTokens(): Promise<ApiToken[]> {
    return this.em.find(ApiToken, {}, { orderBy: { createdAt: 'asc', id: 'asc' } });
  }
}
