/**
 * Who may read GET /metrics: with METRICS_TOKEN set, only callers sending it as a bearer
 * token; without one, everyone outside production and nobody in production (metrics
 * name operations, error rates and pool sizes: an attacker's map of the service).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Config } from '../config';

const digest = (value: string) => createHash('sha256').update(value).digest();

export function metricsAccess(config: Pick<Config, 'metricsToken' | 'nodeEnv'>): RequestHandler {
  const expected = config.metricsToken === undefined ? undefined : digest(config.metricsToken);
  return (req, res, next) => {
    if (expected === undefined) {
      if (config.nodeEnv !== 'production') return next();
      res.status(403).json({ error: 'GET /metrics is off in production until METRICS_TOKEN is set' });
      return;
    }
    const given = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization?.trim() ?? '')?.[1];
    // Comparing digests keeps the comparison constant-time whatever the given length.
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
    res.status(401).json({ error: 'GET /metrics needs Authorization: Bearer <METRICS_TOKEN>' });
  };
}
