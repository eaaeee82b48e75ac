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

/**
 * Creates the bench's database. A failure, Ctrl-C or SIGTERM while it is made (starting the
 * embedded server, creating and migrating the database: seconds) removes what was made so far,
 * the folder included; a signal then ends the process (130) once the step at hand is done.
 * From then on the bench's own clean-up (cleanUpOnce) calls `drop`.
 */
export async function createBenchDatabase(name: string, embeddedPort: number): Promise<BenchDatabase> {
  let embedded: EmbeddedDatabase | undefined;
  let serverUrl: string | undefined;
  let dbName: string | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `huikuan-${name}-`));
  const drop = async () => {
    try {
      if (serverUrl && dbName) await onServer(serverUrl, `drop database if exists ${dbName} with (force)`);
    } finally {
      await embedded?.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.error('stopping: removing the bench database once the step at hand is done');
  };
  const goOn = () => {
    if (interrupted) throw new Error('interrupted');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    fs.chmodSync(dir, 0o755); // the embedded server may run as its own user
    if (process.env.DATABASE_URL) {
      const url = new URL(process.env.DATABASE_URL);
      url.pathname = '/postgres';
      serverUrl = url.toString();
    } else {
      // A page cache for a database of a million receivables (PostgreSQL's default is 128MB).
      embedded = await startEmbeddedPostgres(dir, embeddedPort, { sharedBuffers: process.env.EMBEDDED_PG_SHARED_BUFFERS ?? '1GB' });
      serverUrl = `${embedded.adminUrl}/postgres`;
      goOn();
    }
    dbName = `huikuan_${name.replace(/\W/g, '_')}_${Date.now()}`;
    await onServer(serverUrl, `create database ${dbName}`);
    goOn();
    const dbUrl = new URL(serverUrl);
    dbUrl.pathname = `/${dbName}`;
    const databaseUrl = dbUrl.toString();
    const orm = await openOrm({ databaseUrl, entities: ENTITIES, migrations: MIGRATIONS });
    try {
      await migrate(orm);
    } finally {
      await orm.close();
    }
    goOn();
    return { databaseUrl, postgresPid: embedded?.pid, drop };
  } catch (error) {
    await drop().catch((dropError: unknown) => console.error('could not remove the bench database:', dropError));
    if (interrupted) process.exit(130);
    throw error;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
