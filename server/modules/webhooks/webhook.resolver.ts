/**
 * GraphQL surface of signed webhooks (ADMIN): endpoints, secret rotation, the delivery log,
 * redelivery and replay. Thin: arguments and permission here, the rules in WebhookService.
 */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { type GraphQLResolveInfo } from 'graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { PageArgs, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { OverdueEventFilter, OverdueEventType } from '../overdue/overdue.types';
import {
  UpdateWebhookEndpointInput,
  WebhookDelivery,
  WebhookDeliveryConnection,
  WebhookDeliveryStatus,
  WebhookEndpoint,
  WebhookSecretPayload,
} from './webhook.types';

@ArgsType()
class WebhookDeliveriesArgs extends PageArgs {
  @Field(() => ID)
  endpointId!: string;

  @Field(() => WebhookDeliveryStatus, { nullable: true })
  status?: WebhookDeliveryStatus;
}

@Resolver()
export class WebhookResolver {
  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookSecretPayload, {
    description:
      'ADMIN only: registers an endpoint that receives the event stream as signed POSTs, from the next event on. The answer carries its signing secret, shown this once. The host must not resolve to a loopback, private, link-local or metadata address; https only in production.',
  })
  createWebhookEndpoint(
    @Arg('url') url: string,
    @Arg('eventTypes', () => [OverdueEventType], { nullable: true, description: 'The event types to send; null or empty: every type.' })
    eventTypes: OverdueEventType[] | null | undefined,
    @Arg('filter', () => OverdueEventFilter, { nullable: true, description: 'The same filter as the overdueEvents stream.' })
    filter: OverdueEventFilter | null | undefined,
    @Arg('description', () => String, { nullable: true, description: 'At most 500 characters.' }) description: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<WebhookSecretPayload> {
    return ctx.services.webhooks.create(ctx.principal!, { url, eventTypes, filter, description });
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookEndpoint, {
    description: 'ADMIN only: changes an endpoint; `enabled: true` enables a disabled one and sends what accumulated meanwhile.',
  })
  updateWebhookEndpoint(
    @Arg('id', () => ID) id: string,
    @Arg('input', () => UpdateWebhookEndpointInput) input: UpdateWebhookEndpointInput,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint> {
    return ctx.services.webhooks.update(ctx.principal!, id, input);
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookSecretPayload, {
    description:
      'ADMIN only: a new signing secret, shown this once. The secret before still signs (a second `v1=` in Huikuan-Signature) for `overlapSeconds` (default WEBHOOK_SECRET_OVERLAP, 24 h; 0 ends it now).',
  })
  rotateWebhookSecret(
    @Arg('id', () => ID) id: string,
    @Arg('overlapSeconds', () => Int, { nullable: true, description: '0 to 604800 (a week).' }) overlapSeconds: number | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<WebhookSecretPayload> {
    return ctx.services.webhooks.rotateSecret(ctx.principal!, id, overlapSeconds);
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookEndpoint, { description: 'ADMIN only: stops sending to the endpoint; events keep and go out when it is enabled again.' })
  disableWebhookEndpoint(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<WebhookEndpoint> {
    return ctx.services.webhooks.disable(ctx.principal!, id);
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Query(() => [WebhookEndpoint], { description: 'ADMIN only: the webhook endpoints, oldest first.' })
  webhookEndpoints(
    @Arg('enabledOnly', { defaultValue: false, description: 'Only the enabled ones.' }) enabledOnly: boolean,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint[]> {
    return ctx.services.webhooks.list(ctx.principal!, enabledOnly);
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Query(() => WebhookDeliveryConnection, {
    description: 'ADMIN only: an endpoint’s deliveries, newest first, each with every attempt (status code, duration, error).',
  })
  async webhookDeliveries(
    @Args() { endpointId, status, first, after }: WebhookDeliveriesArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<WebhookDeliveryConnection> {
    return toConnection(await ctx.services.webhooks.deliveries(ctx.principal!, endpointId, status, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookDelivery, {
    description: 'ADMIN only: sends a delivery’s event to its endpoint again, next in its line, as a new delivery (the answer).',
  })
  redeliverWebhook(@Arg('deliveryId', () => ID) deliveryId: string, @Ctx() ctx: Context): Promise<WebhookDelivery> {
    return ctx.services.webhooks.redeliver(ctx.principal!, deliveryId);
  }

  @Authorized(Permission.WEBHOOKS_MANAGE)
  @Mutation(() => WebhookEndpoint, {
    description:
      'ADMIN only: sends again, in order, every event after `afterCursor` (an event’s stream cursor; null: from the first event) that the endpoint wants: for an integrator restored from a backup.',
  })
  replayWebhookEndpoint(
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('afterCursor', () => String, { nullable: true }) afterCursor: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<WebhookEndpoint> {
    return ctx.services.webhooks.replay(ctx.principal!, endpointId, afterCursor);
  }
}
