/**
 * The server owns its embedded PostgreSQL, and the database is not an open door. The
 * compiled server runs here as `npm start` runs it, without DATABASE_URL, on a data
 * folder of its own: after a kill -9 the next start takes the folder back, a shutdown
 * never waits past its deadline for a database that is gone or frozen, a second server
 * on a folder in use is refused, and only the server can log in to its database.
 *
 * One data folder lives through the first tests in order, as it would on a machine:
 * first start, crash under load, restart, database killed, database frozen.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import { localDateAt } from '../../server/core/local-date';
import { createClient, Client } from '../../sdk/index.js';
import { ServerProcess, spawnServer } from '../helpers/server';

const ADMIN = { email: 'owner-admin@test.example', password: 'owner-admin-password' };
const LEGACY_PASSWORD = 'huikuan-embedded';
const today = localDateAt(new Date(), 'Asia/Shanghai');

const spawned: ServerProcess[] = [];
const folders: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function newDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'huikuan-owner-'));
  fs.chmodSync(dir, 0o755); // when the tests run as root, PostgreSQL runs as the OS user postgres
  folders.push(dir);
  return dir;
}

async function start(dataDir: string, pgPort: number, env: Record<string, string> = {}): Promise<ServerProcess> {
  const server = await spawnServer({
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(pgPort),
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ...env,
  });
  spawned.push(server);
  return server;
}

/** Stops the server and expects a clean exit; when it is not, the failure shows what the server said. */
async function expectCleanStop(server: ServerProcess): Promise<void> {
  const code = await server.stop();
  expect({ code, output: code === 0 ? '' : server.output() }).toEqual({ code: 0, output: '' });
}

/** Exists and has not exited (a zombie waits only to be reaped). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false; // gone in between
  }
}

/** Like `kill`, for processes that may have exited meanwhile. */
function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > until) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

function postmasterPid(dataDir: string): number {
  return Number(fs.readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** The postmaster and every process it started (backends, checkpointer, …). */
function clusterProcesses(postmaster: number): number[] {
  const children = fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === postmaster;
      } catch {
        return false;
      }
    })
    .map(Number);
  return [postmaster, ...children];
}

interface StoredCredentials {
  superuser: { user: string; password: string };
  app: { user: string; password: string };
}

function credentialsOf(dataDir: string): StoredCredentials {
  return JSON.parse(fs.readFileSync(path.join(dataDir, 'postgres-credentials.json'), 'utf8')) as StoredCredentials;
}

async function connect(port: number, user: string, password: string, database = 'huikuan'): Promise<PgClient> {
  const client = new PgClient({ host: '127.0.0.1', port, user, password, database });
  await client.connect();
  return client;
}

