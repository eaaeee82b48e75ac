/**
 * The browser console at /console: the files `npm run build` bundles from console/ into
 * dist/console, served by this server so it works with no internet. Its
 * Content-Security-Policy allows this origin only: scripts, styles, fetches and the
 * WebSocket all go to the server that served the page, and nothing inline runs.
 *
 * The page carries the server's business date and the company's time zone (two `meta`
 * elements): the console's "today" is the company's, not the browser's calendar (a
 * manager in another zone, or a browser on UTC after 16:00, would otherwise see
 * yesterday's worklist), and a server with a fixed CLOCK_DATE is shown that date.
 */
import fs from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import type { Clock } from './core/clock';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** dist/console, from compiled output (dist/server) or from source (server/). */
function consoleDir(): string {
  return path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../console' : '../dist/console');
}

/** What the page needs of the server to know which day it is. */
export interface ConsoleCalendar {
  clock: Clock;
  timeZone: string;
}

const escapeAttribute = (value: string): string => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** index.html with the business date and time zone in its head (read at each request: it is small, and a rebuild shows at once). */
function pageWithCalendar(html: string, calendar: ConsoleCalendar): string {
  const meta =
    `<meta name="huikuan-today" content="${escapeAttribute(calendar.clock.today())}" />\n` +
    `    <meta name="huikuan-time-zone" content="${escapeAttribute(calendar.timeZone)}" />\n    `;
  return html.replace('<title>', `${meta}<title>`);
}

export function consoleRouter(calendar: ConsoleCalendar): Router {
  const router = Router();
  const dir = consoleDir();
  router.use('/console', (_req, res, next) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });
  // /console → /console/ so the page's relative asset paths resolve under it.
  router.get('/console', (req, res, next) => {
    if (req.path !== '/console') return next();
    res.redirect(301, '/console/');
  });
  router.get('/console/', (_req, res) => {
    const index = path.join(dir, 'index.html');
    if (!fs.existsSync(index)) {
      res.status(503).type('text/plain').send('The console is not built: run `npm run build`.\n');
      return;
    }
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(pageWithCalendar(fs.readFileSync(index, 'utf8'), calendar));
  });
  // The bundles were gzipped at build: sent as they are to every browser that accepts gzip.
  const CONTENT_TYPES: Record<string, string> = { 'app.js': 'text/javascript; charset=utf-8', 'app.css': 'text/css; charset=utf-8' };
  router.get(['/console/app.js', '/console/app.css'], (req, res, next) => {
    const file = path.basename(req.path);
    const gzipped = path.join(dir, `${file}.gz`);
    res.setHeader('Vary', 'Accept-Encoding');
    if (!req.acceptsEncodings('gzip') || !fs.existsSync(gzipped)) return next();
    res.setHeader('Content-Encoding', 'gzip');
    res.setHeader('Content-Type', CONTENT_TYPES[file]);
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(gzipped);
  });
  router.use('/console', express.static(dir, { index: false, fallthrough: true, setHeaders: (res) => res.setHeader('Cache-Control', 'no-cache') }));
  return router;
}
