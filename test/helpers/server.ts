/**
 * A real huikuan server for one test file: its own database cloned from the migrated
 * template, the compiled server (`dist/`, built by `npm test`) started as a child
 * process exactly as `npm start` runs it, and SDK clients signed in per role.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { createClient, Client, HuikuanError, Role } from '../../sdk/index.js';
import { serverNodeArgs } from '../../server/launch';
import { cloneTemplateDatabase } from './test-database';

export const ADMIN_EMAIL = 'admin@test.example';
export const ADMIN_PASSWORD = 'Admin-Quartz-Lantern-42';
export const USER_PASSWORD = 'Wandering-Otter-Pebble-91';
const MAIN = path.resolve(__dirname, '../../dist/server/main.js');

export interface TestUser {
  id: string;
  email: string;
  token: string;
  client: Client;
}

export interface ServerProcess {
  url: string;
  /** The server's process id (e.g. to read its memory from /proc). */
  pid: number;
  /** Everything the process printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code (null when killed by a signal) once the process has exited. */
  exited: Promise<number | null>;
}

export interface TestServer {
  url: string;
  databaseUrl: string;
  /** Process id of the current server process. */
  readonly pid: number;
  /** Signed in as the first ADMIN. */
  admin: Client;
  adminToken: string;
  anonymous(): Client;
  client(token?: string): Client;
  /** Creates a user of the role through the API and signs them in. */
  createUser(role: Exclude<Role, 'INTEGRATION'>, name?: string): Promise<TestUser>;
  /**
   * Runs SQL against the test database (for assertions, never to fake state). Calls run one
   * after another on one connection, also when a test starts several at once (Promise.all).
   */
  sql<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<T[]>;
  /** SQL statements the server has sent so far (from GET /metrics). */
  statementCount(): Promise<number>;
  /** Starts another server process on the same database (several instances). */
  startInstance(env?: Record<string, string>): Promise<ServerProcess>;
  /** What the current server process printed (its warnings and errors). */
  logs(): string;
  /**
   * Stops the server process and starts a new one on the same database and port (with `env` changed, e.g. another CLOCK_DATE);
   * answers the stopped process's exit code (0: it shut down in order).
   */
  restart(env?: Record<string, string>): Promise<number | null>;
  close(): Promise<void>;
}

/** Starts `node dist/server/main.js` and resolves once it prints its URL. */
export function spawnServer(env: Record<string, string>): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    // node's options as `npm start` passes them (the heap limit).
    const child: ChildProcess = spawn(process.execPath, [...serverNodeArgs(env), MAIN], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'warn', OVERDUE_SCAN_INTERVAL: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let started = false;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /GraphQL:\s+(http:\/\/\S+)/.exec(output);
      if (match && !started) {
        started = true;
        resolve({
          url: match[1],
          pid: child.pid!,
          exited,
          output: () => output,
          stop: async () => {
            if (child.exitCode === null) child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      if (!started) reject(new Error(`server exited with ${code} before it started:\n${output}`));
    });
  });
}

export async function startTestServer(env: Record<string, string> = {}): Promise<TestServer> {
  const database = await cloneTemplateDatabase('hk_test');
  const databaseUrl = database.url;

  const serverEnv = { DATABASE_URL: databaseUrl, ADMIN_EMAIL, ADMIN_PASSWORD, ...env };
  const instances: ServerProcess[] = [];
  let main = await spawnServer(serverEnv);
  instances.push(main);
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  // node-postgres still queues a query sent while another runs, but deprecates it (gone in pg@9): chain them.
  let lastSql: Promise<unknown> = Promise.resolve();

  const client = (token?: string) => createClient({ url: main.url, token, webSocketImpl: WebSocket });
  const { login } = await client().login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
  const admin = createClient({ url: main.url, getToken: () => login.token, webSocketImpl: WebSocket });
  let userCounter = 0;

  const server: TestServer = {
    get url() {
      return main.url;
    },
    databaseUrl,
    get pid() {
      return main.pid;
    },
    admin,
    adminToken: login.token,
    anonymous: () => client(),
    client,
    async createUser(role, name) {
      userCounter += 1;
      const email = `${role.toLowerCase()}${userCounter}.${randomUUID().slice(0, 6)}@test.example`;
      const { createUser } = await admin.createUser({
        input: { email, name: name ?? `${role} ${userCounter}`, role, password: USER_PASSWORD },
      });
      const signedIn = await client().login({ email, password: USER_PASSWORD });
      const token = signedIn.login.token;
      return { id: createUser.id, email, token, client: createClient({ url: main.url, getToken: () => token, webSocketImpl: WebSocket }) };
    },
    sql<T>(text: string, params: unknown[] = []) {
      const result = lastSql.catch(() => undefined).then(() => pg.query(text, params));
      lastSql = result;
      return result.then((r) => r.rows as T[]);
    },
    async statementCount() {
      const text = await (await fetch(main.url.replace(/\/graphql$/, '/metrics'))).text();
      const line = text.split('\n').find((l) => l.startsWith('huikuan_db_statements_total '));
      return Number(line?.split(' ')[1] ?? NaN);
    },
    logs: () => main.output(),
    async startInstance(extra = {}) {
      const instance = await spawnServer({ ...serverEnv, ...extra });
      instances.push(instance);
      return instance;
    },
    async restart(env = {}) {
      const port = new URL(main.url).port;
      const exitCode = await main.stop();
      Object.assign(serverEnv, env);
      main = await spawnServer({ ...serverEnv, PORT: port });
      instances.push(main);
      return exitCode;
    },
    async close() {
      await pg.end();
      await Promise.all(instances.map((i) => i.stop()));
      await database.drop();
    },
  };
  return server;
}

/** Expects `promise` to reject with a HuikuanError of `code` (and `field`, when given). */
/** The HuikuanError a call rejects with; fails the test when the call succeeds or throws anything else. */
export async function rejection(promise: Promise<unknown>): Promise<HuikuanError> {
  try {
    await promise;
  } catch (e) {
    expect(e).toBeInstanceOf(HuikuanError);
    return e as HuikuanError;
  }
  throw new Error('expected the call to fail');
}

export async function expectApiError(promise: Promise<unknown>, code: string, field?: string): Promise<void> {
  await expect(promise).rejects.toMatchObject(field === undefined ? { code } : { code, field });
}
