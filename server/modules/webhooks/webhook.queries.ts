/**
 * The webhooks area's SQL: endpoints, turning the event stream into delivery rows per
 * endpoint (its cursor), the open deliveries in event order with their events, recording
 * attempts, and the delivery log.
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import { type Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, defineStatement, pgArray, type SqlRow, Where } from '../../db/sql';
import { encodeEventCursor } from '../overdue/overdue.events';
import type { AttemptRecord } from './webhook.http';
import { OverdueEventType } from '../overdue/overdue.types';
import { WebhookDelivery, WebhookDeliveryAttempt, WebhookDeliveryStatus, WebhookEndpoint } from './webhook.types';

const ENDPOINT_COLUMNS = `w.id, w.url, w.description, w.event_types, w.filter_customer_id, w.filter_salesperson_id, w.filter_min_stage,
  w.filter_types, w.enabled, w.disabled_reason, w.disabled_at, w.consecutive_dead, w.cursor_seq::text as cursor_seq, w.created_at,
  case when w.previous_secret_until > now() then w.previous_secret_until end as previous_secret_until`;

function typesOrNull(row: SqlRow, name: string): OverdueEventType[] | null {
  if (row.isNull(name)) return null;
  const values = row.raw[name] as string[];
  return values.map((v) => OverdueEventType[v as keyof typeof OverdueEventType]);
}

function decodeEndpoint(row: SqlRow): WebhookEndpoint {
  return Object.assign(new WebhookEndpoint(), {
    id: row.text('id'),
    url: row.text('url'),
    description: row.textOrNull('description'),
    eventTypes: typesOrNull(row, 'event_types'),
    filter: {
      customerId: row.textOrNull('filter_customer_id'),
      salespersonId: row.textOrNull('filter_salesperson_id'),
      minStage: row.intOrNull('filter_min_stage'),
      types: typesOrNull(row, 'filter_types'),
    },
    enabled: row.bool('enabled'),
    disabledReason: row.textOrNull('disabled_reason'),
    disabledAt: row.isNull('disabled_at') ? null : row.timestamp('disabled_at'),
    consecutiveDeadDeliveries: row.int('consecutive_dead'),
    previousSecretValidUntil: row.isNull('previous_secret_until') ? null : row.timestamp('previous_secret_until'),
    cursor: encodeEventCursor(row.text('cursor_seq')),
    createdAt: row.timestamp('created_at'),
  });
}

/** An endpoint's settings as stored (arrays as PostgreSQL array literals, null for "any"). */
export interface EndpointSettings {
  url: string;
  description: string | null;
  eventTypes: string | null;
  customerId: string | null;
  salespersonId: string | null;
  minStage: number | null;
  types: string | null;
}

/** Event types as a text[] literal; null (no restriction) for none. */
export function typesLiteral(types: readonly string[] | null | undefined): string | null {
  return types && types.length > 0 ? pgArray(types) : null;
}

/** A new endpoint: it receives the events written after it (its cursor starts at the newest). */
export const INSERT_ENDPOINT = defineQuery<EndpointSettings & { secret: string; createdBy: string }, WebhookEndpoint>({
  text: `insert into webhook_endpoint as w (url, description, event_types, filter_customer_id, filter_salesperson_id, filter_min_stage, filter_types,
                                          secret, cursor_seq, created_by)
         values (:url, :description, cast(:eventTypes as text[]), cast(:customerId as uuid), cast(:salespersonId as uuid), :minStage,
                 cast(:types as text[]), :secret, (select coalesce(max(seq), 0) from overdue_event), :createdBy)
         returning ${ENDPOINT_COLUMNS}`,
  decode: decodeEndpoint,
});

