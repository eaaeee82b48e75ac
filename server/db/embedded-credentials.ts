/**
 * Who may connect to the embedded PostgreSQL. A fixed superuser password once let any
 * local process read the token secret (and forge tokens), so now:
 * - the superuser `postgres` gets a random password, used only to set the cluster up
 *   (and by the tests and benchmarks to make throw-away databases);
 * - the server connects as `huikuan_app`, an ordinary role (no superuser, no CREATEROLE,
 *   no CREATEDB) that owns the `huikuan` database and everything in it, so its own
 *   migrations run with it too;
 * - both passwords live in DATA_DIR/postgres-credentials.json, readable and writable
 *   by the server's OS user only (0600). When the server runs as root, PostgreSQL runs as
 *   the OS user `postgres`, which cannot read the file and does not need to.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';

export const SUPERUSER = 'postgres';
export const APP_ROLE = 'huikuan_app';
/** What every data folder made before generated passwords has as the superuser's password. */
export const LEGACY_SUPERUSER_PASSWORD = 'huikuan-embedded';

interface Login {
  user: string;
  password: string;
}

export interface Credentials {
  superuser: Login;
  app: Login;
  /**
   * Passwords the superuser may still have in the cluster, tried after
   * `superuser.password` and dropped once that one is in force: the throw-away one
   * initdb got, or the fixed legacy one. The new password is written here before the
   * cluster changes, so a crash in between never locks the server out.
   */
  previousSuperuserPasswords?: string[];
}

const CREDENTIALS_FILE = 'postgres-credentials.json';

export function credentialsFile(dataDir: string): string {
  return path.join(dataDir, CREDENTIALS_FILE);
}

/** URL-safe, so it can stand in a connection URL as it is. */
export function randomPassword(): string {
  return randomBytes(32).toString('base64url');
}

export function newCredentials(): Credentials {
  return { superuser: { user: SUPERUSER, password: randomPassword() }, app: { user: APP_ROLE, password: randomPassword() } };
}

export function readCredentials(dataDir: string): Credentials | undefined {
  const file = credentialsFile(dataDir);
  if (!fs.existsSync(file)) return undefined;
  // Someone may have copied the folder with a looser mode: tighten it before use.
  if ((fs.statSync(file).mode & 0o777) !== 0o600) fs.chmodSync(file, 0o600);
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Credentials;
  if (!parsed.superuser?.password || !parsed.app?.password) throw new Error(`${file} is incomplete; restore it from a backup`);
  return parsed;
}

