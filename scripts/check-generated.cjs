/**
 * Exits 1 when sdk/generated differs from what graphql-codegen makes of the committed
 * schema and operations (`npm run codegen` fixes it). Runs outside jest, which cannot
 * load the codegen CLI's ES modules.
 */
const fs = require('node:fs');
const path = require('node:path');
const { generate, loadCodegenConfig } = require('@graphql-codegen/cli');

async function main() {
  const root = path.resolve(__dirname, '..');
  const { config } = await loadCodegenConfig({ configFilePath: path.join(root, 'codegen.ts') });
  const outputs = await generate({ ...config, cwd: root, silent: true }, false);
  const stale = outputs.filter((o) => {
    const file = path.resolve(root, o.filename);
    return !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== o.content;
  });
  if (stale.length > 0) {
    process.stderr.write(`stale generated files: ${stale.map((o) => o.filename).join(', ')} (run npm run codegen)\n`);
    process.exit(1);
  }
  process.stdout.write(`${outputs.length} generated file(s) up to date\n`);
}

main().catch((e) => {
  process.stderr.write(`${e && e.stack ? e.stack : e}\n`);
  process.exit(2);
});
