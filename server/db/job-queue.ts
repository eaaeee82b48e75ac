/**
 * The job queue: graphile-worker on the application's PostgreSQL. Areas contribute tasks
 * (AreaRuntime.tasks) and schedules (AreaRuntime.cron); the composition root runs one
 * worker pool per process with `DELIVERY_CONCURRENCY` jobs at a time. Jobs live in the
 * database (schema `graphile_worker`), so several instances share them and a restart
 * resumes them; a job is enqueued with SQL (`graphile_worker.add_job`) in the same
 * transaction as the rows it is about, also from triggers, so nothing is sent for a
 * change that rolled back.
 *
 * Why graphile-worker rather than pg-boss 10: its SQL `add_job` is a supported API meant
 * to be called from triggers and transactions, and a keyed job (`job_key`) dedupes a
 * burst of events into one job per endpoint. pg-boss enqueues from its Node client (or
 * by inserting into its partitioned tables, which it does not support).
 *
 * A job whose worker dies (kill -9) stays locked for four hours in graphile-worker 0.16,
 * and so does its named queue. The areas therefore use neither the job lock nor named
 * queues for correctness: their state is in their own tables, a job only says "there is
 * work", and mutual exclusion is a session advisory lock (`withSessionLock`), which
 * PostgreSQL releases the moment the dead process's connection closes.
 */
import { Logger, run, runMigrations, type Runner, type TaskList } from 'graphile-worker';
import type { Logger as Pino } from 'pino';
import type { PoolClient } from 'pg';
import type { EntityManager } from '@mikro-orm/postgresql';
import { defineQuery } from './sql';

export type { Task, TaskList, JobHelpers } from 'graphile-worker';

/** The schema graphile-worker keeps its jobs in. */
export const JOB_SCHEMA = 'graphile_worker';

function workerLogger(logger: Pino): Logger {
  return new Logger(() => (level, message, meta) => {
    // LogLevel is a declared enum without a runtime object: compare its string values.
    const name: string = level;
    const log = name === 'error' ? logger.error : name === 'warning' ? logger.warn : name === 'info' ? logger.debug : logger.trace;
    log.call(logger, { ...meta, component: 'job-queue' }, message);
  });
}

/**
 * Installs or upgrades graphile-worker's schema (idempotent; concurrent instances take
 * turns on its own lock). Runs before the HTTP server accepts anything, so a trigger that
 * enqueues never meets a missing schema.
 */
export async function prepareJobQueue(databaseUrl: string, logger: Pino): Promise<void> {
  await runMigrations({ connectionString: databaseUrl, logger: workerLogger(logger) });
}

export interface JobQueueOptions {
  databaseUrl: string;
  logger: Pino;
  /** Jobs run at once in this process. */
  concurrency: number;
  tasks: TaskList;
  /** graphile-worker crontab lines (`*\/1 * * * * task_name`). */
  cron: readonly string[];
}

export interface JobQueue {
  stop(): Promise<void>;
}

/** Starts the worker pool; `stop` waits for running jobs (graphile-worker's graceful shutdown). */
export async function startJobQueue(options: JobQueueOptions): Promise<JobQueue> {
  const runner: Runner = await run({
    connectionString: options.databaseUrl,
    concurrency: options.concurrency,
    // Each running job may hold one client for its session lock, besides the worker's own.
    maxPoolSize: options.concurrency * 2 + 2,
    // New jobs arrive by LISTEN/NOTIFY; the poll finds jobs scheduled for later (retries).
    pollInterval: 1000,
    noHandleSignals: true,
    // On shutdown running jobs get a second to finish, then their abortSignal fires: a long
    // job (a drain with a backlog) hands its work back to the queue instead of holding the
    // shutdown up (SHUTDOWN_TIMEOUT_SECONDS).
    gracefulShutdownAbortTimeout: 1000,
    taskList: options.tasks,
    crontab: options.cron.join('\n'),
    logger: workerLogger(options.logger),
  });
  return {
    stop: () => runner.stop(),
  };
}

/**
 * Runs `fn` holding the session advisory lock named `name` on `client`, or answers
 * undefined at once when another session holds it. The lock goes with the connection:
 * released when `fn` ends, or by PostgreSQL when the process holding it dies.
 */
export async function withSessionLock<T>(client: PoolClient, name: string, fn: () => Promise<T>): Promise<{ value: T } | undefined> {
  const { rows } = await client.query<{ locked: boolean }>('select pg_try_advisory_lock(hashtext($1)) as locked', [name]);
  if (!rows[0]?.locked) return undefined;
  try {
    return { value: await fn() };
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [name]);
  }
}

export interface EnqueueOptions {
  /** One waiting job per key: adding a job with the key of a waiting one changes that one instead. */
  jobKey: string;
  /** Default: now. */
  runAt?: Date;
  /** `replace`: the waiting job takes this run time; `preserve_run_at`: it keeps its own. */
  mode: 'replace' | 'preserve_run_at';
}

const ADD_JOB = defineQuery<{ task: string; payload: string; runAt: Date | null; jobKey: string; mode: string }, true>({
  text: `select ${JOB_SCHEMA}.add_job(:task, cast(:payload as json), run_at => cast(:runAt as timestamptz), job_key => :jobKey, job_key_mode => :mode) is not null as added`,
  decode: () => true,
});

/** Enqueues a job in `em`'s transaction (or at once outside one): it exists only if that commits. */
export async function enqueueJob(em: EntityManager, task: string, payload: object, options: EnqueueOptions): Promise<void> {
  await ADD_JOB.one(em, { task, payload: JSON.stringify(payload), runAt: options.runAt ?? null, jobKey: options.jobKey, mode: options.mode });
}
