/**
 * The contract between an area of the API (`server/modules/<area>/<area>.module.ts`) and
 * the composition root (`server/registry.ts`). An area describes itself once: its
 * entities, migrations, resolvers, error reasons, and a `setup` that the root calls with
 * the process's shared parts; what `setup` returns builds the area's per-request
 * services and loaders and runs its background work. Nothing here knows any area.
 */
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { Constructor } from '@mikro-orm/core';
import type { Migration } from '@mikro-orm/migrations';
import type { Logger } from 'pino';
import type { Config } from '../config';
import type { Context } from '../context';
import type { JsonProjections } from '../db/json-projection';
import type { Clock } from './clock';
import type { Extensions } from './extension-points';
import type { LedgerEvents } from './ledger-events';
import type { Metrics } from './prometheus';
import type { TaskList } from '../db/job-queue';
import type { DownloadRoute } from './download';

export interface MigrationEntry {
  /** The class name; it is recorded in the migrations table, so it never changes. */
  name: string;
  class: Constructor<Migration>;
}

/** The process's shared parts, the same for every request. */
export interface AppRuntime {
  config: Config;
  /** The requests' pool: statement_timeout and a bounded wait for a connection. */
  orm: MikroORM;
  /** A small pool without those bounds, for start-up work, scheduled jobs and listeners. */
  background: MikroORM;
  /**
   * The job queue's work (deliveries, notifications), with the requests' statement_timeout;
   * its statements are counted apart (`huikuan_job_db_statements_total`), so what a request
   * costs is not blurred by jobs running beside it.
   */
  jobs: MikroORM;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  /** The database the process talks to (LISTEN connections need their own client). */
  databaseUrl: string;
}

/** What an area's `setup` receives: the process's shared parts and the composition's extension points. */
export interface AreaSetupRuntime extends AppRuntime {
  /** Where higher areas plug work into lower ones (core/extension-points.ts). */
  extensions: Extensions;
}

/** One unit of work: a request, a subscription batch, a scheduled job. */
export interface RequestScope {
  em: EntityManager;
  clock: Clock;
  config: Config;
  /** Ledger changes announced by lower areas, heard by higher ones (wired per scope). */
  events: LedgerEvents;
}

/**
 * What an area is while the process runs. `services` receives the services the areas
 * below it have built for the same scope (`lower`), typed by the area itself.
 */
export interface AreaRuntime<TServices = object, TLoaders = object> {
  services?(scope: RequestScope, lower: never): TServices;
  loaders?(em: EntityManager): TLoaders;
  /** Background work (schedulers, listeners), started after the HTTP server listens. */
  start?(): Promise<void> | void;
  /** Stops what `start` (or `setup`) began; called in reverse registry order. */
  stop?(): Promise<void> | void;
  /** Lines for the start-up banner (e.g. the first admin's password). */
  banner?: string[];
  /** Jobs of the process's job queue (db/job-queue.ts) this area runs, by task name. */
  tasks?: TaskList;
  /** The area's scheduled jobs, as graphile-worker crontab lines. */
  cron?: readonly string[];
  /** Files the area hands out over GET, with the bearer token of /graphql (core/download.ts). */
  downloads?: readonly DownloadRoute[];
}

export interface AreaModule {
  /** Short name, used in logs and the dependency diagram. */
  name: string;
  entities?: readonly (abstract new (...args: never[]) => object)[];
  migrations?: readonly MigrationEntry[];
  // type-graphql takes resolver classes as plain functions.
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  resolvers?: readonly Function[];
  /**
   * Root fields whose operations the per-operation log leaves out entirely (no user, no
   * request id, no time): a line would pair the signed-in caller with what the operation
   * must keep anonymous. Metrics still count them.
   */
  unloggedRootFields?: readonly string[];
  /**
   * Registers the area's answers built by PostgreSQL (db/json-projection.ts): per type and
   * field, the SQL of what its resolver answers.
   */
  projections?(projections: JsonProjections<Context>): void;
  /** The area's error reasons (a string enum object); the root merges them into the schema's ErrorReason. */
  reasons?: Readonly<Record<string, string>>;
  /** Called once per process, in registry order, after migrations. */
  setup?(app: AreaSetupRuntime): AreaRuntime<object, object> | Promise<AreaRuntime<object, object>>;
}

/** Identity helper that keeps an area's description typed where it is written. */
export function defineArea(area: AreaModule): AreaModule {
  return area;
}
