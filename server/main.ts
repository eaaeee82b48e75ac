/**
 * Process entry: config → database (embedded unless DATABASE_URL) → migrations → first
 * admin → HTTP server; SIGINT/SIGTERM shut down in reverse order.
 */
import 'reflect-metadata';
import pino from 'pino';
import { ConfigError, loadConfig } from './config';
import { clockFor } from './core/clock';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres';
import { migrate, openOrm } from './db/orm';
import { createMetrics } from './metrics';
import { sanitizeErrorForLog } from './core/database-errors';
import { startApp } from './app';
import { bootstrap } from './modules/users/bootstrap';
import { syncGraceWorkingDays } from './modules/calendar/calendar.service';
import { seedDemoData } from './seed/demo-data';
import { OverdueEventHub } from './modules/overdue/overdue.hub';
import { startOverdueScheduler } from './modules/overdue/overdue.scheduler';
import { startWeeklyAnalysisScheduler } from './modules/analytics/weekly-analysis.scheduler';

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
  const shutdown = async (reason: string, exitCode: number) => {
    if (stopping) return;
    stopping = true;
    if (exitCode === 0) process.stdout.write(`${reason}: shutting down…\n`);
    let failed = false;
    for (const { name, stop } of stops.reverse()) {
      try {
        logger.debug({ step: name }, 'stopping');
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
      embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort);
      stops.push({ name: 'embedded PostgreSQL', stop: () => embedded!.stop() });
      databaseUrl = embedded.url;
    }
    // Two pools: requests get statement_timeout and a bounded wait for a connection;
    // migrations, scheduled scans and the event hub run unbounded on a small pool of their own.
    const background = await openOrm({ databaseUrl, logSql: config.logSql, poolMax: 3, onStatement: () => metrics.sqlStatements.inc() });
    stops.push({ name: 'background database pool', stop: () => background.close() });
    const orm = await openOrm({
      databaseUrl,
      logSql: config.logSql,
      poolMax: config.dbPoolMax,
      acquireTimeoutMs: config.dbAcquireTimeoutMs,
      statementTimeoutMs: config.dbStatementTimeoutMs,
      onStatement: () => metrics.sqlStatements.inc(),
    });
    stops.push({ name: 'database pool', stop: () => orm.close() });
    const applied = await migrate(background);
    const boot = await bootstrap(background, { adminEmail: config.adminEmail, adminPassword: config.adminPassword, tokenSecret: config.tokenSecret });
    await syncGraceWorkingDays(background.em.fork(), config.graceWorkingDays);
    const clock = clockFor(config);
    if (config.demoData) {
      const seeded = await seedDemoData(background, clock);
      if (seeded) process.stdout.write(`Demo data loaded: ${seeded}\n`);
    }
    const hub = new OverdueEventHub(background, databaseUrl, logger);
    await hub.start();
    stops.push({ name: 'event hub', stop: () => hub.stop() });
    const app = await startApp({ config, orm, clock, tokenSecret: boot.tokenSecret, logger, metrics, hub }, config.port);
    stops.push({ name: 'HTTP server', stop: () => app.close() });
    const scheduler = startOverdueScheduler(
      background,
      clock,
      { stages: config.overdueStages, timeZone: config.timeZone },
      config.overdueScanIntervalSeconds,
      logger,
    );
    stops.push({ name: 'overdue scheduler', stop: () => scheduler.stop() });
    const weeklyScheduler = startWeeklyAnalysisScheduler(background, clock, config.weeklyAnalysisAt, { timeZone: config.timeZone, bookingLagLimitDays: config.bookingLagLimitDays }, logger);
    stops.push({ name: 'weekly analysis scheduler', stop: () => weeklyScheduler.stop() });

    const dbLine = embedded ? `embedded PostgreSQL, data in ${config.dataDir}` : `external PostgreSQL at ${new URL(databaseUrl).host}`;
    const lines = [
      `huikuan is up in ${((Date.now() - startedAt) / 1000).toFixed(1)}s`,
      `  GraphQL:     ${app.url}`,
      `  Playground:  ${app.url} (open in a browser)`,
      `  Database:    ${dbLine}${applied.length ? ` (applied ${applied.length} migration(s))` : ''}`,
    ];
    if (boot.createdAdmin?.generatedPassword) {
      lines.push(`  Admin login: ${boot.createdAdmin.email} / ${boot.createdAdmin.generatedPassword}  (shown once: note it now)`);
    } else if (boot.createdAdmin) {
      lines.push(`  Admin login: ${boot.createdAdmin.email} with ADMIN_PASSWORD`);
    } else {
      lines.push('  Admin login: an existing ADMIN account (the first one was printed on the first start)');
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  } catch (e) {
    logger.fatal({ err: e }, 'start-up failed');
    await shutdown('start-up failed', 1);
  }
}

void main();
