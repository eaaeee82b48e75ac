/** GraphQL surface of the contact log: logging an activity, the activities list and an activity's relations. */
import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { Customer } from '../customers/customer.entity';
import type { CustomerRow } from '../customers/customer.queries';
import { Receivable } from '../receivables/receivable.entity';
import type { ReceivableRow } from '../receivables/receivable.queries';
import { User } from '../users/user.entity';
import type { UserRow } from '../users/user.queries';
import { ActivitiesArgs, CollectionActivity, CollectionActivityConnection, LogCollectionActivityInput } from './activity.types';

@Resolver(() => CollectionActivity)
export class ActivityResolver {
  @Authorized(Permission.COLLECTION_LOG)
  @Mutation(() => CollectionActivity, {
    description:
      'Logs a contact with a customer (SALES: own customers; FINANCE, MANAGER: any). A retry with the same idempotencyKey answers the activity stored first and logs nothing. Outcome PROMISED records the promise to pay (input.promise) in the same call.',
  })
  logCollectionActivity(@Arg('input', () => LogCollectionActivityInput) input: LogCollectionActivityInput, @Ctx() ctx: Context): Promise<CollectionActivity> {
    return ctx.services.activities.log(ctx.principal!, input);
  }

  @Authorized(Permission.COLLECTION_READ)
  @Query(() => CollectionActivityConnection, { description: 'The contact log, newest first (SALES: own customers only).' })
  async activities(@Args() args: ActivitiesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<CollectionActivityConnection> {
    return toConnection(await ctx.services.activities.list(ctx.principal!, args, selects(info, 'totalCount')));
  }

  @FieldResolver(() => Customer)
  async customer(@Root() activity: CollectionActivity, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(activity.customerId))!;
  }

  @FieldResolver(() => [Receivable], { description: 'The receivables the contact was about.' })
  async receivables(@Root() activity: CollectionActivity, @Ctx() ctx: Context): Promise<ReceivableRow[]> {
    const rows = await ctx.loaders.receivableById.loadMany(activity.receivableIds);
    return rows.filter((r): r is ReceivableRow => r !== null && !(r instanceof Error));
  }

  @FieldResolver(() => User, { description: 'Who logged it.' })
  async recordedBy(@Root() activity: CollectionActivity, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(activity.recordedById))!;
  }
}