export const UPDATE_ENDPOINT = defineQuery<EndpointSettings & { id: string; enable: boolean }, WebhookEndpoint>({
  text: `update webhook_endpoint w
            set url = :url, description = :description, event_types = cast(:eventTypes as text[]),
                filter_customer_id = cast(:customerId as uuid), filter_salesperson_id = cast(:salespersonId as uuid),
                filter_min_stage = :minStage, filter_types = cast(:types as text[]), updated_at = now(),
                enabled = w.enabled or :enable,
                disabled_reason = case when :enable then null else w.disabled_reason end,
                disabled_at = case when :enable then null else w.disabled_at end,
                consecutive_dead = case when :enable and not w.enabled then 0 else w.consecutive_dead end
          where w.id = cast(:id as uuid)
         returning ${ENDPOINT_COLUMNS}`,
  decode: decodeEndpoint,
});

export const DISABLE_ENDPOINT = defineQuery<{ id: string; reason: string }, WebhookEndpoint>({
  text: `update webhook_endpoint w
            set enabled = false, disabled_reason = coalesce(case when w.enabled then null else w.disabled_reason end, :reason),
                disabled_at = coalesce(case when w.enabled then null else w.disabled_at end, now()), updated_at = now()
          where w.id = cast(:id as uuid)
         returning ${ENDPOINT_COLUMNS}`,
  decode: decodeEndpoint,
});

/** The new secret signs from now on; the one before also signs for `overlapSeconds`. */
export const ROTATE_SECRET = defineQuery<{ id: string; secret: string; overlapSeconds: number }, WebhookEndpoint>({
  text: `update webhook_endpoint w
            set previous_secret = case when :overlapSeconds > 0 then w.secret end,
                previous_secret_until = case when :overlapSeconds > 0 then now() + make_interval(secs => :overlapSeconds) end,
                secret = :secret, updated_at = now()
          where w.id = cast(:id as uuid)
         returning ${ENDPOINT_COLUMNS}`,
  decode: decodeEndpoint,
});

/** A replay: the cursor moves back to `afterSeq` (never forward: no event is skipped). */
export const REWIND_ENDPOINT = defineQuery<{ id: string; afterSeq: string }, WebhookEndpoint>({
  text: `update webhook_endpoint w set cursor_seq = least(w.cursor_seq, cast(:afterSeq as bigint)), updated_at = now()
          where w.id = cast(:id as uuid)
         returning ${ENDPOINT_COLUMNS}`,
  decode: decodeEndpoint,
});

export const ENDPOINT = defineQuery<{ id: string }, WebhookEndpoint>({
  text: `select ${ENDPOINT_COLUMNS} from webhook_endpoint w where w.id = cast(:id as uuid)`,
  decode: decodeEndpoint,
});

export const ENDPOINTS = defineQuery<{ enabledOnly: boolean }, WebhookEndpoint>({
  text: `select ${ENDPOINT_COLUMNS} from webhook_endpoint w where w.enabled or not :enabledOnly order by w.created_at, w.id`,
  decode: decodeEndpoint,
});

/** The enabled endpoints' ids (the start-up and periodic nudge). */
export const ENABLED_ENDPOINT_IDS = defineQuery<Record<never, never>, string>({
  text: 'select id from webhook_endpoint where enabled',
  decode: (row) => row.text('id'),
});

// ── Delivering ─────────────────────────────────────────────────────────────────

/** What a delivery needs of its endpoint: where, and the secrets that sign now. */
export interface EndpointTarget {
  url: string;
  enabled: boolean;
  secrets: string[];
}

export const ENDPOINT_TARGET = defineQuery<{ id: string }, EndpointTarget>({
  text: `select url, enabled, secret, case when previous_secret_until > now() then previous_secret end as previous_secret
           from webhook_endpoint where id = cast(:id as uuid)`,
  decode: (row) => ({
    url: row.text('url'),
    enabled: row.bool('enabled'),
    secrets: row.isNull('previous_secret') ? [row.text('secret')] : [row.text('secret'), row.text('previous_secret')],
  }),
});

