/**
 * A database of one test file, cloned from the migrated template that jest's global setup
 * built (test/helpers/global-setup.ts hands over the server URL and the template's name).
 * Cloning takes a fraction of a second; migrating afresh would take seconds per file.
 */
import { randomUUID } from 'node:crypto';
import { Client as PgClient } from 'pg';

export interface TestDatabase {
  /** postgres:// URL of the clone. */
  url: string;
  /** Drops the clone, closing whatever connections are still open on it. */
  drop(): Promise<void>;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through jest (test/helpers/global-setup.ts)`);
  return value;
}

async function onServer(serverUrl: string, sql: string): Promise<void> {
  const admin = new PgClient({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** A fresh database named `<prefix>_<random>` with everything the template holds. */
export async function cloneTemplateDatabase(prefix: string): Promise<TestDatabase> {
  const serverUrl = requireEnv('HUIKUAN_TEST_SERVER_URL');
  const template = requireEnv('HUIKUAN_TEST_TEMPLATE_DB');
  const name = `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  await onServer(serverUrl, `create database ${name} template ${template}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => onServer(serverUrl, `drop database if exists ${name} with (force)`),
  };
}
