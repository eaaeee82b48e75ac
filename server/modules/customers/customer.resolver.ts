/**
 * GraphQL surface of customers; relations and balances resolve through DataLoaders.
 * Reads hand plain rows (`CustomerRow`) to the Customer type, writes their entities.
 */
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type MoneyText } from '../../core/money';
import { PageArgs, toConnection } from '../../core/pagination';
import { nodePaths, selects, selectsAny } from '../../core/selection';
import { MoneyScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { Customer } from './customer.entity';
import { type CustomerBalances, type CustomerRow } from './customer.queries';
import { CreateCustomerInput, CustomerConnection, CustomerFilter, UpdateCustomerInput } from './customer.types';

/** Fields of Customer that the balances statement answers. */
const BALANCE_FIELDS = ['outstanding', 'overdueAmount', 'alarmedAmount', 'creditBalance'];

/** One balance: read with the customer when it was asked for, else through the loader (one statement per page). */
function balances<T>(customer: CustomerRow, ctx: Context, pick: (balances: CustomerBalances) => T): T | Promise<T> {
  return customer.balances ? pick(customer.balances) : ctx.loaders.customerBalances.load(customer.id).then(pick);
}

@ArgsType()
class CustomersArgs extends PageArgs {
  @Field(() => CustomerFilter, { nullable: true })
  filter?: CustomerFilter;
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized(Permission.LEDGER_READ)
  @Query(() => Customer, { nullable: true })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<CustomerRow | null> {
    return ctx.services.customers.readVisible(ctx.principal!, id, {
      balances: selectsAny(info, BALANCE_FIELDS),
      owner: selects(info, 'owner'),
    });
  }

  @Authorized(Permission.LEDGER_READ)
  @Query(() => CustomerConnection, { description: 'Customers ordered by code.' })
  async customers(@Args() { first, after, filter }: CustomersArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<CustomerConnection> {
    // What the page's customers are asked for comes in the page's own statement.
    const reads = { balances: selectsAny(info, nodePaths(...BALANCE_FIELDS)), owner: selectsAny(info, nodePaths('owner')) };
    return toConnection(await ctx.services.customers.list(ctx.principal!, filter, first, after, { reads, count: selects(info, 'totalCount') }));
  }

  @Authorized(Permission.CUSTOMER_WRITE)
  @Mutation(() => Customer)
  createCustomer(@Arg('input', () => CreateCustomerInput) input: CreateCustomerInput, @Ctx() ctx: Context): Promise<Customer> {
    return ctx.services.customers.create(ctx.principal!, input);
  }

  @Authorized(Permission.CUSTOMER_WRITE)
  @Mutation(() => Customer)
  updateCustomer(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateCustomerInput) input: UpdateCustomerInput, @Ctx() ctx: Context): Promise<Customer> {
    return ctx.services.customers.update(ctx.principal!, id, input);
  }

  @Authorized(Permission.CUSTOMER_REASSIGN)
  @Mutation(() => Customer, { description: 'Gives the customer to another salesperson; existing receivables keep theirs.' })
  reassignCustomer(@Arg('id', () => ID) id: string, @Arg('ownerId', () => ID) ownerId: string, @Ctx() ctx: Context): Promise<Customer> {
    return ctx.services.customers.reassign(ctx.principal!, id, ownerId);
  }

  @FieldResolver(() => User, { description: 'The salesperson who owns the customer now.' })
  owner(@Root() customer: CustomerRow, @Ctx() ctx: Context): UserRow | Promise<UserRow> {
    return customer.ownerRow ?? ctx.loaders.userById.load(customer.ownerId).then((user) => user!);
  }

  @FieldResolver(() => MoneyScalar, { description: 'Sum of the outstanding amounts of its receivables (also those issued with a later date).' })
  outstanding(@Root() customer: CustomerRow, @Ctx() ctx: Context): MoneyText | Promise<MoneyText> {
    return balances(customer, ctx, (b) => b.outstanding);
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      'Money: outstanding today on receivables past their effective due date, as the aging report counts it (docs/metrics.md). Receivables held by a payment notice count.',
  })
  overdueAmount(@Root() customer: CustomerRow, @Ctx() ctx: Context): MoneyText | Promise<MoneyText> {
    return balances(customer, ctx, (b) => b.overdueAmount);
  }

  @FieldResolver(() => MoneyScalar, {
    description:
      'Alarms: outstanding on receivables the overdue engine holds in an overdue stage (as of its last scan). Below overdueAmount by what payment notices hold back and what fell overdue since the last scan.',
  })
  alarmedAmount(@Root() customer: CustomerRow, @Ctx() ctx: Context): MoneyText | Promise<MoneyText> {
    return balances(customer, ctx, (b) => b.alarmedAmount);
  }

  @FieldResolver(() => MoneyScalar, { description: 'Unallocated money of valid payments: customer credit.' })
  creditBalance(@Root() customer: CustomerRow, @Ctx() ctx: Context): MoneyText | Promise<MoneyText> {
    return balances(customer, ctx, (b) => b.credit);
  }
}
