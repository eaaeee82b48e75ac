/** `npm run seed`: loads the demo data into the configured (or embedded) database. */
import 'reflect-metadata';
import { loadConfig } from '../config';
import { clockFor } from '../core/clock';
import { startEmbeddedPostgres } from '../db/embedded-postgres';
import { migrate, openOrm } from '../db/orm';
import { ENTITIES, MIGRATIONS } from '../registry';
import { bootstrap } from '../modules/users/bootstrap';
import { seedDemoData } from './demo-data';

async function run(): Promise<void> {
  const config = loadConfig();
  const embedded = config.databaseUrl
    ? undefined
    : await startEmbeddedPostgres(config.dataDir, config.embeddedPgPort, { sharedBuffers: config.embeddedPgSharedBuffers });
  const orm = await openOrm({ databaseUrl: config.databaseUrl ?? embedded!.url, entities: ENTITIES, migrations: MIGRATIONS });
  try {
    await migrate(orm);
    const boot = await bootstrap(orm, { adminEmail: config.adminEmail, adminPassword: config.adminPassword, tokenSecret: config.tokenSecret });
    if (boot.createdAdmin?.generatedPassword) {
      process.stdout.write(`Admin login: ${boot.createdAdmin.email} / ${boot.createdAdmin.generatedPassword} (shown once)\n`);
    }
    const summary = await seedDemoData(orm, clockFor(config), config);
    process.stdout.write(summary ? `Demo data loaded: ${summary}\n` : 'The database already has customers: demo data not loaded.\n');
  } finally {
    await orm.close();
    await embedded?.stop();
  }
}

run().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
