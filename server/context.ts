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

export interface Context {
  requestId: string;
  config: Config;
  clock: Clock;
  em: EntityManager;
  /** Undefined for anonymous callers (only `login` works for them). */
  principal?: Principal;
  loaders: Loaders;
  services: Services;
}

export interface AppDeps {
  config: Config;
  orm: MikroORM;
  clock: Clock;
  tokenSecret: string;
}

export async function createContext(deps: AppDeps, authorization: string | undefined, requestId: string = randomUUID()): Promise<Context> {
  const em = deps.orm.em.fork();
  const services = createServices(em, deps);
  const principal = await services.auth.authenticate(authorization);
  const loaders = createLoaders(em, deps.clock);
  return { requestId, config: deps.config, clock: deps.clock, em, principal, loaders, services };
}
