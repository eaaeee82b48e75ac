/**
 * A throw-away, migrated database for a benchmark: on DATABASE_URL's server when set
 * (needs CREATEDB), else on an embedded PostgreSQL in a temporary folder.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../server/db/embedded-postgres';
import { migrate, openOrm } from '../server/db/orm';
import { ENTITIES, MIGRATIONS } from '../server/registry';

export interface BenchDatabase {
  databaseUrl: string;
  /** The embedded PostgreSQL's postmaster (for its CPU time), undefined on DATABASE_URL's server. */
  postgresPid: number | undefined;
  /** Drops the database and stops the embedded server, if any. */
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const client = new PgClient({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(name: string, embeddedPort: number): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl: string;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `huikuan-${name}-`));
  fs.chmodSync(dir, 0o755); // the embedded server may run as its own user
  if (process.env.DATABASE_URL) {
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = '/postgres';
    serverUrl = url.toString();
  } else {
    // A page cache for a database of a million receivables (PostgreSQL's default is 128MB).
    embedded = await startEmbeddedPostgres(dir, embeddedPort, { sharedBuffers: process.env.EMBEDDED_PG_SHARED_BUFFERS ?? '1GB' });
    serverUrl = `${embedded.adminUrl}/postgres`;
  }
  const dbName = `huikuan_${name.replace(/\W/g, '_')}_${Date.now()}`;
  await onServer(serverUrl, `create database ${dbName}`);
  const dbUrl = new URL(serverUrl);
  dbUrl.pathname = `/${dbName}`;
  const databaseUrl = dbUrl.toString();
  const orm = await openOrm({ databaseUrl, entities: ENTITIES, migrations: MIGRATIONS });
  try {
    await migrate(orm);
  } finally {
    await orm.close();
  }
  return {
    databaseUrl,
    postgresPid: embedded?.pid,
    async drop() {
      try {
        await onServer(serverUrl, `drop database if exists ${dbName} with (force)`);
      } finally {
        await embedded?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
