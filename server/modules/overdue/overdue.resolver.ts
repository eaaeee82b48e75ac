/** GraphQL surface of the overdue engine: on-demand scans, the event connection and the subscription. */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Int, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import { badInput, CoreErrorReason, unauthenticated } from '../../core/errors';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission, requireAccess } from '../../core/access';
import { Customer } from '../customers/customer.entity';
import { Receivable } from '../receivables/receivable.entity';
import { User } from '../users/user.entity';
import { decodeCursor, encodeCursor, PageArgs, pageSize } from '../../core/pagination';
import { ReceivableConnection } from '../receivables/receivable.types';
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
  @Mutation(() => OverdueScanResult, {
    description:
      'Runs the overdue scan now, as of asOf (default today); waits for a running scan. Refused for a date after today (DATE_IN_FUTURE) or before the last scan (CONFLICT, SCAN_DATE_BEFORE_LAST_SCAN): alarms move forward with the business date; agingReport answers for past dates.',
  })
  runOverdueScan(@Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf: LocalDate | null, @Ctx() ctx: Context): Promise<OverdueScanResult> {
    return ctx.services.overdue.scan(asOf ?? undefined);
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Query(() => OverdueScanResult, { description: 'A scan that judged something, as its log keeps it for 35 days (the id runOverdueScan answered).' })
  overdueScan(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<OverdueScanResult> {
    return ctx.services.overdue.scanLog(id);
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
      return ctx.services.overdue.subscribe(ctx.principal, after, filter, { unitOfWork: () => ctx.fork(), sibling: (scope) => ctx.sibling(scope) });
    },
  })
  overdueEventsSubscription(@Root() event: OverdueEvent, @Args() _args: OverdueEventSubscriptionArgs, @Ctx() ctx: Context): OverdueEvent {
    // A context answering a whole batch (the fan-out's) already works on the batch's unit of work.
    if (!event.batch || ctx.em !== event.batch.em) ctx.renew(event.batch);
    return event;
  }

  @FieldResolver(() => Receivable, {
    nullable: true,
    description: "The receivable of an alarm or of a collection event about one receivable; null for a customer's events.",
  })
  async receivable(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<Receivable | null> {
    return event.receivableId === null ? null : (await ctx.loaders.receivableById.load(event.receivableId))!;
  }

  @FieldResolver(() => Customer)
  async customer(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<Customer> {
    return (await ctx.loaders.customerById.load(event.customerId))!;
  }

  @FieldResolver(() => User, { description: "The salesperson the receivable was issued under; for a customer's event, the customer's owner when it happened." })
  async salesperson(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<User> {
    return (await ctx.loaders.userById.load(event.salespersonId))!;
  }
}

/** `OverdueScanResult.judgedReceivables`: the receivables one scan judged, from its log. */
@Resolver(() => OverdueScanResult)
export class OverdueScanResultResolver {
  @FieldResolver(() => ReceivableConnection, {
    description: 'The receivables this scan judged, in the order of their effective due dates (kept for 35 days).',
  })
  async judgedReceivables(@Root() result: OverdueScanResult, @Args() { first, after }: PageArgs, @Ctx() ctx: Context): Promise<ReceivableConnection> {
    const size = pageSize(first);
    const offset = judgedOffset(after);
    // The log lists exactly `judged` receivables: whether more follow is known without reading
    // them, and an empty page (first: 0, the figures alone) reads nothing.
    const page = result.id === null || size === 0 ? [] : await ctx.services.overdue.judgedPage(result.id, offset, size);
    const receivables = await Promise.all(page.map((row) => ctx.loaders.receivableById.load(row.id)));
    const edges = page.map((row, i) => ({ node: receivables[i]!, cursor: encodeCursor([row.position]) }));
    return {
      edges,
      nodes: edges.map((e) => e.node),
      totalCount: result.judged,
      pageInfo: {
        hasNextPage: result.id !== null && offset + page.length < result.judged,
        endCursor: edges.length ? edges[edges.length - 1].cursor : (after ?? null),
      },
    };
  }
}

/** The place in the scan's list after which a page starts (the cursor holds it). */
function judgedOffset(after: string | undefined): number {
  const place = decodeCursor(after, 1)?.[0] ?? 0;
  if (typeof place !== 'number' || !Number.isSafeInteger(place) || place < 0) {
    throw badInput('after', 'after is not a cursor returned by this list', CoreErrorReason.INVALID_CURSOR);
  }
  return place;
}
