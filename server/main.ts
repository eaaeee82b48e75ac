/**
 * Process entry: config → database (embedded unless DATABASE_URL) → migrations → first
 * admin → HTTP server; SIGINT/SIGTERM shut down in reverse order.
 */
import 'reflect-metadata';
import pino from 'pino';
import { MikroORM } from '@mikro-orm/postgresql';
import { ConfigError, loadConfig } from './config';
import { clockFor } from './core/clock';
import { EmbeddedDatabase, startEmbeddedPostgres } from './db/embedded-postgres';
import { migrate, openOrm } from './db/orm';
import { createMetrics } from './metrics';
import { startApp } from './app';
import { bootstrap } from './modules/users/bootstrap';
import { syncGraceWorkingDays } from './modules/calendar/calendar.service';
import { seedDemoData } from './seed/demo-data';
import { OverdueEventHub } from './modules/overdue/overdue.hub';
import { startOverdueScheduler } from './modules/overdue/overdue.scheduler';

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
  const logger = pino({ level: config.logLevel, base: undefined, redact: ['req.headers.authorization', 'password', 'token'] });
  const metrics = createMetrics();

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort);
    databaseUrl = embedded.url;
  }

  let orm: MikroORM | undefined;
  try {
    orm = await openOrm({ databaseUrl, logSql: config.logSql, onStatement: () => metrics.sqlStatements.inc() });
    const applied = await migrate(orm);
    const boot = await bootstrap(orm, { adminEmail: config.adminEmail, adminPassword: config.adminPassword, tokenSecret: config.tokenSecret });
    await syncGraceWorkingDays(orm.em.fork(), config.graceWorkingDays);
    const clock = clockFor(config);
    if (config.demoData) {
      const seeded = await seedDemoData(orm, clock);
      if (seeded) process.stdout.write(`Demo data loaded: ${seeded}\n`);
    }
    const hub = new OverdueEventHub(orm, databaseUrl, logger);
    await hub.start();
    const app = await startApp({ config, orm, clock, tokenSecret: boot.tokenSecret, logger, metrics, hub }, config.port);
    const scheduler = startOverdueScheduler(
      orm,
      clock,
      { stages: config.overdueStages, timeZone: config.timeZone },
      config.overdueScanIntervalSeconds,
      logger,
    );

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
    }
    process.stdout.write(`${lines.join('\n')}\n`);

    let stopping = false;
    const shutdown = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      process.stdout.write(`${signal}: shutting down…\n`);
      try {
        await scheduler.stop();
        await app.close();
        await hub.stop();
        await orm!.close();
        await embedded?.stop();
        process.exit(0);
      } catch (e) {
        logger.error({ err: e }, 'shutdown failed');
        process.exit(1);
      }
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
  } catch (e) {
    logger.fatal({ err: e }, 'start-up failed');
    await orm?.close().catch(() => undefined);
    await embedded?.stop().catch(() => undefined);
    process.exit(1);
  }
}

void main();
