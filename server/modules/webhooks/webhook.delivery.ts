/**
 * Delivering to one endpoint: the job `webhook_deliver` drains the endpoint's open
 * deliveries in event order, one at a time, after turning new stream events into
 * delivery rows. One drain per endpoint runs at a time across all instances (a session
 * advisory lock, released by PostgreSQL if the process dies), so deliveries to an
 * endpoint leave in event order; different endpoints drain in parallel, up to
 * DELIVERY_CONCURRENCY per process.
 *
 * A failed attempt stops the endpoint's line until its retry is due (exponential backoff
 * with jitter); the job is enqueued again for that time. A delivery still failing when its
 * retry window ends is DEAD, and the line moves on. At-least-once: a process that dies
 * between the receiver's answer and the row's update sends that event again after the
 * restart (the receiver dedupes by Huikuan-Event-Id).
 */
import { createHmac } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Logger } from 'pino';
import type { WebhookConfig } from '../../config';
import { ExtensionPoint } from '../../core/extension-points';
import type { Metrics } from '../../core/prometheus';
import { enqueueJob, type JobHelpers, withSessionLock } from '../../db/job-queue';
import type { AddressPolicy } from './webhook.address';
import { postJson } from './webhook.http';
import { ENABLED_ENDPOINT_IDS, ENDPOINT_TARGET, MATERIALIZE, OPEN_DELIVERIES, type OpenDelivery, RECORD_DELIVERED, RECORD_FAILED } from './webhook.queries';
import { WebhookDeliveryStatus } from './webhook.types';

/** An endpoint the deliveries disabled (consecutive dead deliveries). */
export interface DisabledEndpoint {
  id: string;
  url: string;
  deadInARow: number;
}

/** Who hears that deliveries disabled an endpoint (the notifications area tells the ADMINs). */
export const ENDPOINT_DISABLED = new ExtensionPoint<(endpoint: DisabledEndpoint) => Promise<void>>('webhook endpoint disabled');

export const DELIVER_TASK = 'webhook_deliver';
export const SWEEP_TASK = 'webhook_sweep';

