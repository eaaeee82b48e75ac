/**
 * The users area: people and integrations, sign-in, API tokens and the first
 * administrator. Lowest area: every other one may read users.
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

declare module '../../context' {
  interface Services {
    auth: AuthService;
    users: UserService;
  }
  interface Loaders extends ReturnType<typeof createUserLoaders> {}
}

export const usersArea = defineArea({
  name: 'users',
  entities: [User, ApiToken],
  resolvers: [UserResolver],
  reasons: UserErrorReason,
  async setup({ orm, config }) {
    const boot = await bootstrap(orm, { adminEmail: config.adminEmail, adminPassword: config.adminPassword, tokenSecret: config.tokenSecret });
    const banner = boot.createdAdmin?.generatedPassword
      ? [`  Admin login: ${boot.createdAdmin.email} / ${boot.createdAdmin.generatedPassword}  (shown once: note it now)`]
      : boot.createdAdmin
        ? [`  Admin login: ${boot.createdAdmin.email} with ADMIN_PASSWORD`]
        : ['  Admin login: an existing ADMIN account (the first one was printed on the first start)'];
    return {
      banner,
      services: ({ em, clock }: RequestScope) => ({
        auth: new AuthService(em, clock, { tokenSecret: boot.tokenSecret, tokenTtlHours: config.tokenTtlHours }),
        users: new UserService(em, clock),
      }),
      loaders: (em: EntityManager) => createUserLoaders(em),
    };
  },
});
