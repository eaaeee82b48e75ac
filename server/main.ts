/**
 * Process entry: config → database (embedded unless DATABASE_URL) → migrations → first
 * admin → HTTP server; SIGINT/SIGTERM shut down in reverse order.
 */
import 'reflect-metadata';
import { getHeapStatistics } from 'node:v8';
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { clockFor } from './core/clock';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres';
import { migrate, openOrm } from './db/orm';
import { createMetrics } from './core/prometheus';
import { sanitizeErrorForLog } from './core/database-errors';
import { startApp } from './app';
import { composeAreas, ENTITIES, MIGRATIONS } from './registry';
import { seedDemoData } from './seed/demo-data';

async function main(): Promise<void> {
  const startedAt = Date.now();
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  // JSON lines for log shippers; readable lines when a person watches a terminal.
  const logger = pino({
    level: config.logLevel,
    base: undefined,
    redact: ['req.headers.authorization', 'password', 'token', '*.password', '*.token'],
    // Database errors repeat their SQL with the values inlined: never into the log.
    serializers: { err: sanitizeErrorForLog },
    ...(process.stdout.isTTY ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } } : {}),
  });
  const metrics = createMetrics();

  // Everything started so far, stopped in reverse order. The signal handlers are in place
  // before anything starts, so a signal during start-up also stops the database cleanly.
  const stops: { name: string; stop: () => Promise<unknown> }[] = [];
  let stopping = false;
  // A step that hangs (a database that is gone or frozen) must not keep a supervisor
  // from restarting the server: past the deadline the process exits anyway.
  const shutdownTimeoutMs = config.shutdownTimeoutSeconds * 1000;
  let shutdownDeadline = Infinity;
  let stoppingStep = '';
  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    shutdownDeadline = Date.now() + shutdownTimeoutMs;
    setTimeout(() => {
      logger.error(`shutdown did not finish within ${config.shutdownTimeoutSeconds}s (stuck at: ${stoppingStep || 'start-up'}); exiting anyway`);
      process.exit(1);
    }, shutdownTimeoutMs);
    if (exitCode === 0) process.stdout.write(`${reason}: shutting down…\n`);
    let failed = false;
    for (const { name, stop } of stops.reverse()) {
      try {
        logger.debug({ step: name }, 'stopping');
        stoppingStep = name;
        await stop();
      } catch (e) {
        failed = true;
        logger.error({ err: e }, `stopping ${name} failed`);
      }
    }
    process.exit(failed ? 1 : exitCode);
  };
  process.on('SIGINT', () => void shutdown('SIGINT', 0));
  process.on('SIGTERM', () => void shutdown('SIGTERM', 0));

  try {
    let databaseUrl = config.databaseUrl;
    let embedded: EmbeddedDatabase | undefined;
    if (!databaseUrl) {
      embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, { log: logger, sharedBuffers: config.embeddedPgSharedBuffers });
      // Whatever the steps before it left of the deadline, less a moment to escalate.
      stops.push({ name: 'embedded PostgreSQL', stop: () => embedded!.stop(Math.max(500, shutdownDeadline - Date.now() - 3500)) });
      databaseUrl = embedded.url;
    }
    // Two pools: requests get statement_timeout and a bounded wait for a connection;
    // migrations, scheduled scans and the event hub run unbounded on a small pool of their own.
    // Its connections outlive the pause between scheduled scans: on a new backend (cold caches,
    // shared memory mapped page by page) a steady scan of a million receivables takes
    // ~0.2 s more (bench/RESULTS.md).
    const background = await openOrm({
      databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      logSql: config.logSql,
      name: 'huikuan background',
      idleTimeoutMs: config.overdueScanIntervalSeconds > 0 ? (config.overdueScanIntervalSeconds + 30) * 1000 : undefined,
      poolMax: 3,
      onStatement: () => metrics.sqlStatements.inc(),
      onRoundTrip: () => metrics.sqlRoundTrips.inc({ pool: 'background' }),
    });
    stops.push({ name: 'background database pool', stop: () => background.close() });
    const orm = await openOrm({
      databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      logSql: config.logSql,
      name: 'huikuan requests',
      poolMax: config.dbPoolMax,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      onStatement: () => metrics.sqlStatements.inc(),
      onRoundTrip: () => metrics.sqlRoundTrips.inc({ pool: 'requests' }),
    });
    stops.push({ name: 'database pool', stop: () => orm.close() });
    // The job queue's work (webhook deliveries, notifications): one connection per running job, and a few for its schedules.
    const jobs = await openOrm({
      databaseUrl,
      entities: ENTITIES,
      migrations: MIGRATIONS,
      logSql: config.logSql,
      name: 'huikuan jobs',
      poolMax: config.deliveryConcurrency + 2,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      onStatement: () => metrics.jobSqlStatements.inc(),
      onRoundTrip: () => metrics.sqlRoundTrips.inc({ pool: 'jobs' }),
    });
    stops.push({ name: 'job database pool', stop: () => jobs.close() });
    const applied = await migrate(background);
    const clock = clockFor(config);
    const runtime = { config, orm, background, jobs, clock, logger, metrics, databaseUrl };
    const areas = await composeAreas(runtime);
    // The areas' background work stops after the HTTP server, so no request meets a stopped hub.
    stops.push({ name: 'areas', stop: () => areas.stop() });
    if (config.demoData) {
      const seeded = await seedDemoData(background, clock, config);
      if (seeded) process.stdout.write(`Demo data loaded: ${seeded}\n`);
    }
    const app = await startApp({ runtime, areas }, config.port);
    stops.push({ name: 'HTTP server', stop: () => app.close() });
    await areas.start();

    const heapFlag = [...process.execArgv, ...(process.env.NODE_OPTIONS?.split(/\s+/) ?? [])].find((a) => a.startsWith('--max-old-space-size'));
    const dbLine = embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : `external PostgreSQL at ${new URL(databaseUrl).host}`;
    const lines = [
      `huikuan is up in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`,
      `  GraphQL:     ${app.url}`,
      `  Playground:  ${config.playground ? `${app.url} (open in a browser)` : 'off (PLAYGROUND=on serves it)'}`,
      `  Console:     ${app.url.replace(/\/graphql$/, '/console')}`,
      `  Database:    ${dbLine}${applied.length ? ` (applied ${applied.length} migration(s))` : ''}`,
      `  Heap limit:  ${Math.round(getHeapStatistics().heap_size_limit / 2 ** 20)} MB (${heapFlag ?? 'no --max-old-space-size: npm start passes SERVER_HEAP_MB'})`,
    ];
    lines.push(...areas.banner);
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (e) {
    logger.fatal({ err: e }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

void main();
