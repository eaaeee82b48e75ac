/** Prometheus metrics of the process, served at GET /metrics. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'huikuan_' });
  return {
    registry,
    requests: new Counter({
      name: 'huikuan_graphql_requests_total',
      help: 'GraphQL operations by root field',
      labelNames: ['operation'],
      registers: [registry],
    }),
    requestDuration: new Histogram({
      name: 'huikuan_graphql_request_duration_seconds',
      help: 'GraphQL operation duration by root field',
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
    jobSqlStatements: new Counter({
      name: 'huikuan_job_db_statements_total',
      help: "SQL statements the job queue's work (webhook deliveries, notifications) sent to PostgreSQL, apart from huikuan_db_statements_total",
      registers: [registry],
    }),
    sqlRoundTrips: new Counter({
      name: 'huikuan_db_round_trips_total',
      help: 'Database round trips by pool: statements sent while none of the pool was in flight (statements in flight together count once)',
      labelNames: ['pool'],
      registers: [registry],
    }),
    loaderBatchSize: new Histogram({
      name: 'huikuan_dataloader_batch_size',
      help: 'Keys per DataLoader batch, by loader',
      labelNames: ['loader'],
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    }),
    scanDuration: new Histogram({
      name: 'huikuan_overdue_scan_duration_seconds',
      help: 'Duration of overdue scans that ran, from the start of the transaction to the end of its commit',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    subscriptionCatchUps: new Counter({
      name: 'huikuan_subscription_catch_ups_total',
      help: 'Live subscribers whose socket fell too far behind (unsent bytes over the high-water mark), so they went on from the event table at their own pace',
      registers: [registry],
    }),
    overdueEvents: new Counter({
      name: 'huikuan_overdue_events_total',
      help: 'Overdue events written by scans of this instance, by type',
      labelNames: ['type'],
      registers: [registry],
    }),
    webhookAttempts: new Counter({
      name: 'huikuan_webhook_attempts_total',
      help: 'Webhook delivery attempts of this instance, by outcome: delivered, failed (retried later), dead (given up)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    webhookAttemptDuration: new Histogram({
      name: 'huikuan_webhook_attempt_duration_seconds',
      help: 'Duration of webhook delivery attempts (the POST and its answer)',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
  };
}

/** A gauge read when /metrics is scraped (areas register their own, e.g. live subscriptions). */
export function registerGauge(metrics: Metrics, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [metrics.registry],
    collect() {
      this.set(read());
    },
  });
}

/** The database pool by state, read when /metrics is scraped. */
export function registerPoolGauge(metrics: Metrics, pool: () => { used: number; free: number; pending: number }): void {
  new Gauge({
    name: 'huikuan_db_pool_connections',
    help: 'Database pool connections by state',
    labelNames: ['state'],
    registers: [metrics.registry],
    collect() {
      const now = pool();
      this.set({ state: 'used' }, now.used);
      this.set({ state: 'free' }, now.free);
      this.set({ state: 'pending' }, now.pending);
    },
  });
}

export type Metrics = ReturnType<typeof createMetrics>;
