/**
 * The GraphQL playground, served from installed packages so it works with no internet
 * access: GraphiQL (with React) and the graphql-ws browser client.
 */
import path from 'node:path';
import express, { Router } from 'express';

/** Served file name → [package, path inside the package]. */
const ASSETS: Record<string, [string, string]> = {
  'graphiql.min.css': ['graphiql', 'graphiql.min.css'],
  'graphiql.min.js': ['graphiql', 'graphiql.min.js'],
  'react.production.min.js': ['react', 'umd/react.production.min.js'],
  'react-dom.production.min.js': ['react-dom', 'umd/react-dom.production.min.js'],
  'graphql-ws.min.js': ['graphql-ws', 'umd/graphql-ws.min.js'],
};

/** Package exports hide these browser builds from require.resolve; the package folder does not. */
function assetPath(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

/** The folder of this module's static files, from source (ts) or compiled output (dist). */
function playgroundDir(): string {
  return path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../server/playground' : 'playground');
}

export function playgroundRouter(): Router {
  const router = Router();
  const dir = playgroundDir();
  for (const [file, [pkg, inner]] of Object.entries(ASSETS)) {
    const resolved = assetPath(pkg, inner);
    router.get(`/playground/${file}`, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.sendFile(resolved);
    });
  }
  router.get('/playground/playground.js', (_req, res) => res.sendFile(path.join(dir, 'playground.js')));
  router.use('/playground', express.static(dir, { index: false }));
  return router;
}

export function playgroundHtmlPath(): string {
  return path.join(playgroundDir(), 'index.html');
}
