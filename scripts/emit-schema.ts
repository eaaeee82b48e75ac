/**
 * Writes schema/schema.graphql from the type-graphql code (`npm run schema`);
 * with `--stdout` prints it instead (the freshness test compares the two).
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import { printApiSchema } from '../server/schema';

export const SCHEMA_FILE = path.resolve(
  __dirname,
  __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../schema/schema.graphql' : '../schema/schema.graphql',
);

if (require.main === module) {
  printApiSchema()
    .then((sdl) => {
      if (process.argv.includes('--stdout')) {
        process.stdout.write(sdl);
        return;
      }
      fs.writeFileSync(SCHEMA_FILE, sdl);
      process.stdout.write(`wrote ${path.relative(process.cwd(), SCHEMA_FILE)}\n`);
    })
    .catch((e) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
      process.exit(1);
    });
}
