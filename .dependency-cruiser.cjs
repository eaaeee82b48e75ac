/**
 * The house rules for imports, checked by `npm run check:deps` (part of `npm test`):
 * no import cycles; the foundation (core/, db/, config.ts, context.ts) imports no area;
 * an area imports only the areas listed before it in server/registry.ts; nothing below
 * the composition root imports it; the SDK imports nothing of the server.
 * The area order is read from server/registry.ts, so it is written down once.
 */
const fs = require('node:fs');
const path = require('node:path');

const registry = fs.readFileSync(path.join(__dirname, 'server/registry.ts'), 'utf8');
const AREAS = [...registry.matchAll(/from '\.\/modules\/([a-z-]+)\//g)].map((m) => m[1]);
if (AREAS.length === 0) throw new Error('no areas found in server/registry.ts');

const areaRules = AREAS.map((area, i) => ({
  name: `area-${area}-imports-only-lower-areas`,
  comment: `${area} may import ${AREAS.slice(0, i).join(', ') || 'no other area'} (the areas before it in server/registry.ts)`,
  severity: 'error',
  from: { path: `^server/modules/${area}/` },
  to: { path: `^server/modules/(${AREAS.slice(i + 1).join('|') || 'x^'})/` },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'An import cycle (type-only imports included) means two files cannot be understood apart.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'foundation-imports-no-area',
      comment: 'core/, db/, config.ts and context.ts are the ground floor: they receive what they need as arguments.',
      severity: 'error',
      from: { path: '^server/(core/|db/|config\\.ts$|context\\.ts$)' },
      to: { path: '^server/modules/' },
    },
    {
      name: 'foundation-imports-no-root',
      comment: 'The foundation does not reach up to the composition root or the process entry.',
      severity: 'error',
      from: { path: '^server/(core/|db/|config\\.ts$|context\\.ts$)' },
      to: { path: '^server/(registry|app|schema|main|playground)\\.ts$|^server/seed/' },
    },
    {
      name: 'areas-do-not-import-the-root',
      comment: 'Areas are composed by server/registry.ts; they never import it, app.ts, schema.ts, main.ts or the seed.',
      severity: 'error',
      from: { path: '^server/modules/' },
      to: { path: '^server/(registry|app|schema|main|playground)\\.ts$|^server/seed/' },
    },
    ...areaRules,
    {
      name: 'sdk-is-standalone',
      comment: 'The SDK runs in browsers and other projects: it imports nothing of the server.',
      severity: 'error',
      from: { path: '^sdk/' },
      to: { path: '^server/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(dist|node_modules|\\.data|\\.test-data)/' },
    // Type-only imports count: a cycle of types is still a cycle for the reader.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs'] },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