/** Replaces the file atomically (write, fsync, rename), created 0600 from the start. */
export function writeCredentials(dataDir: string, credentials: Credentials): void {
  const file = credentialsFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.fchmodSync(fd, 0o600); // the umask can only narrow the mode, but a leftover file keeps its old one
    fs.writeFileSync(fd, `${JSON.stringify(credentials, null, 2)}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
}

export function urlFor(login: Login, port: number, database?: string): string {
  return `postgres://${encodeURIComponent(login.user)}:${encodeURIComponent(login.password)}@127.0.0.1:${port}${database ? `/${database}` : ''}`;
}

const INVALID_PASSWORD = '28P01';

/**
 * Connects as the superuser with the first password the cluster accepts, and makes the
 * stored one the one in force.
 */
export async function connectAsSuperuser(dataDir: string, port: number, credentials: Credentials): Promise<{ client: Client; credentials: Credentials }> {
  const candidates = [credentials.superuser.password, ...(credentials.previousSuperuserPasswords ?? [])];
  for (const password of candidates) {
    const client = new Client({ host: '127.0.0.1', port, user: credentials.superuser.user, password, database: 'postgres' });
    try {
      await client.connect();
    } catch (e) {
      await client.end().catch(() => undefined);
      if ((e as { code?: string }).code === INVALID_PASSWORD) continue;
      throw e;
    }
    if (password !== credentials.superuser.password) {
      await client.query(`alter role ${client.escapeIdentifier(credentials.superuser.user)} password ${client.escapeLiteral(credentials.superuser.password)}`);
    }
    if (credentials.previousSuperuserPasswords) {
      const { previousSuperuserPasswords: _, ...current } = credentials;
      writeCredentials(dataDir, current);
      return { client, credentials: current };
    }
    return { client, credentials };
  }
  throw new Error(
    `The embedded PostgreSQL in ${dataDir} accepts none of the superuser passwords in ${credentialsFile(dataDir)}; restore that file from a backup`,
  );
}

/**
 * Makes the app role exist with the stored password and the attributes above, and own
 * the app database and everything in it. Idempotent; on a folder made before the app
 * role existed it hands the superuser's tables, sequences, views, functions and types over.
 */
export async function provisionAppDatabase(superuser: Client, port: number, credentials: Credentials, database: string): Promise<void> {
  const role = superuser.escapeIdentifier(credentials.app.user);
  const exists = await superuser.query('select 1 from pg_roles where rolname = $1', [credentials.app.user]);
  const attributes = `login nosuperuser nocreaterole nocreatedb noreplication nobypassrls password ${superuser.escapeLiteral(credentials.app.password)}`;
  await superuser.query(exists.rowCount === 0 ? `create role ${role} with ${attributes}` : `alter role ${role} with ${attributes}`);

  const db = superuser.escapeIdentifier(database);
  const owner = await superuser.query<{ owner: string }>('select pg_get_userbyid(datdba) as owner from pg_database where datname = $1', [database]);
  if (owner.rowCount === 0) await superuser.query(`create database ${db} owner ${role}`);
  else if (owner.rows[0].owner !== credentials.app.user) await superuser.query(`alter database ${db} owner to ${role}`);

  const inDatabase = new Client({ host: '127.0.0.1', port, user: credentials.superuser.user, password: credentials.superuser.password, database });
  await inDatabase.connect();
  try {
    await inDatabase.query(handOverSql(credentials.app.user));
  } finally {
    await inDatabase.end();
  }
}

/**
 * Gives every object in the database's own schemas to the app role. Tables first:
 * sequences that belong to a column move with their table (and may not be moved alone).
 * Indexes, triggers, array and row types move with what they belong to; objects of an
 * extension stay with it. `public` itself is owned by pg_database_owner (PostgreSQL
 * 15+), which is the app role as the database's owner.
 */
function handOverSql(appRole: string): string {
  const own = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;
  const notExtension = (oid: string) => `not exists (select 1 from pg_depend d where d.objid = ${oid} and d.deptype = 'e')`;
  return `
do $$
declare
  app_name text := '${appRole.replace(/'/g, "''")}';
  app oid := app_name::regrole;
  r record;
begin
  for r in select n.nspname from pg_namespace n where ${own} and n.nspname <> 'public' and n.nspowner <> app loop
    execute format('alter schema %I owner to %I', r.nspname, app_name);
  end loop;
  for r in select n.nspname, c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where ${own} and c.relkind in ('r', 'p', 'v', 'm', 'f') and c.relowner <> app and ${notExtension('c.oid')} loop
    execute format('alter %s %I.%I owner to %I',
      case r.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' else 'table' end,
      r.nspname, r.relname, app_name);
  end loop;
  for r in select n.nspname, c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
           where ${own} and c.relkind = 'S' and c.relowner <> app and ${notExtension('c.oid')} loop
    execute format('alter sequence %I.%I owner to %I', r.nspname, r.relname, app_name);
  end loop;
  for r in select p.oid::regprocedure as signature from pg_proc p join pg_namespace n on n.oid = p.pronamespace
           where ${own} and p.proowner <> app and ${notExtension('p.oid')} loop
    execute format('alter routine %s owner to %I', r.signature, app_name);
  end loop;
  for r in select t.oid::regtype as name, t.typtype from pg_type t join pg_namespace n on n.oid = t.typnamespace
           left join pg_class c on c.oid = t.typrelid
           where ${own} and t.typowner <> app and ${notExtension('t.oid')}
             and (t.typtype in ('e', 'd', 'r') or (t.typtype = 'c' and c.relkind = 'c')) loop
    execute format('alter %s %s owner to %I', case r.typtype when 'd' then 'domain' else 'type' end, r.name, app_name);
  end loop;
end $$`;
}