/** The job key of an endpoint's drain: one waiting job per endpoint. */
export function drainKey(endpointId: string): string {
  return `webhook:${endpointId}`;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, one v1 per secret that signs now
 * (the new one first; during a rotation's overlap the one before too).
 */
export function signatureHeader(body: string, secrets: readonly string[], unixSeconds: number): string {
  const signed = `${unixSeconds}.${body}`;
  return [`t=${unixSeconds}`, ...secrets.map((secret) => `v1=${createHmac('sha256', secret).update(signed).digest('hex')}`)].join(',');
}

/** Open deliveries read per round, new stream events turned into rows per round. */
const OPEN_BATCH = 100;
const MATERIALIZE_BATCH = 500;
/** Longest retry delay before jitter. */
const MAX_RETRY_DELAY_MS = 3_600_000;
/** How soon a drain that found its endpoint busy (another instance drains it) looks again. */
const BUSY_RETRY_MS = 1000;
/** A retry due within this waits in the job; a later one is a job scheduled for its time (the queue polls each second). */
const WAIT_IN_JOB_MS = 1000;

export class WebhookDeliverer {
  private readonly policy: AddressPolicy;

  constructor(
    private readonly orm: MikroORM,
    private readonly config: WebhookConfig,
    production: boolean,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly onDisabled: readonly ((endpoint: DisabledEndpoint) => Promise<void>)[],
  ) {
    this.policy = { allowPrivate: config.allowPrivate, allowHttp: config.allowHttp || !production };
  }

  /** The job: drains the endpoint unless another drain holds it (then looks again shortly). */
  async run(endpointId: string, helpers: JobHelpers): Promise<void> {
    const drained = await helpers.withPgClient((client) => withSessionLock(client, drainKey(endpointId), () => this.drain(endpointId, helpers.abortSignal)));
    if (!drained) await this.schedule(endpointId, new Date(Date.now() + BUSY_RETRY_MS), 'replace');
    // Stopped by a shutdown: the rest is a job again, for another instance or the next start.
    else if (helpers.abortSignal?.aborted) await this.schedule(endpointId, undefined, 'replace');
  }

  /** Every enabled endpoint gets a drain (start-up, and every minute): work a dead process left behind resumes. */
  async sweep(): Promise<void> {
    const em = this.orm.em.fork();
    for (const id of await ENABLED_ENDPOINT_IDS.all(em)) await this.schedule(id, undefined, 'preserve_run_at');
  }

  private schedule(endpointId: string, runAt: Date | undefined, mode: 'replace' | 'preserve_run_at'): Promise<void> {
    return enqueueJob(this.orm.em.fork(), DELIVER_TASK, { endpointId }, { jobKey: drainKey(endpointId), runAt, mode });
  }

  private async drain(endpointId: string, stopping: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const em = this.orm.em.fork();
      const target = await ENDPOINT_TARGET.maybeOne(em, { id: endpointId });
      if (!target?.enabled) return;
      const open = await OPEN_DELIVERIES.all(em, { endpointId, limit: OPEN_BATCH });
      if (open.length === 0) {
        if ((await MATERIALIZE.one(em, { endpointId, limit: MATERIALIZE_BATCH })) === 0) return;
        continue;
      }
      const url = new URL(target.url);
      for (const delivery of open) {
        if (stopping?.aborted) return;
        const wait = delivery.nextAttemptAt.getTime() - Date.now();
        if (wait > WAIT_IN_JOB_MS) {
          // The line waits for its head's retry.
          await this.schedule(endpointId, delivery.nextAttemptAt, 'replace');
          return;
        }
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        const attempt = await postJson(url, delivery.body, this.policy, this.config.timeoutMs, {
          'huikuan-event-id': delivery.eventId,
          'huikuan-signature': signatureHeader(delivery.body, target.secrets, Math.floor(Date.now() / 1000)),
        });
        this.metrics.webhookAttemptDuration.observe(attempt.durationMs / 1000);
        if (attempt.error === null) {
          await RECORD_DELIVERED.run(em, { ...attempt, id: delivery.id, endpointId });
          this.metrics.webhookAttempts.inc({ outcome: 'delivered' });
          continue;
        }
        const outcome = await RECORD_FAILED.one(em, {
          ...attempt,
          id: delivery.id,
          endpointId,
          delayMs: this.retryDelayMs(delivery),
          retryForMs: this.config.retryForMs,
          disableAfter: this.config.deadDeliveriesToDisable,
        });
        this.metrics.webhookAttempts.inc({ outcome: outcome.status === WebhookDeliveryStatus.DEAD ? 'dead' : 'failed' });
        if (outcome.disabledEndpoint) {
          this.logger.error(
            { endpointId, deadInARow: this.config.deadDeliveriesToDisable },
            `webhook endpoint ${endpointId} disabled after ${this.config.deadDeliveriesToDisable} consecutive dead deliveries`,
          );
          const disabled = { id: endpointId, url: target.url, deadInARow: this.config.deadDeliveriesToDisable };
          for (const listener of this.onDisabled) {
            await listener(disabled).catch((err: unknown) => this.logger.error({ err, endpointId }, 'telling of a disabled webhook endpoint failed'));
          }
          return;
        }
        // FAILED: the line waits for this delivery's retry (the next round reads it again first).
        if (outcome.status === WebhookDeliveryStatus.FAILED) break;
      }
    }
  }

  /** Exponential backoff from WEBHOOK_RETRY_BASE (doubling per attempt, at most an hour), with ±25 % jitter. */
  private retryDelayMs(delivery: OpenDelivery): number {
    const exponential = Math.min(this.config.retryBaseMs * 2 ** Math.min(delivery.attempts, 30), MAX_RETRY_DELAY_MS);
    return Math.round(exponential * (0.75 + Math.random() * 0.5));
  }
}
