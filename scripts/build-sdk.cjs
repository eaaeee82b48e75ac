/**
 * `npm run build:sdk`: ESM and CommonJS builds of sdk/ with type declarations, each
 * folder marked with its module type so Node picks the right loader, and the browser build.
 */
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { buildSdkBrowser } = require('./sdk-browser.cjs');

const sdk = path.resolve(__dirname, '../sdk');
const tsc = require.resolve('typescript/bin/tsc');
fs.rmSync(path.join(sdk, 'dist'), { recursive: true, force: true });
for (const config of ['tsconfig.esm.json', 'tsconfig.cjs.json']) {
  execFileSync(process.execPath, [tsc, '-p', path.join(sdk, config)], { stdio: 'inherit' });
}
fs.writeFileSync(path.join(sdk, 'dist/esm/package.json'), '{ "type": "module" }\n');
fs.writeFileSync(path.join(sdk, 'dist/cjs/package.json'), '{ "type": "commonjs" }\n');
buildSdkBrowser(sdk).then(
  () => process.stdout.write(`built ${path.relative(process.cwd(), path.join(sdk, 'dist'))} (esm, cjs, browser, types)\n`),
  (e) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  },
);
