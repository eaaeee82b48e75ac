/** GraphQL surface of disputes, and `Receivable.disputes` / `Receivable.disputedAmount` (resolved here, by the area that owns disputes). */
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { type Cents, minCents, sumCents } from '../../core/money';
import { PageArgs, toConnection } from '../../core/pagination';
import { MoneyScalar } from '../../core/scalars';
import { selects } from '../../core/selection';
import { Customer } from '../customers/customer.entity';
import { type CustomerRow } from '../customers/customer.queries';
import { Receivable } from '../receivables/receivable.entity';
import { type ReceivableRow } from '../receivables/receivable.queries';
import { OverdueEvent } from '../overdue/overdue.types';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { Dispute, DisputeOutcome, DisputeState } from './dispute.entity';
import { DisputeConnection, DisputeFilter, OpenDisputeInput } from './dispute.types';

@ArgsType()
class DisputesArgs extends PageArgs {
  @Field(() => DisputeFilter, { nullable: true })
  filter?: DisputeFilter;
}

@Resolver(() => Dispute)
export class DisputeResolver {
  @Authorized(Permission.LEDGER_READ)
  @Query(() => Dispute, { nullable: true })
  dispute(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Dispute | null> {
    return ctx.services.disputes.findVisible(ctx.principal!, id);
  }

  @Authorized(Permission.LEDGER_READ)
  @Query(() => DisputeConnection, { description: 'Disputes, latest opened first (SALES: of their own customers).' })
  async disputes(@Args() { first, after, filter }: DisputesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<DisputeConnection> {
    return toConnection(await ctx.services.disputes.list(ctx.principal!, filter, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.DISPUTE_OPEN)
  @Mutation(() => Dispute, {
    description: 'The customer disputes (part of) a receivable: the amount stops escalating but stays in every figure (the `disputed` slice).',
  })
  openDispute(@Arg('input', () => OpenDisputeInput) input: OpenDisputeInput, @Ctx() ctx: Context): Promise<Dispute> {
    return ctx.services.disputes.open(ctx.principal!, input);
  }

  @Authorized(Permission.DISPUTE_RESOLVE)
  @Mutation(() => Dispute, { description: 'Resolves an open dispute, once: VALID (credited), INVALID (back into the chase) or PARTIAL (amount credited).' })
  resolveDispute(
    @Arg('id', () => ID) id: string,
    @Arg('outcome', () => DisputeOutcome) outcome: DisputeOutcome,
    @Arg('note', { description: '1–2000 characters.' }) note: string,
    @Arg('amount', () => MoneyScalar, { nullable: true, description: 'PARTIAL only: the part credited, above zero and below the disputed amount.' })
    amount: Cents | null,
    @Ctx() ctx: Context,
  ): Promise<Dispute> {
    return ctx.services.disputes.resolve(ctx.principal!, id, outcome, note, amount);
  }

  @FieldResolver(() => Receivable)
  async receivable(@Root() dispute: Dispute, @Ctx() ctx: Context): Promise<ReceivableRow> {
    return (await ctx.loaders.receivableById.load(dispute.receivableId))!;
  }

  @FieldResolver(() => Customer)
  async customer(@Root() dispute: Dispute, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(dispute.customerId))!;
  }

  @FieldResolver(() => User, { description: 'Who opened it.' })
  async openedBy(@Root() dispute: Dispute, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(dispute.openedById))!;
  }

  @FieldResolver(() => User, { nullable: true, description: 'Who resolved it; null while open.' })
  async resolvedBy(@Root() dispute: Dispute, @Ctx() ctx: Context): Promise<UserRow | null> {
    return dispute.resolvedById ? ((await ctx.loaders.userById.load(dispute.resolvedById)) ?? null) : null;
  }
}

/** `Receivable.disputes` and `Receivable.disputedAmount`. */
@Resolver(() => Receivable)
export class ReceivableDisputesResolver {
  // Policed type (TYPE_POLICY): a project lead reaching a receivable through a feedback item does not read its disputes.
  @Authorized(Permission.LEDGER_READ)
  @FieldResolver(() => [Dispute], { description: 'Every dispute of this receivable, open and resolved, oldest first.' })
  disputes(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<Dispute[]> {
    return ctx.loaders.disputesOfReceivable.load(receivable.id);
  }

  @FieldResolver(() => MoneyScalar, { description: 'What open disputes cover now: Σ their amounts, at most the outstanding amount.' })
  async disputedAmount(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<Cents> {
    const disputes = await ctx.loaders.disputesOfReceivable.load(receivable.id);
    return minCents(sumCents(disputes.filter((d) => d.state === DisputeState.OPEN).map((d) => d.amount)), receivable.outstanding);
  }
}

/** `OverdueEvent.dispute`: the dispute a DISPUTE_OPENED / DISPUTE_RESOLVED event is about (the stream shows the caller only events they may see). */
@Resolver(() => OverdueEvent)
export class OverdueEventDisputeResolver {
  @FieldResolver(() => Dispute, { nullable: true, description: 'DISPUTE_* events: the dispute, as it is now; null for other events.' })
  async dispute(@Root() event: OverdueEvent, @Ctx() ctx: Context): Promise<Dispute | null> {
    return event.disputeId ? ((await ctx.loaders.disputeById.load(event.disputeId)) ?? null) : null;
  }
}
