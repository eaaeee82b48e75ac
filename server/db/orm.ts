/**
 * MikroORM on PostgreSQL: configuration, start-up (with migrations), readiness and a
 * statement counter. The entities and migrations come from the caller (the composition root
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
  poolMax?: number;
  /** How long a caller waits for a pooled connection before it fails (knex's acquireTimeoutMillis). */
  acquireTimeoutMs?: number;
  /** PostgreSQL statement_timeout of every connection of this pool; unset: unbounded. */
  statementTimeoutMs?: number;
  /** Called for every SQL statement the ORM sends. */
  onStatement?: (sql: string) => void;
}

export function ormConfig(options: OrmOptions): Options {
  return {
    clientUrl: options.databaseUrl,
    entities: [...options.entities],
    discovery: { disableDynamicFileAccess: true, requireEntitiesArray: true },
    extensions: [Migrator],
    migrations: { migrationsList: [...options.migrations], transactional: true, allOrNothing: true, snapshot: false, silent: true },
    pool: { min: 0, max: options.poolMax ?? 10, ...(options.acquireTimeoutMs ? { acquireTimeoutMillis: options.acquireTimeoutMs } : {}) },
    // node-postgres sends statement_timeout as a start-up parameter of each new connection.
    ...(options.statementTimeoutMs ? { driverOptions: { connection: { statement_timeout: options.statementTimeoutMs } } } : {}),
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: options.logSql ?? false,
    ensureDatabase: false,
  };
}

export async function openOrm(options: OrmOptions): Promise<MikroORM> {
  const orm = await MikroORM.init(ormConfig(options));
  if (options.onStatement) {
    const onStatement = options.onStatement;
    orm.em
      .getConnection()
      .getKnex()
      .on('query', (q: { sql: string }) => onStatement(q.sql));
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
