/**
 * The users area: people and integrations, sign-in (throttled), user and API tokens and
 * their revocation, the open WebSocket sessions they hold, and the first administrator.
 * Lowest area: every other one may read users.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineArea, type RequestScope } from '../../core/module';
import { ApiToken } from './api-token.entity';
import { User } from './user.entity';
import { bootstrap } from './bootstrap';
import { createUserLoaders } from './user.loaders';
import { UserResolver } from './user.resolver';
import { AuthService, UserService } from './user.service';
import { UserErrorReason } from './user.errors';
import { SessionRegistry } from '../../core/session-registry';
import { PrincipalCache } from '../../core/principal-cache';
import { LoginThrottle } from './login-throttle';
import { Migration20261201100000_sessions } from './migrations/Migration20261201100000_sessions';
import { Migration20261222000000_user_locale } from './migrations/Migration20261222000000_user_locale';
import { userProjections } from './user.projections';
import { Migration20261222000000_api_token_scopes } from './migrations/Migration20261222000000_api_token_scopes';

declare module '../../context' {
  interface Services {
    auth: AuthService;
    users: UserService;
    /** Open WebSocket sessions of this process, closed when their token or user changes. */
    sessions: SessionRegistry;
  }
  interface Loaders extends ReturnType<typeof createUserLoaders> {}
}

export const usersArea = defineArea({
  name: 'users',
  entities: [User, ApiToken],
  resolvers: [UserResolver],
  reasons: UserErrorReason,
  projections: userProjections,
  migrations: [
    { name: 'Migration20261201100000_sessions', class: Migration20261201100000_sessions },
    { name: 'Migration20261222000000_user_locale', class: Migration20261222000000_user_locale },
    // Issue 12: API token scopes.
    { name: 'Migration20261222000000_api_token_scopes', class: Migration20261222000000_api_token_scopes },
  ],
  async setup({ orm, background, config, clock, logger, databaseUrl }) {
    const boot = await bootstrap(background, { adminEmail: config.adminEmail, adminPassword: config.adminPassword, tokenSecret: config.tokenSecret });
    const loginThrottle = new LoginThrottle(orm, {
      maxFailuresPerEmail: config.loginMaxFailuresPerEmail,
      maxFailuresPerAddress: config.loginMaxFailuresPerAddress,
      windowSeconds: config.loginThrottleWindowSeconds,
    });
    // Who a token is, for a few seconds; forgotten at once on any change to it (through the registry).
    const principals = new PrincipalCache(config.principalCacheSeconds * 1000);
    const authOf = (em: EntityManager, scopeClock = clock) =>
      new AuthService(em, scopeClock, { tokenSecret: boot.tokenSecret, tokenTtlSeconds: config.tokenTtlSeconds, sessions, loginThrottle, principals });
    // Closes sockets whose token or user changed, on every instance (NOTIFY); re-checks them after a lost connection.
    const sessions: SessionRegistry = new SessionRegistry(
      databaseUrl,
      logger,
      (authorization) => authOf(orm.em.fork()).authenticate(authorization),
      principals,
    );
    await sessions.start();
    const banner = boot.createdAdmin?.generatedPassword
      ? [`  Admin login: ${boot.createdAdmin.email} / ${boot.createdAdmin.generatedPassword}  (shown once: note it now)`]
      : boot.createdAdmin
        ? [`  Admin login: ${boot.createdAdmin.email} with ADMIN_PASSWORD`]
        : ['  Admin login: an existing ADMIN account (the first one was printed on the first start)'];
    return {
      banner,
      services: ({ em, clock: scopeClock }: RequestScope) => ({
        auth: authOf(em, scopeClock),
        users: new UserService(em, scopeClock, { sessions }),
        sessions,
      }),
      loaders: (em: EntityManager) => createUserLoaders(em),
      stop: () => sessions.stop(),
    };
  },
});