async function query<T>(port: number, login: { user: string; password: string }, text: string, database = 'huikuan'): Promise<T[]> {
  const client = await connect(port, login.user, login.password, database);
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

async function signIn(server: ServerProcess): Promise<Client> {
  const { login } = await createClient({ url: server.url }).login(ADMIN);
  return createClient({ url: server.url, token: login.token });
}

async function readyz(server: ServerProcess): Promise<number> {
  try {
    return (await fetch(server.url.replace(/\/graphql$/, '/readyz'))).status;
  } catch {
    return 0;
  }
}

afterAll(async () => {
  // Whatever a failed test left behind: servers first, then their databases (frozen ones too).
  for (const server of spawned) {
    if (alive(server.pid)) signal(server.pid, 'SIGKILL');
  }
  for (const dir of folders) {
    const postmaster = fs.existsSync(path.join(dir, 'postgres', 'postmaster.pid')) ? postmasterPid(dir) : 0;
    if (postmaster > 0 && alive(postmaster)) {
      for (const pid of clusterProcesses(postmaster)) {
        signal(pid, 'SIGCONT');
        signal(pid, 'SIGKILL');
      }
      await waitFor(() => !alive(postmaster), 5000);
    }
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

describe('one data folder through crashes', () => {
  const dataDir = newDataDir();
  let pgPort: number;
  let server: ServerProcess;

  beforeAll(async () => {
    pgPort = await freePort();
    server = await start(dataDir, pgPort);
  });

  test('only the server can log in: random superuser password kept 0600, the server connects as an ordinary role', async () => {
    const file = path.join(dataDir, 'postgres-credentials.json');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const credentials = credentialsOf(dataDir);
    expect(credentials.superuser.password).not.toBe(LEGACY_PASSWORD);
    expect(credentials.superuser.password.length).toBeGreaterThanOrEqual(32);
    expect(credentials.app.user).not.toBe(credentials.superuser.user);

    // The fixed password of earlier versions opens nothing any more.
    await expect(connect(pgPort, 'postgres', LEGACY_PASSWORD, 'postgres')).rejects.toMatchObject({ code: '28P01' });

    // The app role: no superuser, cannot create roles or databases, cannot read password hashes.
    const app = await connect(pgPort, credentials.app.user, credentials.app.password);
    try {
      const { rows } = await app.query('select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = current_user');
      expect(rows).toEqual([{ rolsuper: false, rolcreaterole: false, rolcreatedb: false }]);
      await expect(app.query('select rolpassword from pg_authid')).rejects.toMatchObject({ code: '42501' });
      // It owns what the migrations made, so it ran them itself.
      const owners = await app.query("select distinct tableowner from pg_tables where schemaname = 'public'");
      expect(owners.rows).toEqual([{ tableowner: credentials.app.user }]);
    } finally {
      await app.end();
    }

    // Every connection the running server holds is the app role's.
    const admin = await signIn(server);
    await admin.me();
    const sessions = await query<{ usename: string }>(
      pgPort,
      credentials.superuser,
      "select distinct usename from pg_stat_activity where datname = 'huikuan' and pid <> pg_backend_pid()",
    );
    expect(sessions).toEqual([{ usename: credentials.app.user }]);
  });

  test('kill -9 under a stream of payments: the next start takes the database back, loses nothing acknowledged, duplicates nothing', async () => {
    const admin = await signIn(server);
    const { createUser: sales } = await admin.createUser({
      input: { email: 'crash.sales@test.example', name: 'Crash Sales', role: 'SALES', password: 'sales-password' },
    });
    const { createCustomer } = await admin.createCustomer({
      input: { code: 'CRASH-1', name: 'Crash Test Ltd', ownerId: sales.id, creditTermDays: 30, creditLimit: '100000.00' },
    });
    const pay = (client: Client, key: string) =>
      client.recordPayment({ input: { customerId: createCustomer.id, amount: '10.00', receivedOn: today, method: 'BANK_TRANSFER', idempotencyKey: key } });

    const sent = new Set<string>();
    const acknowledged = new Map<string, string>();
    let next = 0;
    let crashed = false;
    const worker = async () => {
      while (!crashed) {
        const key = `crash-${(next += 1)}`;
        sent.add(key);
        try {
          acknowledged.set(key, (await pay(admin, key)).recordPayment.id);
        } catch {
          return; // the server is gone
        }
      }
    };
    const workers = [worker(), worker(), worker()];
    expect(await waitFor(() => acknowledged.size >= 30, 20000)).toBe(true);
    const orphan = postmasterPid(dataDir);
    crashed = true;
    process.kill(server.pid, 'SIGKILL');
    await server.exited;
    await Promise.all(workers);
    // The situation this is about: the database outlived its server.
    expect(alive(orphan)).toBe(true);

    const startedAt = Date.now();
    server = await start(dataDir, pgPort);
    expect(await waitFor(async () => (await readyz(server)) === 200, 10000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(10000);
    expect(server.output()).toContain(`PostgreSQL (pid ${orphan}) was left running by an earlier server`);
    expect(alive(orphan)).toBe(false);

    const after = await signIn(server);
    for (const [key, id] of acknowledged) {
      const { payment } = await after.payment({ id });
      expect({ key, amount: payment?.amount }).toEqual({ key, amount: '10.00' });
    }
    // Retrying every key sent, acknowledged or cut off by the crash, books each once.
    for (const key of sent) {
      const { recordPayment } = await pay(after, key);
      if (acknowledged.has(key)) expect({ key, id: recordPayment.id }).toEqual({ key, id: acknowledged.get(key) });
    }
    for (const key of sent) await pay(after, key);
    const { payments } = await after.payments({ first: 1, filter: { customerId: createCustomer.id } });
    expect(payments.totalCount).toBe(sent.size);
  });

  test('a second server on a folder whose server still runs is refused, and the running database is left alone', async () => {
    const postmaster = postmasterPid(dataDir);
    const refusedAt = Date.now();
    await expect(start(dataDir, await freePort())).rejects.toThrow(
      new RegExp(
        `Another huikuan server \\(pid ${server.pid}\\) is using ${dataDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} with its PostgreSQL \\(pid ${postmaster}\\)`,
      ),
    );
    // Refused at start-up, not after waiting out a database start: 1.7 s alone, 6.3 s once
    // beside the whole suite on two cores (a node start-up under load).
    expect(Date.now() - refusedAt).toBeLessThan(15_000);
    expect(alive(postmaster)).toBe(true);
    expect(await readyz(server)).toBe(200);
  });

  test('SIGTERM after the database was killed still exits, well within the deadline, saying so', async () => {
    const postmaster = postmasterPid(dataDir);
    process.kill(postmaster, 'SIGKILL');
    expect(await waitFor(() => !alive(postmaster), 5000)).toBe(true);
    expect(await readyz(server)).toBe(503);
    const stoppedAt = Date.now();
    await expectCleanStop(server);
    expect(Date.now() - stoppedAt).toBeLessThan(10000);
    expect(server.output()).toMatch(/embedded PostgreSQL \(pid \d+\) exited unexpectedly/);
    expect(server.output()).toContain(`embedded PostgreSQL (pid ${postmaster}) had already exited (SIGKILL): nothing to stop`);
    // The killed database left its lock file; the next start clears it.
    expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(true);
  });

  test('a frozen database cannot hold the shutdown past SHUTDOWN_TIMEOUT_SECONDS, and the next start recovers the folder', async () => {
    server = await start(dataDir, pgPort, { SHUTDOWN_TIMEOUT_SECONDS: '3' });
    const admin = await signIn(server);
    await admin.me();
    const frozen = clusterProcesses(postmasterPid(dataDir));
    for (const pid of frozen) signal(pid, 'SIGSTOP');
    const stoppedAt = Date.now();
    expect(await server.stop()).toBe(1);
    expect(Date.now() - stoppedAt).toBeLessThan(5000);
    expect(server.output()).toMatch(/shutdown did not finish within 3s \(stuck at: [^)]+\); exiting anyway/);

    for (const pid of frozen) signal(pid, 'SIGCONT');
    const startedAt = Date.now();
    server = await start(dataDir, pgPort);
    expect(await waitFor(async () => (await readyz(server)) === 200, 10000)).toBe(true);
    expect(Date.now() - startedAt).toBeLessThan(10000);
    expect(frozen.filter(alive)).toEqual([]);

    // A clean stop leaves no process and no claim on the folder.
    const postmaster = postmasterPid(dataDir);
    await expectCleanStop(server);
    expect(alive(postmaster)).toBe(false);
    expect(fs.existsSync(path.join(dataDir, 'postgres-owner.json'))).toBe(false);
  });
});

test('a data folder from before generated passwords is taken over: fixed password retired, the app role owns everything, data kept', async () => {
  const dataDir = newDataDir();
  const pgPort = await freePort();
  execFileSync(process.execPath, [path.resolve(__dirname, '../helpers/make-legacy-data-dir.mjs'), dataDir, String(pgPort)], { stdio: 'pipe' });
  expect(fs.existsSync(path.join(dataDir, 'postgres-credentials.json'))).toBe(false);

  const server = await start(dataDir, pgPort);
  // The migrations the earlier version applied as the superuser count as applied.
  expect(server.output()).not.toMatch(/applied \d+ migration/);
  expect(fs.statSync(path.join(dataDir, 'postgres-credentials.json')).mode & 0o777).toBe(0o600);
  await expect(connect(pgPort, 'postgres', LEGACY_PASSWORD, 'postgres')).rejects.toMatchObject({ code: '28P01' });

  const credentials = credentialsOf(dataDir);
  const notOwned = await query<{ kind: string; name: string }>(
    pgPort,
    credentials.superuser,
    `select 'relation' as kind, c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relowner <> 'huikuan_app'::regrole
     union all
     select 'function', p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
       where n.nspname = 'public' and p.proowner <> 'huikuan_app'::regrole
     union all
     select 'database', datname from pg_database where datname = 'huikuan' and datdba <> 'huikuan_app'::regrole`,
  );
  expect(notOwned).toEqual([]);

  // The server works on the handed-over tables, and what it writes survives a restart.
  const admin = await signIn(server);
  const { createUser: sales } = await admin.createUser({
    input: { email: 'legacy.sales@test.example', name: 'Legacy Sales', role: 'SALES', password: 'sales-password' },
  });
  const { createCustomer } = await admin.createCustomer({
    input: { code: 'LEGACY-1', name: 'Legacy Ltd', ownerId: sales.id, creditTermDays: 30, creditLimit: '100.00' },
  });
  await expectCleanStop(server);
  const again = await start(dataDir, pgPort);
  const { customer } = await (await signIn(again)).customer({ id: createCustomer.id });
  expect(customer?.name).toBe('Legacy Ltd');
  await expectCleanStop(again);
});
