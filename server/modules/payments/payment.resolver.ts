/** GraphQL surface of payments and allocations. */
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { PageArgs, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { Customer } from '../customers/customer.entity';
import { type CustomerRow } from '../customers/customer.queries';
import { Receivable } from '../receivables/receivable.entity';
import { type ReceivableRow } from '../receivables/receivable.queries';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { Allocation } from './allocation.entity';
import { Payment } from './payment.entity';
import { AllocationInput, PaymentConnection, PaymentFilter, RecordPaymentInput } from './payment.types';

@ArgsType()
class PaymentsArgs extends PageArgs {
  @Field(() => PaymentFilter, { nullable: true })
  filter?: PaymentFilter;
}

@Resolver(() => Payment)
export class PaymentResolver {
  @Authorized(Permission.PAYMENT_READ)
  @Query(() => Payment, { nullable: true })
  payment(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Payment | null> {
    return ctx.services.payments.findVisible(ctx.principal!, id);
  }

  @Authorized(Permission.PAYMENT_READ)
  @Query(() => PaymentConnection, { description: 'Payments, latest receivedOn first.' })
  async payments(@Args() { first, after, filter }: PaymentsArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<PaymentConnection> {
    return toConnection(await ctx.services.payments.list(ctx.principal!, filter, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => Payment)
  recordPayment(@Arg('input', () => RecordPaymentInput) input: RecordPaymentInput, @Ctx() ctx: Context): Promise<Payment> {
    return ctx.services.payments.record(ctx.principal!, input);
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => Payment, { description: 'Applies unallocated credit of a payment: explicit allocations, or oldest due first.' })
  allocatePayment(
    @Arg('id', () => ID) id: string,
    @Arg('allocations', () => [AllocationInput], { nullable: true }) allocations: AllocationInput[] | null,
    @Ctx() ctx: Context,
  ): Promise<Payment> {
    return ctx.services.payments.allocateCredit(ctx.principal!, id, allocations ?? undefined);
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => Payment, { description: 'Voids a payment; what it paid becomes outstanding again. Payments are never deleted.' })
  voidPayment(@Arg('id', () => ID) id: string, @Arg('reason', { description: '1–1000 characters.' }) reason: string, @Ctx() ctx: Context): Promise<Payment> {
    return ctx.services.payments.void(ctx.principal!, id, reason);
  }

  @FieldResolver(() => Customer)
  async customer(@Root() payment: Payment, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(payment.customerId))!;
  }

  @FieldResolver(() => User, { description: 'Who booked the payment.' })
  async bookedBy(@Root() payment: Payment, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(payment.bookedById))!;
  }

  @FieldResolver(() => [Allocation])
  allocations(@Root() payment: Payment, @Ctx() ctx: Context): Promise<Allocation[]> {
    return ctx.loaders.allocationsOfPayment.load(payment.id);
  }
}

@Resolver(() => Allocation)
export class AllocationResolver {
  @FieldResolver(() => Payment)
  async payment(@Root() allocation: Allocation, @Ctx() ctx: Context): Promise<Payment> {
    return (await ctx.loaders.paymentById.load(allocation.paymentId))!;
  }

  @FieldResolver(() => Receivable)
  async receivable(@Root() allocation: Allocation, @Ctx() ctx: Context): Promise<ReceivableRow> {
    return (await ctx.loaders.receivableById.load(allocation.receivableId))!;
  }
}

/** `Receivable.allocations`: resolved here, by the area that owns allocations. */
@Resolver(() => Receivable)
export class ReceivableAllocationsResolver {
  @Authorized(Permission.PAYMENT_READ)
  @FieldResolver(() => [Allocation], { description: 'Allocations of payments to this receivable, voided ones included.' })
  allocations(@Root() receivable: ReceivableRow, @Ctx() ctx: Context): Promise<Allocation[]> {
    return ctx.loaders.allocationsOfReceivable.load(receivable.id);
  }
}
