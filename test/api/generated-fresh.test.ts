/**
 * schema/schema.graphql and the generated SDK are committed; this fails when either no
 * longer matches what the code generates (fix: `npm run generate`, then commit).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');

test('schema/schema.graphql matches the schema the server builds', () => {
  const emitted = execFileSync(process.execPath, [path.join(ROOT, 'dist/scripts/emit-schema.js'), '--stdout'], { encoding: 'utf8' });
  const committed = fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');
  expect(committed).toBe(emitted);
});

test('sdk/generated matches graphql-codegen output for the committed schema and operations', () => {
  const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/check-generated.cjs')], { encoding: 'utf8', cwd: ROOT });
  expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: '' });
});

test('every query and mutation of the schema has an operation document', () => {
  const schema = fs.readFileSync(path.join(ROOT, 'schema/schema.graphql'), 'utf8');
  const rootFields = (type: string) => {
    const block = new RegExp(`type ${type} \\{([\\s\\S]*?)\\n\\}`).exec(schema)?.[1] ?? '';
    return [...block.matchAll(/^\s{2}(\w+)[(:]/gm)].map((m) => m[1]);
  };
  const operations = fs
    .readdirSync(path.join(ROOT, 'schema/operations'))
    .map((f) => fs.readFileSync(path.join(ROOT, 'schema/operations', f), 'utf8'))
    .join('\n');
  const queries = rootFields('Query');
  const mutations = rootFields('Mutation');
  // Guards the parsing above: if the schema's layout changed, nothing would be checked.
  expect(queries).toEqual(expect.arrayContaining(['me', 'customers', 'receivables', 'payments', 'agingReport']));
  expect(mutations).toEqual(expect.arrayContaining(['login', 'createCustomer', 'recordPayment', 'runOverdueScan']));
  const missing = [...queries, ...mutations].filter((field) => !new RegExp(`\\b${field}\\s*[({]`).test(operations));
  expect(missing).toEqual([]);
});
