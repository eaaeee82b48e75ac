/**
 * Webhook endpoints and their delivery log, for ADMIN: register (the secret shown once),
 * change, rotate the secret with an overlap, disable, read the log, send one delivery
 * again, replay from a stream cursor. Every change that gives an endpoint work enqueues its
 * drain in the same transaction.
 */
import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../../core/auth';
import { Permission, requireAccess } from '../../core/access';
import { badInput, conflict, CoreErrorReason, notFound } from '../../core/errors';
import { type Page, pageSize } from '../../core/pagination';
import { enqueueJob } from '../../db/job-queue';
import { isUuid } from '../../db/sql';
import { decodeEventCursor } from '../overdue/overdue.events';
import type { OverdueEventType } from '../overdue/overdue.types';
import { type AddressPolicy, checkWebhookUrl } from './webhook.address';
import { DELIVER_TASK, drainKey } from './webhook.delivery';
import { WebhookErrorReason } from './webhook.errors';
import {
  DELIVERY,
  deliveryPage,
  DISABLE_ENDPOINT,
  ENDPOINT,
  ENDPOINTS,
  type EndpointSettings,
  INSERT_ENDPOINT,
  REDELIVER,
  REWIND_ENDPOINT,
  ROTATE_SECRET,
  typesLiteral,
  UPDATE_ENDPOINT,
} from './webhook.queries';
import { type UpdateWebhookEndpointInput, WebhookDelivery, WebhookDeliveryStatus, WebhookEndpoint, type WebhookSecretPayload } from './webhook.types';

const MAX_DESCRIPTION_LENGTH = 500;
/** The longest overlap rotateWebhookSecret accepts: a week. */
export const MAX_OVERLAP_SECONDS = 7 * 24 * 3600;

export interface WebhookRules {
  policy: AddressPolicy;
  secretOverlapSeconds: number;
}

/** The stream's filter (OverdueEventFilter), as given or as stored. */
export interface EndpointFilter {
  customerId?: string | null;
  salespersonId?: string | null;
  minStage?: number | null;
  types?: OverdueEventType[] | null;
}

export interface NewEndpoint {
  url: string;
  eventTypes?: OverdueEventType[] | null;
  filter?: EndpointFilter | null;
  description?: string | null;
}

/** A new signing secret: 32 random bytes. */
function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

export class WebhookService {
  constructor(
    private readonly em: EntityManager,
    private readonly rules: WebhookRules,
  ) {}

