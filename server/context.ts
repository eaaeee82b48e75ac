/**
 * The request context: who is calling, a forked EntityManager of its own, fresh
 * DataLoaders and the services. Built once per HTTP operation and once per
 * subscription; nothing in it is shared between requests.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { Config } from './config';
import { Clock } from './core/clock';
import { Principal } from './core/auth';
import { createLoaders, Loaders } from './loaders';
import { createServices, Services } from './services';
import type { OverdueEventHub } from './modules/overdue/overdue.hub';
import type { SessionRegistry } from './core/session-registry';
import type { LoginThrottle } from './modules/users/login-throttle';

export interface Context {
  requestId: string;
  config: Config;
  clock: Clock;
  em: EntityManager;
  /** Undefined for anonymous callers (only `login` works for them). */
  principal?: Principal;
  /** The client's IP address (behind TRUST_PROXY proxies: the forwarded one), for the login throttle. */
  clientAddress?: string;
  loaders: Loaders;
  services: Services;
  hub: OverdueEventHub;
  /**
   * Starts a fresh unit of work (EntityManager, loaders, services) for the same caller,
   * or adopts one prepared for a batch of subscription events: no cached row outlives
   * its batch.
   */
  renew(scope?: { em: EntityManager; loaders: Loaders }): void;
}

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  clock: Clock;
  tokenSecret: string;
  hub: OverdueEventHub;
  /** Open WebSocket sessions; closes them when their principal changes. */
  sessions: SessionRegistry;
  loginThrottle: LoginThrottle;
}

export async function createContext(
  deps: AppDeps,
  authorization: string | undefined,
  requestId: string = randomUUID(),
  clientAddress?: string,
): Promise<Context> {
  const em = deps.orm.em.fork();
  const services = createServices(em, deps);
  const principal = await services.auth.authenticate(authorization);
  const context: Context = {
    requestId,
    config: deps.config,
    clock: deps.clock,
    em,
    principal,
    clientAddress,
    loaders: createLoaders(em),
    services,
    hub: deps.hub,
    renew(scope) {
      context.em = scope?.em ?? deps.orm.em.fork();
      context.loaders = scope?.loaders ?? createLoaders(context.em);
      context.services = createServices(context.em, deps);
    },
  };
  return context;
}
