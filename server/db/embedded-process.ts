/**
 * Who holds an embedded PostgreSQL data folder, and stopping a postmaster. The server
 * records itself as the owner of its DATA_DIR (pid and, on Linux, the process start
 * time, so a reused pid is not mistaken for it). A postmaster whose owner is gone (a
 * crash, kill -9) is stopped on the next start; one whose owner still runs is never
 * touched. Process facts come from /proc where there is one; elsewhere only "does the
 * pid exist" is known, and the checks fall back to trusting it.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ProcessFacts {
  /** R, S, D, T, Z (zombie: exited, waiting to be reaped), … */
  state: string;
  ppid: number;
  /** Start time in clock ticks since boot: with the pid it names one process for good. */
  startTicks: string;
  /** Executable name (at most 15 characters). */
  comm: string;
}

/** Linux /proc/<pid>/stat; undefined when there is no such process or no /proc. */
export function processFacts(pid: number): ProcessFacts | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The name is in parentheses and may itself contain spaces or parentheses.
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    return { comm: stat.slice(open + 1, close), state: fields[0], ppid: Number(fields[1]), startTicks: fields[19] };
  } catch {
    return undefined;
  }
}

/** The process exists and has not exited (a zombie only waits for a parent that may never reap it). */
export function isRunning(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const state = processFacts(pid)?.state;
  return state !== 'Z' && state !== 'X';
}

export interface OwnerRecord {
  pid: number;
  /** ProcessFacts.startTicks of the owner when it wrote the record (Linux only). */
  startTicks?: string;
}

const OWNER_FILE = 'postgres-owner.json';

export function ownerFile(dataDir: string): string {
  return path.join(dataDir, OWNER_FILE);
}

export function readOwner(dataDir: string): OwnerRecord | undefined {
  try {
    const record = JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8')) as OwnerRecord;
    return Number.isInteger(record.pid) ? record : undefined;
  } catch {
    return undefined;
  }
}

export function thisProcessAsOwner(): OwnerRecord {
  return { pid: process.pid, startTicks: processFacts(process.pid)?.startTicks };
}

/**
 * Claims the folder for this process. Exclusive creation: of two servers starting at
 * once on one folder, the second fails here instead of overwriting the first's claim.
 */
export function writeOwner(dataDir: string): void {
  const file = ownerFile(dataDir);
  const stale = readOwner(dataDir);
  if (stale && !ownerIsAlive(stale)) fs.rmSync(file, { force: true });
  try {
    fs.writeFileSync(file, `${JSON.stringify(thisProcessAsOwner())}\n`, { flag: 'wx' });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    const other = readOwner(dataDir);
    throw new Error(`Another huikuan server (pid ${other?.pid ?? 'unknown'}) is starting on ${dataDir}; stop it or choose another DATA_DIR`);
  }
}

/** Removes the claim if it is still this process's. */
export function releaseOwner(dataDir: string): void {
  const record = readOwner(dataDir);
  if (record?.pid === process.pid) fs.rmSync(ownerFile(dataDir), { force: true });
}

export function ownerIsAlive(owner: OwnerRecord): boolean {
  if (!isRunning(owner.pid)) return false;
  const now = processFacts(owner.pid);
  // Same pid, other start time: the pid was reused (after a reboot, or a container
  // restart where the server always gets the same pid), so the owner is gone.
  if (now && owner.startTicks !== undefined && now.startTicks !== owner.startTicks) return false;
  return true;
}

/**
 * Who owns a running postmaster of a folder without an owner record (one started by
 * an older version): its parent, when that is still a node process. When the parent
 * died, the postmaster was handed to init or a subreaper, which is not node.
 */
export function legacyOwnerOf(postmasterPid: number): OwnerRecord | undefined {
  const facts = processFacts(postmasterPid);
  if (!facts) return { pid: postmasterPid }; // no /proc: cannot tell, so assume it is owned
  const parent = processFacts(facts.ppid);
  if (facts.ppid <= 1 || !parent || parent.comm !== 'node') return undefined;
  return { pid: facts.ppid, startTicks: parent.startTicks };
}

/** The pid in a data folder's postmaster.pid, if there is a readable one. */
export function postmasterPidOf(databaseDir: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The pid is a live postmaster serving this folder, not some process that got the
 * pid of a postmaster that died with its lock file in place. A postmaster's working
 * directory is its data folder.
 */
export function isPostmasterOf(pid: number, databaseDir: string): boolean {
  if (!isRunning(pid)) return false;
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`) === fs.realpathSync(databaseDir);
  } catch {
    const facts = processFacts(pid);
    return facts ? facts.comm === 'postgres' : true;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function waitUntil(done: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() >= until) return false;
    await sleep(50);
  }
  return true;
}

export type StopOutcome = 'fast' | 'immediate' | 'killed';

/**
 * Stops a postmaster, escalating. SIGINT is PostgreSQL's fast shutdown (abort open
 * transactions, checkpoint, exit); SIGTERM would be "smart" and wait for every client,
 * which can take forever. SIGQUIT (immediate: the postmaster kills its backends, crash
 * recovery on the next start) after `graceMs`; SIGKILL as the last resort, after which
 * the backends exit by themselves once they notice their postmaster is gone.
 */
export async function stopPostmaster(
  pid: number,
  graceMs: number,
  onEscalate: (message: string) => void,
  running: () => boolean = () => isRunning(pid),
): Promise<StopOutcome> {
  const send = (name: NodeJS.Signals) => {
    // Checked right before each signal: the pid of a process that is gone may be reused.
    if (!running()) return;
    try {
      process.kill(pid, name);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  };
  const gone = () => !running();
  send('SIGINT');
  if (await waitUntil(gone, graceMs)) return 'fast';
  onEscalate(`PostgreSQL (pid ${pid}) did not finish a fast shutdown within ${graceMs} ms: immediate shutdown`);
  send('SIGQUIT');
  if (await waitUntil(gone, 1000)) return 'immediate';
  onEscalate(`PostgreSQL (pid ${pid}) ignored an immediate shutdown: SIGKILL`);
  send('SIGKILL');
  if (await waitUntil(gone, 2000)) return 'killed';
  throw new Error(`PostgreSQL (pid ${pid}) is still running after SIGKILL`);
}
