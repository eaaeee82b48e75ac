/**
 * MikroORM on PostgreSQL: configuration, start-up (with migrations), readiness and
 * counters of statements and of round trips. The entities and migrations come from the caller (the composition root
 * collects them from the areas), listed as classes, so the same code runs from
 * TypeScript (tests) and from compiled output (npm start).
 */
import { MikroORM, Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import type { MigrationEntry } from '../core/module';
import { defineQuery, type NoParams } from './sql';

export interface OrmOptions {
  databaseUrl: string;
  entities: readonly (abstract new (...args: never[]) => object)[];
  /** Every migration, in the order they run. */
  migrations: readonly MigrationEntry[];
  logSql?: boolean;
  /** The pool's connections' `application_name` (pg_stat_activity tells the pools apart by it). */
  name?: string;
  poolMax?: number;
  /**
   * How long a connection may sit idle before the pool closes it (default 30 s). A new
   * connection is a new PostgreSQL backend, which starts with cold caches.
   */
  idleTimeoutMs?: number;
  /** How long a caller waits for a pooled connection before it fails (knex's acquireTimeoutMillis). */
  acquireTimeoutMs?: number;
  /** PostgreSQL statement_timeout of every connection of this pool; unset: unbounded. */
  statementTimeoutMs?: number;
  /** Called for every SQL statement the ORM sends. */
  onStatement?: (sql: string) => void;
  /**
   * Called when a statement goes out while no other statement of this pool is in flight:
   * statements sent together (a request's loaders in one tick) count as one round trip,
   * statements sent one after another's answer as one each.
   */
  onRoundTrip?: () => void;
}

export function ormConfig(options: OrmOptions): Options {
  return {
    clientUrl: options.databaseUrl,
    entities: [...options.entities],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: { migrationsList: [...options.migrations], transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: {
      min: 0,
      max: options.poolMax ?? 10,
      ...(options.acquireTimeoutMs ? { acquireTimeoutMillis: options.acquireTimeoutMs } : {}),
      ...(options.idleTimeoutMs ? { idleTimeoutMillis: options.idleTimeoutMs } : {}),
    },
    // node-postgres sends both as start-up parameters of each new connection.
    driverOptions: {
      connection: {
        ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
        ...(options.name ? { application_name: options.name } : {}),
      },
    },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.logSql ?? false,
    ensureDatabase: false,
  };
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  const knex = orm.em.getConnection().getKnex();
  const { onStatement, onRoundTrip } = options;
  if (onStatement) knex.on('query', (q: { sql: string }) => onStatement(q.sql));
  if (onRoundTrip) {
    // Statements the ORM runs carry a query id on the way out and back. Transaction
    // control (BEGIN, COMMIT) goes out without one and reports no answer: it counts as a
    // round trip when nothing else is in flight, and is never waited for.
    const inFlight = new Set<string>();
    knex.on('query', (q: { __knexQueryUid?: string }) => {
      if (inFlight.size === 0) onRoundTrip();
      if (q.__knexQueryUid) inFlight.add(q.__knexQueryUid);
    });
    const answered = (q: { __knexQueryUid?: string } | undefined) => {
      if (q?.__knexQueryUid) inFlight.delete(q.__knexQueryUid);
    };
    knex.on('query-response', (_response: unknown, q: { __knexQueryUid?: string }) => answered(q));
    knex.on('query-error', (_error: unknown, q: { __knexQueryUid?: string }) => answered(q));
  }
  return orm;
}

export async function migrate(orm: MikroORM): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

const PING = defineQuery<NoParams, true>({ text: 'select 1', decode: () => true });

/** Answers when the database does; rejects when it is unreachable. */
export async function pingDatabase(orm: MikroORM): Promise<void> {
  await PING.one(orm.em.fork());
}

export async function pendingMigrations(orm: MikroORM): Promise<string[]> {
  return (await orm.getMigrator().getPendingMigrations()).map((m) => m.name);
}
