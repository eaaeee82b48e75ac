/**
 * The composition root. It lists the areas of the API in dependency order: an area may
 * import the ones above it in this list, never one below. Adding an area is one folder
 * under `modules/` and one line here. Everything else is derived: the ORM's entities
 * and migrations, the schema's resolvers and its ErrorReason enum, and, per unit of
 * work, the services, loaders and ledger-event wiring of every area.
 */
import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context, Loaders, Services } from './context';
import { CoreErrorReason } from './core/errors';
import type { DownloadRoute } from './core/download';
import { Extensions } from './core/extension-points';
import { LedgerEvents } from './core/ledger-events';
import type { AppRuntime, AreaModule, AreaRuntime, MigrationEntry, RequestScope } from './core/module';
import { AppSetting } from './db/app-setting.entity';
import { JsonProjections } from './db/json-projection';
import { BASE_MIGRATIONS } from './db/migrations';
import { type JobQueue, prepareJobQueue, startJobQueue } from './db/job-queue';
import { usersArea } from './modules/users/users.module';
import { calendarArea } from './modules/calendar/calendar.module';
import { customersArea } from './modules/customers/customers.module';
import { receivablesArea } from './modules/receivables/receivables.module';
import { paymentsArea } from './modules/payments/payments.module';
// Issue 12: bulk import, above the ledger it writes.
import { importsArea } from './modules/imports/imports.module';
import { overdueArea } from './modules/overdue/overdue.module';
import { activitiesArea } from './modules/activities/activities.module';
import { promisesArea } from './modules/promises/promises.module';
import { disputesArea } from './modules/disputes/disputes.module';
import { creditArea } from './modules/credit/credit.module';
import { worklistArea } from './modules/worklist/worklist.module';
import { webhooksArea } from './modules/webhooks/webhooks.module';
import { analyticsArea } from './modules/analytics/analytics.module';
// Issue 12: statements and downloads, above the figures they lay out.
import { exportsArea } from './modules/exports/exports.module';
import { feedbackArea } from './modules/feedback/feedback.module';
import { notificationsArea } from './modules/notifications/notifications.module';

/** The areas, lowest first. */
export const AREAS: readonly AreaModule[] = [
  usersArea,
  calendarArea,
  customersArea,
  receivablesArea,
  paymentsArea,
  importsArea,
  overdueArea,
  activitiesArea,
  promisesArea,
  disputesArea,
  creditArea,
  worklistArea,
  webhooksArea,
  analyticsArea,
  exportsArea,
  feedbackArea,
  notificationsArea,
];

export const ENTITIES = [AppSetting, ...AREAS.flatMap((area) => area.entities ?? [])];

/** Every migration, ordered by name (their names start with a timestamp). */
export const MIGRATIONS: MigrationEntry[] = [...BASE_MIGRATIONS, ...AREAS.flatMap((area) => area.migrations ?? [])].sort((a, b) =>
  a.name.localeCompare(b.name),
);

export const RESOLVERS = AREAS.flatMap((area) => area.resolvers ?? []);

/** Root fields never logged per operation (see AreaModule.unloggedRootFields). */
export const UNLOGGED_ROOT_FIELDS: ReadonlySet<string> = new Set(AREAS.flatMap((area) => area.unloggedRootFields ?? []));

/**
 * The answers PostgreSQL builds, as the areas describe them (db/json-projection.ts). A
 * compiled answer is reused under the key of what a projector may read of a request's
 * context: the caller (the whole principal) and today's date; the rest is the process's.
 */
export const PROJECTIONS = new JsonProjections<Context>((ctx) => `${JSON.stringify(ctx.principal ?? null)}\n${ctx.clock.today()}`);
for (const area of AREAS) area.projections?.(PROJECTIONS);

/** Every error reason a client can meet: the core's and each area's, one enum in the schema. */
export const ERROR_REASONS: Readonly<Record<string, string>> = Object.assign({}, CoreErrorReason, ...AREAS.map((area) => area.reasons ?? {})) as Record<
  string,
  string
