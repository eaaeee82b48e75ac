/** GraphQL surface of receivables and payment notices. */
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { daysBetween } from '../../core/local-date';
import { PageArgs, pageSize, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { Customer } from '../customers/customer.entity';
import { type CustomerRow } from '../customers/customer.queries';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { PaymentNotice } from './payment-notice.entity';
import { Receivable, ReceivableStatus } from './receivable.entity';
import { type ReceivableRow } from './receivable.queries';
import { CreateReceivableInput, PaymentNoticeInput, ReceivableConnection, ReceivableFilter } from './receivable.types';

@ArgsType()
class ReceivablesArgs extends PageArgs {
  @Field(() => ReceivableFilter, { nullable: true })
  filter?: ReceivableFilter;
}

@Resolver(() => Receivable)
export class ReceivableResolver {
  @Authorized(Permission.LEDGER_READ)
  @Query(() => Receivable, { nullable: true })
  receivable(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<ReceivableRow | null> {
    return ctx.services.receivables.readVisible(ctx.principal!, id);
  }

  @Authorized(Permission.LEDGER_READ)
  @Query(() => ReceivableConnection, { description: 'Receivables ordered by due date.' })
  async receivables(@Args() { first, after, filter }: ReceivablesArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<ReceivableConnection> {
    return toConnection(await ctx.services.receivables.list(ctx.principal!, filter, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.RECEIVABLE_CREATE)
  @Mutation(() => Receivable)
  createReceivable(@Arg('input', () => CreateReceivableInput) input: CreateReceivableInput, @Ctx() ctx: Context): Promise<Receivable> {
    return ctx.services.receivables.create(ctx.principal!, input);
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => Receivable, { description: 'Writes off the outstanding amount.' })
  writeOffReceivable(
    @Arg('id', () => ID) id: string,
    @Arg('reason', { description: '1–1000 characters.' }) reason: string,
    @Ctx() ctx: Context,
  ): Promise<Receivable> {
    return ctx.services.receivables.writeOff(ctx.principal!, id, reason);
  }

  @Authorized(Permission.PAYMENT_NOTICE_REPORT)
  @Mutation(() => PaymentNotice, { description: '"The customer says they paid on claimedPaidOn": holds back the overdue alarm while finance confirms.' })
  reportPaymentNotice(@Arg('input', () => PaymentNoticeInput) input: PaymentNoticeInput, @Ctx() ctx: Context): Promise<PaymentNotice> {
    return ctx.services.receivables.reportPaymentNotice(ctx.principal!, input);
  }

  @FieldResolver(() => Customer)
  async customer(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(receivable.customerId))!;
  }

  @FieldResolver(() => User, { description: 'The salesperson who owned the customer when it was issued.' })
  async salesperson(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(receivable.salespersonId))!;
  }

  /**
   * Not a @Field on the entity's getter: type-graphql would copy every read row into a new
   * entity to call it (and fail on the getter-only property); rows carry it as a value.
   */
  @FieldResolver(() => ReceivableStatus)
  status(@Root() receivable: ReceivableRow): ReceivableStatus {
    return receivable.status;
  }

  @FieldResolver(() => Int, {
    nullable: true,
    description:
      'Overdue stage (days past effective due where it starts, e.g. 1, 30, 60, 90) as judged by the overdue engine as of its last scan; null when not in an overdue stage.',
  })
  async overdueStage(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<number | null> {
    return (await ctx.loaders.overdueStageOfReceivable.load(receivable.id))?.stage ?? null;
  }

  @FieldResolver(() => Int, {
    description: 'Days past the effective due date on the date the overdue stage holds for (the last scan), while in an overdue stage; else 0.',
  })
  async daysOverdue(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<number> {
    const stage = await ctx.loaders.overdueStageOfReceivable.load(receivable.id);
    return stage === null ? 0 : Math.max(0, daysBetween(receivable.effectiveDueOn, stage.asOf));
  }

  @FieldResolver(() => [PaymentNotice])
  paymentNotices(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<PaymentNotice[]> {
    return ctx.loaders.noticesOfReceivable.load(receivable.id);
  }
}

@Resolver(() => PaymentNotice)
export class PaymentNoticeResolver {
  @FieldResolver(() => Receivable)
  async receivable(@Root() notice: PaymentNotice, @Ctx() ctx: Context): Promise<ReceivableRow> {
    return (await ctx.loaders.receivableById.load(notice.receivableId))!;
  }

  @FieldResolver(() => User)
  async reportedBy(@Root() notice: PaymentNotice, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(notice.reportedById))!;
  }
}

@ArgsType()
class CustomerReceivablesArgs extends PageArgs {
  @Field(() => ReceivableFilter, { nullable: true })
  filter?: ReceivableFilter;
}

/** `Customer.receivables`: resolved here, by the area that owns receivables. */
@Resolver(() => Customer)
export class CustomerReceivablesResolver {
  @FieldResolver(() => ReceivableConnection, { description: 'Receivables ordered by due date.' })
  async receivables(
    @Root() customer: CustomerRow,
    @Args() { first, after, filter }: CustomerReceivablesArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ReceivableConnection> {
    const page = await ctx.loaders.receivablesOfCustomer({ first: pageSize(first), after, filter, count: selects(info, 'totalCount') }).load(customer.id);
    return toConnection(page);
  }
}
