/** GraphQL surface of notifications for people: one's own settings, a test message, the outbox list. */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import { Permission } from '../../core/access';
import { type GraphQLResolveInfo } from 'graphql';
import { type Context } from '../../context';
import { PageArgs, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import {
  Notification,
  NotificationChannel,
  NotificationConnection,
  NotificationSettings,
  NotificationSettingsInput,
  NotificationStatus,
} from './notification.types';

@ArgsType()
class NotificationsArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'ADMIN: whose (none: everyone’s). Others: only their own id, or none.' })
  userId?: string;

  @Field(() => NotificationStatus, { nullable: true })
  status?: NotificationStatus;
}

@Resolver()
export class NotificationResolver {
  @Authorized()
  @Query(() => NotificationSettings, { description: 'How the signed-in user is notified.' })
  myNotificationSettings(@Ctx() ctx: Context): Promise<NotificationSettings> {
    return ctx.services.notifications.settings(ctx.principal!);
  }

  @Authorized()
  @Mutation(() => NotificationSettings, {
    description: 'Changes how the signed-in user is notified: e-mail, IM bot URL, a delivery per kind (the language is User.locale: updateMyLocale).',
  })
  updateMyNotificationSettings(
    @Arg('input', () => NotificationSettingsInput) input: NotificationSettingsInput,
    @Ctx() ctx: Context,
  ): Promise<NotificationSettings> {
    return ctx.services.notifications.update(ctx.principal!, input);
  }

  @Authorized()
  @Mutation(() => Notification, { description: 'Sends the signed-in user a test message on the channel, through the outbox (follow it in `notifications`).' })
  sendTestNotification(@Arg('channel', () => NotificationChannel) channel: NotificationChannel, @Ctx() ctx: Context): Promise<Notification> {
    return ctx.services.notifications.sendTest(ctx.principal!, channel);
  }

  @Authorized(Permission.ADMINISTER)
  @Mutation(() => Int, {
    description:
      'Sends the daily digest now, the same work DIGEST_AT runs: every user with messages kept for it (AWAITING_DIGEST) gets ONE message per channel; nobody else gets anything. Answers how many digests were written.',
  })
  sendDailyDigests(
    @Arg('userId', () => ID, { nullable: true, description: 'Only this user’s digest (none: everyone’s).' }) userId: string | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<number> {
    return ctx.services.notifications.sendDailyDigests(userId);
  }

  @Authorized()
  @Query(() => NotificationConnection, { description: 'The outbox, newest first: ADMIN anyone’s, everyone else their own.' })
  async notifications(
    @Args() { userId, status, first, after }: NotificationsArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<NotificationConnection> {
    return toConnection(await ctx.services.notifications.list(ctx.principal!, userId, status, first, after, selects(info, 'totalCount')));
  }
}
