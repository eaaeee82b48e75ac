/** Prometheus metrics of the process, served at GET /metrics. */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'huikuan_' });
  return {
    registry,
    requests: new Counter({
      name: 'huikuan_graphql_requests_total',
      help: 'GraphQL operations by operation name',
      labelNames: ['operation'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'huikuan_graphql_request_duration_seconds',
      help: 'GraphQL operation duration by operation name',
      labelNames: ['operation'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'huikuan_graphql_errors_total',
      help: 'GraphQL errors by API code',
      labelNames: ['code'],
      registers: [registry],
    }),
    sqlStatements: new Counter({
      name: 'huikuan_db_statements_total',
      help: 'SQL statements sent to PostgreSQL',
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
