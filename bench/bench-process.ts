/**
 * The processes a benchmark measures: huikuan (`node dist/server/main.js`, production
 * mode) or another compiled bench script started as a child process, and what a process
 * costs, read from /proc (Linux): CPU time (utime + stime), the CPU of a whole process
 * tree (PostgreSQL's backends), resident memory sampled over time, and the SQL
 * statement counter huikuan serves at GET /metrics.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { serverNodeArgs } from '../server/launch';

/** The first administrator of a benchmark's database (ADMIN_EMAIL, ADMIN_PASSWORD: `adminEnv`). */
export const BENCH_ADMIN = { email: 'bench-admin@example.com', password: 'Bench-Granite-Orchard-64' };
export const adminEnv = { ADMIN_EMAIL: BENCH_ADMIN.email, ADMIN_PASSWORD: BENCH_ADMIN.password };

/** Passed to huikuan as METRICS_TOKEN: in production GET /metrics answers only with it. */
export const METRICS_TOKEN = 'bench-metrics-token-not-a-secret';

export interface ChildServer {
  /** What the child printed as its address (huikuan: the GraphQL URL). */
  url: string;
  pid: number;
  /** Everything the child printed so far. */
  output(): string;
  /** SIGTERM, then waits for the exit. */
  stop(): Promise<void>;
}

/** The children started and not stopped yet. */
const running = new Set<ChildServer>();

/**
 * Starts `node <script>` and resolves with the first match of `ready` in its output
 * (its first group is the URL). Rejects when the child exits before that.
 * `nodeArgs`, then BENCH_CHILD_NODE_OPTIONS (space-separated; they win) go to node before
 * the script, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the server under the bench.
 */
export function startChild(script: string, env: Record<string, string>, ready: RegExp, nodeArgs: string[] = []): Promise<ChildServer> {
  const nodeOptions = process.env.BENCH_CHILD_NODE_OPTIONS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, ...nodeOptions, script], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  let output = '';
  return new Promise((resolve, reject) => {
    let started = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = ready.exec(output);
      if (match && !started) {
        started = true;
        const server: ChildServer = {
          url: match[1],
          pid: child.pid!,
          output: () => output,
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
            running.delete(server);
          },
        };
        running.add(server);
        resolve(server);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      if (!started) reject(new Error(`${path.basename(script)} exited with ${child.exitCode ?? child.signalCode} before it was ready:\n${output}`));
    });
  });
}

/** Stops every child still running. */
export async function stopAllChildren(): Promise<void> {
  await Promise.all([...running].map((child) => child.stop()));
}

/**
 * huikuan as `npm start` runs it in production (node's options included: `serverNodeArgs`,
 * with SERVER_HEAP_MB from `env` or the environment), on `databaseUrl`, with the schedules
 * off (no scan or weekly snapshot runs in the middle of a measurement) and /metrics open
 * to METRICS_TOKEN. `env` adds to or overrides that (and the caller's environment).
 */
export function startHuikuan(databaseUrl: string, env: Record<string, string> = {}): Promise<ChildServer> {
  return startChild(
    path.resolve(__dirname, '../server/main.js'),
    {
      DATABASE_URL: databaseUrl,
      PORT: '0',
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      OVERDUE_SCAN_INTERVAL: '0',
      WEEKLY_ANALYSIS_AT: 'off',
      METRICS_TOKEN,
      ...env,
    },
    /GraphQL:\s+(http:\/\/\S+)/,
    serverNodeArgs({ ...process.env, ...env }),
  );
}

export interface ServerCounters {
  /** SQL statements huikuan has sent so far (both pools). */
  statements: number;
  /** GraphQL operations it has answered so far (any root field, errors included). */
  operations: number;
  /** Overdue judgements it has run so far (`huikuan_overdue_scan_duration_seconds_count`). */
  scans: number;
  /** The seconds they took, each until its commit had ended (`huikuan_overdue_scan_duration_seconds_sum`). */
  scanSeconds: number;
}

