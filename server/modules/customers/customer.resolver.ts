/**
 * GraphQL surface of customers; relations and balances resolve through DataLoaders.
 * Reads hand plain rows (`CustomerRow`) to the Customer type, writes their entities.
 */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Cents } from '../../core/money';
import { PageArgs, toConnection } from '../../core/pagination';
import { MoneyScalar } from '../../core/scalars';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { Customer } from './customer.entity';
import { type CustomerRow } from './customer.queries';
import { CreateCustomerInput, CustomerConnection, CustomerFilter, UpdateCustomerInput } from './customer.types';

@ArgsType()
class CustomersArgs extends PageArgs {
  @Field(() => CustomerFilter, { nullable: true })
  filter?: CustomerFilter;
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Authorized(Permission.LEDGER_READ)
  @Query(() => Customer, { nullable: true })
  customer(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<CustomerRow | null> {
    return ctx.services.customers.readVisible(ctx.principal!, id);
  }

  @Authorized(Permission.LEDGER_READ)
  @Query(() => CustomerConnection, { description: 'Customers ordered by code.' })
  async customers(@Args() { first, after, filter }: CustomersArgs, @Ctx() ctx: Context): Promise<CustomerConnection> {
    return toConnection(await ctx.services.customers.list(ctx.principal!, filter, first, after));
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
  async owner(@Root() customer: CustomerRow, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(customer.ownerId))!;
  }

  @FieldResolver(() => MoneyScalar, { description: 'Sum of the outstanding amounts of its receivables.' })
  async outstanding(@Root() customer: CustomerRow, @Ctx() ctx: Context): Promise<Cents> {
    return (await ctx.loaders.customerBalances.load(customer.id)).outstanding;
  }

  @FieldResolver(() => MoneyScalar, { description: 'Outstanding on receivables past their effective due date.' })
  async overdueAmount(@Root() customer: CustomerRow, @Ctx() ctx: Context): Promise<Cents> {
    return (await ctx.loaders.customerBalances.load(customer.id)).overdueAmount;
  }

  @FieldResolver(() => MoneyScalar, { description: 'Unallocated money of valid payments: customer credit.' })
  async creditBalance(@Root() customer: CustomerRow, @Ctx() ctx: Context): Promise<Cents> {
    return (await ctx.loaders.customerBalances.load(customer.id)).credit;
  }
}
