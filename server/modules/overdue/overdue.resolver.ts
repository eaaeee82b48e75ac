/** GraphQL surface of the overdue engine: on-demand scans, the event connection and the subscription. */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { unauthenticated } from '../../core/errors';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission, requireAccess } from '../../core/access';
import { Customer } from '../customers/customer.entity';
import { Receivable } from '../receivables/receivable.entity';
import { User } from '../users/user.entity';
import { OverdueEvent, OverdueEventConnection, OverdueEventFilter, OverdueScanResult } from './overdue.types';

@ArgsType()
class OverdueEventsArgs {
  @Field(() => String, { nullable: true, description: 'Cursor of the last event seen; omitted: from the first event.' })
  after?: string;

  @Field(() => Int, { nullable: true, description: 'Page size, 0–200 (default 20).' })
  first?: number;

  @Field(() => OverdueEventFilter, { nullable: true })
  filter?: OverdueEventFilter;
}

@ArgsType()
class OverdueEventSubscriptionArgs {
  @Field(() => String, {
    nullable: true,
    description: 'Cursor of the last event seen: replays every later event, then streams live ones. Omitted: from the first stored event.',
  })
  after?: string;

  @Field(() => OverdueEventFilter, { nullable: true })
  filter?: OverdueEventFilter;
}

@Resolver(() => OverdueEvent)
export class OverdueResolver {
  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => OverdueScanResult, { description: 'Runs the overdue scan now, as of asOf (default today); waits for a running scan.' })
  runOverdueScan(@Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf: LocalDate | null, @Ctx() ctx: Context): Promise<OverdueScanResult> {
    return ctx.services.overdue.scan(asOf ?? undefined);
  }

  @Authorized(Permission.OVERDUE_EVENTS_READ)
  @Query(() => OverdueEventConnection, { description: 'The overdue event stream as pages, oldest first, for polling.' })
  overdueEvents(@Args() { after, first, filter }: OverdueEventsArgs, @Ctx() ctx: Context): Promise<OverdueEventConnection> {
    return ctx.services.overdue.events(ctx.principal!, after, first, filter);
  }

  @Authorized(Permission.OVERDUE_EVENTS_READ)
  @Subscription(() => OverdueEvent, {
    name: 'overdueEvents',
    description: 'Overdue alarms: replays every stored event after `after`, then streams live ones, in order, without gaps or duplicates.',
    subscribe: ({ args, context }) => {
      const ctx = context as Context;
      if (!ctx.principal) throw unauthenticated();
      requireAccess(ctx.principal, Permission.OVERDUE_EVENTS_READ);
      const { after, filter } = args as OverdueEventSubscriptionArgs;
      return ctx.services.overdue.subscribe(ctx.principal, after, filter, () => ctx.fork());
    },
  })
  overdueEventsSubscription(@Root() event: OverdueEvent, @Args() _args: OverdueEventSubscriptionArgs, @Ctx() ctx: Context): OverdueEvent {
    ctx.renew(event.batch);
    return event;
  }

  @FieldResolver(() => Receivable)
  async receivable(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<Receivable> {
    return (await ctx.loaders.receivableById.load(event.receivableId))!;
  }

  @FieldResolver(() => Customer)
  async customer(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customerById.load(event.customerId))!;
  }

  @FieldResolver(() => User, { description: 'The salesperson the receivable was issued under.' })
  async salesperson(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(event.salespersonId))!;
  }
}