/** huikuan's counters, from GET /metrics. */
export async function serverCounters(graphqlUrl: string): Promise<ServerCounters> {
  const url = graphqlUrl.replace(/\/graphql$/, '/metrics');
  const init = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };
  // A kept-alive socket the server closes just as it is reused fails the request: once more on a new one.
  const response = await fetch(url, init).catch(async () => {
    await new Promise((r) => setTimeout(r, 200));
    return fetch(url, init);
  });
  if (!response.ok) throw new Error(`GET /metrics answered ${response.status}`);
  const lines = (await response.text()).split('\n');
  const sum = (prefix: string) => lines.filter((l) => l.startsWith(prefix)).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  return {
    statements: sum('huikuan_db_statements_total '),
    operations: sum('huikuan_graphql_requests_total{'),
    scans: sum('huikuan_overdue_scan_duration_seconds_count '),
    scanSeconds: sum('huikuan_overdue_scan_duration_seconds_sum '),
  };
}

/**
 * Waits until huikuan has answered every operation it received (the counter stands
 * still for a quarter of a second): a load generator that stops leaves requests in flight.
 */
export async function settled(graphqlUrl: string, maxMs = 15_000): Promise<ServerCounters> {
  const deadline = Date.now() + maxMs;
  let last = await serverCounters(graphqlUrl);
  for (;;) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await serverCounters(graphqlUrl);
    if ((now.operations === last.operations && now.statements === last.statements) || Date.now() > deadline) return now;
    last = now;
  }
}

/**
 * The clean-up of a benchmark (stop the children, drop the database), run once: at the
 * end, or on Ctrl-C / SIGTERM instead of leaving processes and a database behind.
 * Returns the function to call at the end.
 */
export function cleanUpOnce(cleanup: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  const run = () => (running ??= cleanup());
  const onSignal = () => void run().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    return run();
  };
}

/** The commit the benchmark runs, marked when the work tree has changes. */
export function commitOf(): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${hash} + uncommitted changes` : hash;
  } catch {
    return 'unknown';
  }
}

// ── /proc ───────────────────────────────────────────────────────────────────────

let ticksPerSecond: number | undefined;

/** Clock ticks per second of /proc/<pid>/stat times (CLK_TCK, 100 on Linux/x86). */
function clockTicks(): number {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: its children that have exited and been waited for, in ticks. */
  reaped: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // gone
  }
  // The command name (field 2) is in parentheses and may contain spaces: fields count from after it.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
}

/** CPU time (user + system, all threads) the process has used so far, in ms. */
export function cpuMs(pid: number): number {
  const stat = readStat(pid);
  if (!stat) throw new Error(`process ${pid} is gone`);
  return (stat.own * 1000) / clockTicks();
}

/**
 * CPU time of a process and all its descendants, alive or exited (through the
 * parents' cutime/cstime), in ms: PostgreSQL's postmaster and its backends.
 */
export function treeCpuMs(rootPid: number): number {
  const stats = new Map<number, ProcStat>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (stat) stats.set(Number(entry), stat);
  }
  let ticks = 0;
  const visit = (pid: number) => {
    const stat = stats.get(pid);
    if (!stat) return;
    ticks += stat.own + stat.reaped;
    for (const [child, s] of stats) if (s.ppid === pid) visit(child);
  };
  visit(rootPid);
  return (ticks * 1000) / clockTicks();
}

/** Resident set size of the process now, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const match = /^VmRSS:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

export interface RssSamples {
  peakMb: number;
  /** [ms since start, MB] every `everyMs`. */
  samples: [number, number][];
}

/** Samples a process's RSS every `everyMs` until stopped. */
export function sampleRss(pid: number, everyMs = 100): { stop(): RssSamples } {
  const started = Date.now();
  const samples: [number, number][] = [];
  const take = () => {
    try {
      samples.push([Date.now() - started, rssMb(pid)]);
    } catch {
      // the process has exited: nothing to sample
    }
  };
  take();
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { peakMb: Math.max(...samples.map(([, mb]) => mb)), samples };
    },
  };
}