>;

/** The areas as they run in this process. */
export interface Composition {
  /** Services and loaders of one unit of work, sharing its EntityManager. */
  scope(em: EntityManager): { services: Services; loaders: Loaders };
  /** A request's context: the caller (from the bearer header), its address and a fresh unit of work. */
  createContext(authorization: string | undefined, requestId?: string, clientAddress?: string): Promise<Context>;
  /** Starts the areas' background work (after the HTTP server listens). */
  start(): Promise<void>;
  /** Stops the areas' background work, highest area first. */
  stop(): Promise<void>;
  /** Start-up banner lines the areas contributed. */
  banner: string[];
  /** The files the areas hand out over GET. */
  downloads: DownloadRoute[];
}

export async function composeAreas(app: AppRuntime): Promise<Composition> {
  const running: AreaRuntime[] = [];
  const extensions = new Extensions();
  for (const area of AREAS) running.push((await area.setup?.({ ...app, extensions })) ?? {});
  const tasks = Object.assign({}, ...running.map((area) => area.tasks ?? {})) as NonNullable<AreaRuntime['tasks']>;
  const cron = running.flatMap((area) => area.cron ?? []);
  // The queue's schema exists before anything (a request, a trigger) can enqueue a job.
  if (Object.keys(tasks).length > 0) await prepareJobQueue(app.databaseUrl, app.logger);
  let jobQueue: JobQueue | undefined;

  const servicesOf = (em: EntityManager): Services => {
    const unit: RequestScope = { em, clock: app.clock, config: app.config, events: new LedgerEvents() };
    const services = {} as Services;
    for (const area of running) Object.assign(services, area.services?.(unit, services as never));
    return services;
  };
  const loadersOf = (em: EntityManager): Loaders => {
    const loaders = {} as Loaders;
    for (const area of running) Object.assign(loaders, area.loaders?.(em));
    return loaders;
  };
  const scope = (em: EntityManager) => ({ services: servicesOf(em), loaders: loadersOf(em) });

  type Caller = Pick<Context, 'requestId' | 'principal' | 'clientAddress'>;
  const contextOf = (caller: Caller, unit: { em: EntityManager; services: Services; loaders: Loaders }): Context => {
    const context: Context = {
      ...caller,
      config: app.config,
      clock: app.clock,
      em: unit.em,
      loaders: unit.loaders,
      services: unit.services,
      renew(adopted) {
        context.em = adopted?.em ?? app.orm.em.fork();
        // Once per subscription event: loaders of an adopted batch are not built again.
        context.services = servicesOf(context.em);
        context.loaders = adopted?.loaders ?? loadersOf(context.em);
      },
      fork() {
        const forked = app.orm.em.fork();
        return { em: forked, loaders: loadersOf(forked) };
      },
      sibling(adopted) {
        const em = adopted?.em ?? app.orm.em.fork();
        return contextOf(
          { requestId: context.requestId, principal: context.principal, clientAddress: context.clientAddress },
          { em, services: servicesOf(em), loaders: adopted?.loaders ?? loadersOf(em) },
        );
      },
    };
    return context;
  };

  return {
    scope,
    banner: running.flatMap((area) => area.banner ?? []),
    downloads: running.flatMap((area) => area.downloads ?? []),
    async createContext(authorization, requestId = randomUUID(), clientAddress) {
      const em = app.orm.em.fork();
      const unit = scope(em);
      const principal = await unit.services.auth.authenticate(authorization);
      return contextOf({ requestId, principal, clientAddress }, { em, ...unit });
    },
    async start() {
      for (const area of running) await area.start?.();
      if (Object.keys(tasks).length > 0) {
        jobQueue = await startJobQueue({ databaseUrl: app.databaseUrl, logger: app.logger, concurrency: app.config.deliveryConcurrency, tasks, cron });
      }
    },
    async stop() {
      // Running jobs finish first (they use the areas' services and pools).
      await jobQueue?.stop();
      for (const area of [...running].reverse()) await area.stop?.();
    },
  };
}