/**
 * The next events of the stream after the endpoint's cursor that it wants (its types and
 * filter, the stream's filter semantics) become delivery rows, in one statement, and the
 * cursor moves past what was looked at: the last row taken when the batch is full, else
 * the newest event this statement sees. Events commit in seq order (every writer holds
 * the stream's lock, overdue.append.ts), so no event can later appear below that.
 *
 * The cursor moves only if no replay moved it meanwhile (`cursor_seq` unchanged); the rows
 * made stay (they are events after the replay's cursor too, and an open row is never
 * made twice).
 */
export const MATERIALIZE = defineQuery<{ endpointId: string; limit: number }, number>({
  text: `with ep as (
           select * from webhook_endpoint where id = cast(:endpointId as uuid) and enabled
         ),
         batch as (
           select e.seq
             from ep join overdue_event e on e.seq > ep.cursor_seq
            where (ep.event_types is null or e.type = any (ep.event_types))
              and (ep.filter_types is null or e.type = any (ep.filter_types))
              and (ep.filter_customer_id is null or e.customer_id = ep.filter_customer_id)
              and (ep.filter_salesperson_id is null or e.salesperson_id = ep.filter_salesperson_id)
              and (ep.filter_min_stage is null or greatest(coalesce(e.stage, 0), coalesce(e.previous_stage, 0)) >= ep.filter_min_stage)
            order by e.seq
            limit :limit
         ),
         made as (
           insert into webhook_delivery (endpoint_id, event_seq)
           select ep.id, b.seq from ep cross join batch b order by b.seq
           on conflict do nothing
           returning 1
         ),
         moved as (
           update webhook_endpoint w
              set cursor_seq = case when (select count(*) from batch) >= :limit then (select max(seq) from batch)
                                    else greatest(w.cursor_seq, (select coalesce(max(seq), 0) from overdue_event)) end
             from ep
            where w.id = ep.id and w.cursor_seq = ep.cursor_seq
         )
         select (select count(*) from batch)::int as taken, (select count(*) from made)::int as made`,
  decode: (row) => row.int('taken'),
});

/** An open delivery with its event, as it is sent. */
export interface OpenDelivery {
  id: string;
  eventId: string;
  /** When the next attempt is due (PENDING: now). */
  nextAttemptAt: Date;
  /** Attempts made so far. */
  attempts: number;
  /** The JSON body: the event as the stream gives it, plus the customer and receivable it is about. */
  body: string;
}

/** The body's fields in a fixed order: the subscription's OverdueEvent fields, with `id` and `type` first. */
function eventBody(row: SqlRow): string {
  const seq = row.bigintText('event_seq');
  return JSON.stringify({
    id: row.text('event_id'),
    type: row.text('type'),
    cursor: encodeEventCursor(seq),
    occurredAt: row.timestamp('occurred_at').toISOString(),
    asOf: row.date('as_of'),
    stage: row.intOrNull('stage'),
    previousStage: row.intOrNull('previous_stage'),
    daysOverdue: row.intOrNull('days_overdue'),
    outstanding: row.textOrNull('outstanding'),
    state: row.textOrNull('state'),
    previousState: row.textOrNull('previous_state'),
    amount: row.textOrNull('amount'),
    detail: row.textOrNull('detail'),
    customer: { id: row.text('customer_id'), code: row.text('customer_code'), name: row.text('customer_name') },
    receivable: row.isNull('receivable_id') ? null : { id: row.text('receivable_id'), reference: row.text('receivable_reference') },
    salespersonId: row.text('salesperson_id'),
    promiseId: row.textOrNull('promise_id'),
    disputeId: row.textOrNull('dispute_id'),
  });
}

