/**
 * The SDK's browser build, sdk/dist/browser/index.js: one ESM file with graphql-ws inside,
 * built for browsers (a Node built-in anywhere in the SDK fails it). Used by
 * `npm run build:sdk` (published in the package) and `npm run build` (the console).
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/** The SDK's browser build: sdk/dist/browser/index.js (ESM, everything bundled, for browsers only). */
async function buildSdkBrowser(sdkDir) {
  const outfile = path.join(sdkDir, 'dist/browser/index.js');
  await esbuild.build({
    entryPoints: [path.join(sdkDir, 'index.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    sourcemap: true,
    // graphql-ws's "browser" files; a Node built-in anywhere in the SDK fails the build here.
    conditions: ['browser'],
    logLevel: 'warning',
    legalComments: 'linked',
  });
  fs.writeFileSync(path.join(sdkDir, 'dist/browser/package.json'), '{ "type": "module" }\n');
  return outfile;
}

module.exports = { buildSdkBrowser };
