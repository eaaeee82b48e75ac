/**
 * The webhooks area: integrators' endpoints that receive the one event stream
 * (`overdue_event`, the overdue area's) as signed HTTP POSTs, delivered by the job queue
 * with retries, a delivery log, redelivery and replay. A trigger on the event table
 * enqueues each endpoint's drain in the transaction that writes the events; a sweep at
 * start-up and every minute picks up what a dead process left.
 */
import { defineArea, type RequestScope } from '../../core/module';
import type { JobHelpers } from '../../db/job-queue';
import { WebhookDeliverer, DELIVER_TASK, ENDPOINT_DISABLED, SWEEP_TASK } from './webhook.delivery';
import { WebhookErrorReason } from './webhook.errors';
import { WebhookResolver } from './webhook.resolver';
import { WebhookService } from './webhook.service';
import { Migration20261220000000_webhooks } from './migrations/Migration20261220000000_webhooks';
import { Migration20261225010000_webhook_enqueue_on_events } from './migrations/Migration20261225010000_webhook_enqueue_on_events';

declare module '../../context' {
  interface Services {
    webhooks: WebhookService;
  }
}

export const webhooksArea = defineArea({
  name: 'webhooks',
  migrations: [
    { name: 'Migration20261220000000_webhooks', class: Migration20261220000000_webhooks },
    { name: 'Migration20261225010000_webhook_enqueue_on_events', class: Migration20261225010000_webhook_enqueue_on_events },
  ],
  resolvers: [WebhookResolver],
  reasons: WebhookErrorReason,
  setup({ jobs, config, logger, metrics, extensions }) {
    const production = config.nodeEnv === 'production';
    const rules = {
      policy: { allowPrivate: config.webhooks.allowPrivate, allowHttp: config.webhooks.allowHttp || !production },
      secretOverlapSeconds: config.webhooks.secretOverlapSeconds,
    };
    const deliverer = new WebhookDeliverer(jobs, config.webhooks, production, logger, metrics, extensions.list(ENDPOINT_DISABLED));
    return {
      services: ({ em }: RequestScope) => ({ webhooks: new WebhookService(em, rules) }),
      tasks: {
        [DELIVER_TASK]: (payload: unknown, helpers: JobHelpers) => deliverer.run((payload as { endpointId: string }).endpointId, helpers),
        [SWEEP_TASK]: () => deliverer.sweep(),
      },
      // Every minute; one instance runs each tick (graphile-worker's cron). The first sweep at start-up.
      cron: [`* * * * * ${SWEEP_TASK} ?max=1`],
      start: () => deliverer.sweep(),
    };
  },
});