/** The endpoint's open deliveries, in event order (the order they leave in). */
export const OPEN_DELIVERIES = defineQuery<{ endpointId: string; limit: number }, OpenDelivery>({
  text: `select d.id, d.next_attempt_at, d.attempts, d.event_seq::text as event_seq, e.id as event_id, e.type, e.occurred_at, e.as_of::text as as_of,
                e.stage, e.previous_stage, e.days_overdue, e.outstanding::text as outstanding, e.state, e.previous_state,
                e.amount::text as amount, e.detail, e.customer_id, c.code as customer_code, c.name as customer_name,
                e.receivable_id, r.reference as receivable_reference, e.salesperson_id, e.promise_id, e.dispute_id
           from webhook_delivery d
           join overdue_event e on e.seq = d.event_seq
           join customer c on c.id = e.customer_id
           left join receivable r on r.id = e.receivable_id
          where d.endpoint_id = cast(:endpointId as uuid) and d.status in ('PENDING', 'FAILED')
          order by d.event_seq, d.created_at
          limit :limit`,
  decode: (row) => ({
    id: row.text('id'),
    eventId: row.text('event_id'),
    nextAttemptAt: row.timestamp('next_attempt_at'),
    attempts: row.int('attempts'),
    body: eventBody(row),
  }),
});

const APPEND_ATTEMPT = `attempts = d.attempts + 1,
  first_attempt_at = coalesce(d.first_attempt_at, now()),
  attempt_log = d.attempt_log || jsonb_build_array(jsonb_build_object('at', (extract(epoch from now()) * 1000)::bigint,
    'statusCode', cast(:statusCode as int), 'durationMs', cast(:durationMs as int), 'error', cast(:error as text)))`;

/** A delivered attempt; the endpoint's count of consecutive dead deliveries starts again. */
export const RECORD_DELIVERED = defineStatement<AttemptRecord & { id: string; endpointId: string }>({
  text: `with delivered as (
           update webhook_delivery d set ${APPEND_ATTEMPT}, status = 'DELIVERED', delivered_at = now()
            where d.id = cast(:id as uuid)
         )
         update webhook_endpoint set consecutive_dead = 0 where id = cast(:endpointId as uuid) and consecutive_dead <> 0`,
});

export interface FailureOutcome {
  status: WebhookDeliveryStatus.FAILED | WebhookDeliveryStatus.DEAD;
  nextAttemptAt: Date;
  /** The endpoint was disabled by this dead delivery. */
  disabledEndpoint: boolean;
}

/**
 * A failed attempt. Within the retry window the next attempt is due after `delayMs` (but
 * no later than the window's end, so the last try is at its end); past the window the
 * delivery is DEAD, counts against the endpoint, and `disableAfter` dead ones in a row
 * disable it.
 */
export const RECORD_FAILED = defineQuery<
  AttemptRecord & { id: string; endpointId: string; delayMs: number; retryForMs: number; disableAfter: number },
  FailureOutcome
>({
  text: `with failed as (
           update webhook_delivery d
              set ${APPEND_ATTEMPT},
                  status = case when coalesce(d.first_attempt_at, now()) + make_interval(secs => :retryForMs / 1000.0) <= now() then 'DEAD' else 'FAILED' end,
                  next_attempt_at = least(now() + make_interval(secs => :delayMs / 1000.0),
                                          coalesce(d.first_attempt_at, now()) + make_interval(secs => :retryForMs / 1000.0))
            where d.id = cast(:id as uuid)
           returning d.status, d.next_attempt_at
         ),
         counted as (
           update webhook_endpoint w
              set consecutive_dead = w.consecutive_dead + 1,
                  enabled = w.enabled and w.consecutive_dead + 1 < :disableAfter,
                  disabled_reason = case when w.enabled and w.consecutive_dead + 1 >= :disableAfter
                                         then (w.consecutive_dead + 1) || ' consecutive deliveries dead' else w.disabled_reason end,
                  disabled_at = case when w.enabled and w.consecutive_dead + 1 >= :disableAfter then now() else w.disabled_at end
            where w.id = cast(:endpointId as uuid) and (select status from failed) = 'DEAD'
           returning w.enabled
         )
         select f.status, f.next_attempt_at, coalesce((select not enabled from counted), false) as disabled from failed f`,
  decode: (row) => ({
    status: row.oneOf('status', WebhookDeliveryStatus) as FailureOutcome['status'],
    nextAttemptAt: row.timestamp('next_attempt_at'),
    disabledEndpoint: row.bool('disabled'),
  }),
});

