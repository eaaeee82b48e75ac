/**
 * Part of `npm run build`: the SDK's browser build (one ESM file, graphql-ws inside, no
 * Node built-ins) and the console bundled from console/ into dist/console, which the
 * server serves at /console. The console imports `@huikuan/sdk` as a frontend team
 * would: resolved through sdk/package.json's exports with the "browser" condition.
 * Prints the sizes (raw and gzipped); fails when the console's JS passes 500 kB gzipped.
 */
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');
const esbuild = require('esbuild');
const { buildSdkBrowser, BROWSER_BUNDLE } = require('./sdk-browser.cjs');

const root = path.resolve(__dirname, '..');
const sdkDir = path.join(root, 'sdk');
const outDir = path.join(root, 'dist/console');
const JS_BUDGET_GZIP = 500 * 1024;

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} kB`;
const sizes = (file) => {
  const bytes = fs.readFileSync(file);
  return { raw: bytes.length, gzip: zlib.gzipSync(bytes, { level: 9 }).length };
};

/** Resolves `@huikuan/sdk` from sdk/package.json's exports, browser condition first, like a bundler in a frontend project. */
const sdkPackage = {
  name: 'huikuan-sdk-package',
  setup(build) {
    build.onResolve({ filter: /^@huikuan\/sdk$/ }, () => {
      const manifest = JSON.parse(fs.readFileSync(path.join(sdkDir, 'package.json'), 'utf8'));
      const entry = manifest.exports['.'].browser;
      if (!entry) return { errors: [{ text: 'sdk/package.json has no "browser" export' }] };
      return { path: path.join(sdkDir, entry) };
    });
  },
};

async function buildConsole() {
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: { app: path.join(root, 'console/main.ts'), app_css: path.join(root, 'console/styles.css') },
    ...BROWSER_BUNDLE,
    outdir: outDir,
    entryNames: '[name]',
    plugins: [sdkPackage],
  });
  fs.renameSync(path.join(outDir, 'app_css.css'), path.join(outDir, 'app.css'));
  fs.renameSync(path.join(outDir, 'app_css.css.map'), path.join(outDir, 'app.css.map'));
  fs.copyFileSync(path.join(root, 'console/index.html'), path.join(outDir, 'index.html'));
  // Compressed once here, so the server sends phones 200 kB instead of 650 without compressing per request.
  for (const file of ['app.js', 'app.css']) {
    fs.writeFileSync(path.join(outDir, `${file}.gz`), zlib.gzipSync(fs.readFileSync(path.join(outDir, file)), { level: 9 }));
  }
}

async function main() {
  const sdkFile = await buildSdkBrowser(sdkDir);
  await buildConsole();
  const sdk = sizes(sdkFile);
  const js = sizes(path.join(outDir, 'app.js'));
  const css = sizes(path.join(outDir, 'app.css'));
  process.stdout.write(
    `SDK browser build  ${path.relative(root, sdkFile)}: ${kb(sdk.raw)} (${kb(sdk.gzip)} gzipped)\n` +
      `console JS         dist/console/app.js: ${kb(js.raw)} (${kb(js.gzip)} gzipped, budget ${kb(JS_BUDGET_GZIP)})\n` +
      `console CSS        dist/console/app.css: ${kb(css.raw)} (${kb(css.gzip)} gzipped)\n`,
  );
  if (js.gzip > JS_BUDGET_GZIP) {
    process.stderr.write(`The console's JS is ${kb(js.gzip)} gzipped, over its ${kb(JS_BUDGET_GZIP)} budget\n`);
    process.exit(1);
  }
}

main().catch((e) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
