/** Stops the embedded PostgreSQL of the test run and removes its data. */
import fs from 'node:fs';

export default async function globalTeardown(): Promise<void> {
  const embedded = globalThis.__HUIKUAN_EMBEDDED__;
  if (!embedded) return;
  await embedded.db.stop();
  fs.rmSync(embedded.dir, { recursive: true, force: true });
}