// ── The delivery log ───────────────────────────────────────────────────────────

function decodeAttempts(value: unknown): WebhookDeliveryAttempt[] {
  return (value as { at: number; statusCode: number | null; durationMs: number; error: string | null }[]).map((a) => ({
    at: new Date(Number(a.at)),
    statusCode: a.statusCode,
    durationMs: a.durationMs,
    error: a.error,
  }));
}

const DELIVERY_COLUMNS = `d.id, d.endpoint_id, d.event_seq::text as event_seq, e.id as event_id, e.type, d.status, d.attempt_log,
  case when d.status in ('PENDING', 'FAILED') then d.next_attempt_at end as next_attempt_at, d.delivered_at, d.redelivery_of, d.created_at`;

function decodeDelivery(row: SqlRow): WebhookDelivery {
  return Object.assign(new WebhookDelivery(), {
    id: row.text('id'),
    endpointId: row.text('endpoint_id'),
    eventId: row.text('event_id'),
    eventCursor: encodeEventCursor(row.bigintText('event_seq')),
    eventType: row.oneOf('type', OverdueEventType),
    status: row.oneOf('status', WebhookDeliveryStatus),
    attempts: decodeAttempts(row.json('attempt_log')),
    nextAttemptAt: row.isNull('next_attempt_at') ? null : row.timestamp('next_attempt_at'),
    deliveredAt: row.isNull('delivered_at') ? null : row.timestamp('delivered_at'),
    redeliveryOf: row.textOrNull('redelivery_of'),
    createdAt: row.timestamp('created_at'),
  });
}

/** A page of an endpoint's deliveries, newest first. */
export function deliveryPage(
  em: EntityManager,
  q: { endpointId: string; status: WebhookDeliveryStatus | null; first: number; after: string | null | undefined; count: boolean },
): Promise<Page<WebhookDelivery>> {
  const where = new Where().add('d.endpoint_id = cast(:endpointId as uuid)', { endpointId: q.endpointId });
  if (q.status) where.add('d.status = :status', { status: q.status });
  return keysetPage<WebhookDelivery>(em, {
    columns: DELIVERY_COLUMNS,
    decode: decodeDelivery,
    from: 'from webhook_delivery d',
    join: 'join overdue_event e on e.seq = d.event_seq',
    where,
    keys: [
      { column: 'd.created_at', cast: 'timestamptz', value: (d) => d.createdAt.toISOString() },
      { column: 'd.id', cast: 'uuid', value: (d) => d.id },
    ],
    descending: true,
    first: q.first,
    after: q.after,
    count: q.count,
  });
}

export const DELIVERY = defineQuery<{ id: string }, WebhookDelivery>({
  text: `select ${DELIVERY_COLUMNS} from webhook_delivery d join overdue_event e on e.seq = d.event_seq where d.id = cast(:id as uuid)`,
  decode: decodeDelivery,
});

/**
 * Sends a delivery's event to its endpoint again, as a new delivery (the old one keeps its
 * log); when the event is still open for the endpoint, that open delivery is the answer.
 */
export const REDELIVER = defineQuery<{ id: string }, string>({
  text: `with source as (
           select endpoint_id, event_seq from webhook_delivery where id = cast(:id as uuid)
         ),
         made as (
           insert into webhook_delivery (endpoint_id, event_seq, redelivery_of)
           select s.endpoint_id, s.event_seq, cast(:id as uuid) from source s
           on conflict do nothing
           returning id
         )
         select coalesce((select id from made),
                         (select d.id from webhook_delivery d join source s using (endpoint_id, event_seq) where d.status in ('PENDING', 'FAILED'))) as id`,
  decode: (row) => row.text('id'),
});
