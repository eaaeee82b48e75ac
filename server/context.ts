/**
 * The request context: who is calling, a forked EntityManager of its own, fresh
 * DataLoaders and the services. Types only: the composition root (`server/registry.ts`)
 * builds it, and each area adds its services and loaders to `Services` and `Loaders`
 * from its own `<area>.module.ts` (TypeScript declaration merging), so this file names
 * no area.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Config } from './config';
import type { Clock } from './core/clock';
import type { Principal } from './core/auth';

/** The services of one unit of work, one entry per area service (declared by the areas). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Services {}

/** The DataLoaders of one unit of work (declared by the areas). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Loaders {}

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
  /**
   * Starts a fresh unit of work (EntityManager, loaders, services) for the same caller,
   * or adopts one prepared for a batch of subscription events: no cached row outlives
   * its batch.
   */
  renew(scope?: { em: EntityManager; loaders: Loaders }): void;
  /** A separate unit of work (EntityManager and loaders) for the same caller, e.g. one batch of events. */
  fork(): { em: EntityManager; loaders: Loaders };
  /**
   * Another context for the same caller (principal, request id, address) on a unit of
   * work of its own, or on the given one: e.g. to answer a batch of events once for all
   * subscribers who see the same, without touching any one subscriber's context.
   */
  sibling(scope?: { em: EntityManager; loaders: Loaders }): Context;
}
