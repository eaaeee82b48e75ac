/** GraphQL surface of promises to pay, and the relation fields other types get from this area. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { toConnection } from '../../core/pagination';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { selects } from '../../core/selection';
import { CollectionActivity } from '../activities/activity.types';
import { Customer } from '../customers/customer.entity';
import type { CustomerRow } from '../customers/customer.queries';
import { OverdueEvent } from '../overdue/overdue.types';
import { Receivable } from '../receivables/receivable.entity';
import type { ReceivableRow } from '../receivables/receivable.queries';
import { User } from '../users/user.entity';
import type { UserRow } from '../users/user.queries';
import { PromisesArgs, PromiseToPay, PromiseToPayConnection } from './promise.types';

@Resolver(() => PromiseToPay)
export class PromiseResolver {
  @Authorized(Permission.COLLECTION_LOG)
  @Mutation(() => PromiseToPay, {
    description:
      'Records a promise to pay (SALES: own customers; FINANCE, MANAGER: any): state OPEN, judged by the overdue scan from then on. The amount may not be above what is outstanding on the receivables; promisedOn not in the past. An activity (activityId) of the same customer may carry one promise.',
  })
  recordPromiseToPay(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('receivableIds', () => [ID]) receivableIds: string[],
    @Arg('amount', () => MoneyScalar) amount: Cents,
    @Arg('promisedOn', () => LocalDateScalar) promisedOn: LocalDate,
    @Arg('activityId', () => ID, { nullable: true }) activityId: string | null,
    @Ctx() ctx: Context,
  ): Promise<PromiseToPay> {
    return ctx.services.promises.record(ctx.principal!, { customerId, receivableIds, amount, promisedOn, activityId });
  }

  @Authorized(Permission.COLLECTION_READ)
  @Query(() => PromiseToPayConnection, { description: 'Promises to pay, latest promised date first (SALES: own customers only).' })
  async promises(@Args() args: PromisesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<PromiseToPayConnection> {
    return toConnection(await ctx.services.promises.list(ctx.principal!, args, selects(info, 'totalCount')));
  }

  @FieldResolver(() => Customer)
  async customer(@Root() promise: PromiseToPay, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(promise.customerId))!;
  }

  @FieldResolver(() => User, { description: "The customer's owner when the promise was made." })
  async salesperson(@Root() promise: PromiseToPay, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(promise.salespersonId))!;
  }

  @FieldResolver(() => [Receivable])
  async receivables(@Root() promise: PromiseToPay, @Ctx() ctx: Context): Promise<ReceivableRow[]> {
    const rows = await ctx.loaders.receivableById.loadMany(promise.receivableIds);
    return rows.filter((r): r is ReceivableRow => r !== null && r !== undefined && !(r instanceof Error));
  }

  @FieldResolver(() => User, { description: 'Who recorded it.' })
  async recordedBy(@Root() promise: PromiseToPay, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(promise.recordedById))!;
  }
}

/** `CollectionActivity.promise`: the promise a PROMISED activity recorded. */
@Resolver(() => CollectionActivity)
export class ActivityPromiseResolver {
  @FieldResolver(() => PromiseToPay, { nullable: true, description: 'The promise to pay this activity recorded, if any.' })
  async promise(@Root() activity: CollectionActivity, @Ctx() ctx: Context): Promise<PromiseToPay | null> {
    return (await ctx.loaders.promiseOfActivity.load(activity.id)) ?? null;
  }
}

/** `OverdueEvent.promise`: the promise a PROMISE_* event is about. */
@Resolver(() => OverdueEvent)
export class OverdueEventPromiseResolver {
  @FieldResolver(() => PromiseToPay, {
    nullable: true,
    description: 'PROMISE_MADE, PROMISE_KEPT, PROMISE_BROKEN, PROMISE_REOPENED: the promise to pay, as it is now.',
  })
  async promise(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<PromiseToPay | null> {
    return event.promiseId === null ? null : ((await ctx.loaders.promiseById.load(event.promiseId)) ?? null);
  }
}
