/**
 * The SDK's browser build, sdk/dist/browser/index.js: one ESM file with graphql-ws inside,
 * built for browsers (a Node built-in anywhere in the SDK fails it). Used by
 * `npm run build:sdk` (published in the package) and `npm run build` (the console).
 */
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

/** esbuild options of every browser bundle (the SDK's, the console's): one ESM file for browsers, minified, with source maps. */
const BROWSER_BUNDLE = {
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: true,
  // Packages' "browser" files (graphql-ws's); a Node built-in anywhere fails the build.
  conditions: ['browser'],
  logLevel: 'warning',
  legalComments: 'linked',
};

/** The SDK's browser build: sdk/dist/browser/index.js (ESM, everything bundled, for browsers only). */
async function buildSdkBrowser(sdkDir) {
  const outfile = path.join(sdkDir, 'dist/browser/index.js');
  await esbuild.build({ ...BROWSER_BUNDLE, entryPoints: [path.join(sdkDir, 'index.ts')], outfile });
  fs.writeFileSync(path.join(sdkDir, 'dist/browser/package.json'), '{ "type": "module" }\n');
  return outfile;
}

module.exports = { buildSdkBrowser, BROWSER_BUNDLE };
