/** GraphQL types of signed webhooks: endpoints, their secrets (shown once) and the delivery log. */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../../core/pagination';
import { OverdueEventFilter, OverdueEventType } from '../overdue/overdue.types';

export enum WebhookDeliveryStatus {
  PENDING = 'PENDING',
  FAILED = 'FAILED',
  DELIVERED = 'DELIVERED',
  DEAD = 'DEAD',
}
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description:
    'PENDING: not tried yet; FAILED: tried, the next attempt is scheduled (nextAttemptAt); DELIVERED: the endpoint answered 2xx; DEAD: still failing when the retry window (WEBHOOK_RETRY_FOR, 24 h) ended.',
});

/** The events an endpoint wants, as stored: the stream's filter (OverdueEventFilter) read back. */
@ObjectType({ description: 'The events an endpoint receives besides its eventTypes: the same filter as the overdueEvents stream.' })
export class WebhookEventFilter {
  @Field(() => ID, { nullable: true })
  customerId!: string | null;

  @Field(() => ID, { nullable: true })
  salespersonId!: string | null;

  @Field(() => Int, { nullable: true })
  minStage!: number | null;

  @Field(() => [OverdueEventType], { nullable: true })
  types!: OverdueEventType[] | null;
}

@ObjectType({ description: 'An integrator’s URL that receives the event stream as signed HTTP POSTs (ADMIN).' })
export class WebhookEndpoint {
  @Field(() => ID)
  id!: string;

  @Field()
  url!: string;

  @Field(() => String, { nullable: true })
  description!: string | null;

  @Field(() => [OverdueEventType], { nullable: true, description: 'The event types sent; null: every type.' })
  eventTypes!: OverdueEventType[] | null;

  @Field(() => WebhookEventFilter)
  filter!: WebhookEventFilter;

  @Field({ description: 'False: nothing is sent; events keep and are sent once it is enabled again.' })
  enabled!: boolean;

  @Field(() => String, { nullable: true, description: 'Why it was disabled (by an ADMIN, or after consecutive dead deliveries).' })
  disabledReason!: string | null;

  @Field(() => Date, { nullable: true })
  disabledAt!: Date | null;

  @Field(() => Int, { description: 'Dead deliveries since the last delivered one; WEBHOOK_DISABLE_AFTER_DEAD of them disable the endpoint.' })
  consecutiveDeadDeliveries!: number;

  @Field(() => Date, { nullable: true, description: 'Until when the secret before the last rotation still signs deliveries (a second v1= signature).' })
  previousSecretValidUntil!: Date | null;

  @Field({ description: 'Cursor of the last stream event considered for this endpoint (the stream’s `after` cursors).' })
  cursor!: string;

  @Field(() => Date)
  createdAt!: Date;
}

@ObjectType({ description: 'An endpoint with its signing secret: shown this once, never again.' })
export class WebhookSecretPayload {
  @Field(() => WebhookEndpoint)
  endpoint!: WebhookEndpoint;

  @Field({ description: 'The signing secret (whsec_…): verify each delivery’s Huikuan-Signature with it. Shown once.' })
  secret!: string;
}

@ObjectType({ description: 'One attempt of a delivery.' })
export class WebhookDeliveryAttempt {
  @Field(() => Date)
  at!: Date;

  @Field(() => Int, { nullable: true, description: 'The HTTP status the endpoint answered; null when no answer came (timeout, refused).' })
  statusCode!: number | null;

  @Field(() => Int)
  durationMs!: number;

  @Field(() => String, { nullable: true, description: 'Why it failed; null when it was delivered.' })
  error!: string | null;
}

@ObjectType({ description: 'One event sent (or to be sent) to one endpoint, with every attempt.' })
export class WebhookDelivery {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  endpointId!: string;

  @Field(() => ID, { description: 'The event’s id: the Huikuan-Event-Id header and the body’s `id`.' })
  eventId!: string;

  @Field({ description: 'The event’s stream cursor (replayWebhookEndpoint takes one).' })
  eventCursor!: string;

  @Field(() => OverdueEventType)
  eventType!: OverdueEventType;

  @Field(() => WebhookDeliveryStatus)
  status!: WebhookDeliveryStatus;

  @Field(() => [WebhookDeliveryAttempt], { description: 'Every attempt, oldest first.' })
  attempts!: WebhookDeliveryAttempt[];

  @Field(() => Date, { nullable: true, description: 'When the next attempt is due (PENDING, FAILED); null otherwise.' })
  nextAttemptAt!: Date | null;

  @Field(() => Date, { nullable: true })
  deliveredAt!: Date | null;

  @Field(() => ID, { nullable: true, description: 'The delivery this one sends again (redeliverWebhook).' })
  redeliveryOf!: string | null;

  @Field(() => Date)
  createdAt!: Date;
}

export const WebhookDeliveryConnection = connectionType('WebhookDelivery', WebhookDelivery);
export type WebhookDeliveryConnection = InstanceType<typeof WebhookDeliveryConnection>;

@InputType({ description: 'What to change of an endpoint; fields left out stay as they are.' })
export class UpdateWebhookEndpointInput {
  @Field(() => String, { nullable: true })
  url?: string | null;

  @Field(() => [OverdueEventType], { nullable: true, description: 'An empty list: every type.' })
  eventTypes?: OverdueEventType[] | null;

  @Field(() => OverdueEventFilter, { nullable: true })
  filter?: OverdueEventFilter | null;

  @Field(() => String, { nullable: true })
  description?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'true enables a disabled endpoint (its count of dead deliveries starts again).' })
  enabled?: boolean | null;
}