  async create(principal: Principal, input: NewEndpoint): Promise<WebhookSecretPayload> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const settings = await this.settings(input, '');
    const secret = newSecret();
    const endpoint = await INSERT_ENDPOINT.one(this.em, { ...settings, secret, createdBy: principal.userId });
    return { endpoint, secret };
  }

  async update(principal: Principal, id: string, input: UpdateWebhookEndpointInput): Promise<WebhookEndpoint> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const current = await this.endpoint(id);
    const settings = await this.settings(
      {
        url: input.url ?? current.url,
        eventTypes: input.eventTypes === undefined || input.eventTypes === null ? current.eventTypes : input.eventTypes,
        filter: input.filter === undefined || input.filter === null ? current.filter : input.filter,
        description: input.description === undefined ? current.description : input.description,
      },
      'input.',
    );
    return this.em.transactional(async (em) => {
      const updated = await UPDATE_ENDPOINT.one(em, { ...settings, id: current.id, enable: input.enabled === true });
      if (input.enabled === false) return DISABLE_ENDPOINT.one(em, { id: current.id, reason: 'disabled by an administrator' });
      // Enabled (again): what accumulated meanwhile goes out now.
      if (updated.enabled) await this.wake(em, updated.id);
      return updated;
    });
  }

  async rotateSecret(principal: Principal, id: string, overlapSeconds: number | null | undefined): Promise<WebhookSecretPayload> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const overlap = overlapSeconds ?? this.rules.secretOverlapSeconds;
    if (!Number.isInteger(overlap) || overlap < 0 || overlap > MAX_OVERLAP_SECONDS) {
      throw badInput('overlapSeconds', `overlapSeconds must be from 0 to ${MAX_OVERLAP_SECONDS}`, CoreErrorReason.OUT_OF_RANGE);
    }
    const current = await this.endpoint(id);
    const secret = newSecret();
    const endpoint = await ROTATE_SECRET.one(this.em, { id: current.id, secret, overlapSeconds: overlap });
    return { endpoint, secret };
  }

  async disable(principal: Principal, id: string): Promise<WebhookEndpoint> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const current = await this.endpoint(id);
    return DISABLE_ENDPOINT.one(this.em, { id: current.id, reason: 'disabled by an administrator' });
  }

  async list(principal: Principal, enabledOnly: boolean): Promise<WebhookEndpoint[]> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    return ENDPOINTS.all(this.em, { enabledOnly });
  }

  async deliveries(
    principal: Principal,
    endpointId: string,
    status: WebhookDeliveryStatus | null | undefined,
    first: number | null | undefined,
    after: string | null | undefined,
    count: boolean,
  ): Promise<Page<WebhookDelivery>> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const endpoint = await this.endpoint(endpointId, 'endpointId');
    return deliveryPage(this.em, { endpointId: endpoint.id, status: status ?? null, first: pageSize(first), after, count });
  }

  /** Sends the delivery's event to its endpoint again (next in its line); answers the new delivery. */
  async redeliver(principal: Principal, deliveryId: string): Promise<WebhookDelivery> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    const source = isUuid(deliveryId) ? await DELIVERY.maybeOne(this.em, { id: deliveryId }) : undefined;
    if (!source) throw notFound('Webhook delivery', deliveryId, 'deliveryId');
    await this.requireEnabled(source.endpointId);
    return this.em.transactional(async (em) => {
      const id = await REDELIVER.one(em, { id: source.id });
      await this.wake(em, source.endpointId);
      return DELIVERY.one(em, { id });
    });
  }

  /**
   * Sends every event after `afterCursor` (a stream cursor: an event's `cursor`, or a
   * delivery's `eventCursor`) that the endpoint wants again, in order; null: from the
   * start of the stream. An integrator restored from a backup replays from the last event
   * it still has.
   */
  async replay(principal: Principal, endpointId: string, afterCursor: string | null | undefined): Promise<WebhookEndpoint> {
    requireAccess(principal, Permission.WEBHOOKS_MANAGE);
    let afterSeq: string | undefined;
    try {
      afterSeq = decodeEventCursor(afterCursor);
    } catch {
      throw badInput('afterCursor', 'afterCursor is not a cursor of the overdue event stream', CoreErrorReason.INVALID_CURSOR);
    }
    const endpoint = await this.endpoint(endpointId, 'endpointId');
    await this.requireEnabled(endpoint.id);
    return this.em.transactional(async (em) => {
      const rewound = await REWIND_ENDPOINT.one(em, { id: endpoint.id, afterSeq: afterSeq ?? '0' });
      await this.wake(em, endpoint.id);
      return rewound;
    });
  }

  private wake(em: EntityManager, endpointId: string): Promise<void> {
    return enqueueJob(em, DELIVER_TASK, { endpointId }, { jobKey: drainKey(endpointId), mode: 'replace' });
  }

  private async requireEnabled(endpointId: string): Promise<void> {
    const endpoint = await this.endpoint(endpointId);
    if (!endpoint.enabled) throw conflict('the endpoint is disabled: enable it with updateWebhookEndpoint first', WebhookErrorReason.WEBHOOK_ENDPOINT_DISABLED);
  }

  private async endpoint(id: string, field = 'id'): Promise<WebhookEndpoint> {
    const endpoint = isUuid(id) ? await ENDPOINT.maybeOne(this.em, { id }) : undefined;
    if (!endpoint) throw notFound('Webhook endpoint', id, field);
    return endpoint;
  }

  /** Checked settings; `prefix` names the fields as the mutation has them (`input.` for updates). */
  private async settings(input: NewEndpoint, prefix: string): Promise<EndpointSettings> {
    const url = await checkWebhookUrl(input.url, this.rules.policy, `${prefix}url`);
    const description = input.description?.trim() || null;
    if (description && description.length > MAX_DESCRIPTION_LENGTH) {
      throw badInput(`${prefix}description`, `description may have at most ${MAX_DESCRIPTION_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
    }
    const filter = input.filter;
    if (filter?.minStage !== undefined && filter.minStage !== null && filter.minStage < 1) {
      throw badInput(`${prefix}filter.minStage`, 'minStage must be at least 1', CoreErrorReason.OUT_OF_RANGE);
    }
    for (const [key, value] of [
      ['customerId', filter?.customerId],
      ['salespersonId', filter?.salespersonId],
    ] as const) {
      if (value && !isUuid(value)) throw badInput(`${prefix}filter.${key}`, `${key} is not an id`, CoreErrorReason.INVALID_FORMAT);
    }
    return {
      url,
      description,
      eventTypes: typesLiteral(input.eventTypes),
      customerId: filter?.customerId ?? null,
      salespersonId: filter?.salespersonId ?? null,
      minStage: filter?.minStage ?? null,
      types: typesLiteral(filter?.types),
    };
  }
}
