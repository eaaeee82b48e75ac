/**
 * GraphQL surface of credit status: `Customer.creditStatus` and `creditStatusDetail` (the
 * customers area owns Customer; this area resolves its credit fields), the override
 * mutation and the history. Reads go through the creditOfCustomer loader: one statement
 * per page of customers.
 */
import { Arg, Args, ArgsType, Authorized, Ctx, Field, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type GraphQLResolveInfo } from 'graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { PageArgs, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { LocalDateScalar } from '../../core/scalars';
import { User } from '../users/user.entity';
import { type UserRow } from '../users/user.queries';
import { Customer } from '../customers/customer.entity';
import { type CustomerRow } from '../customers/customer.queries';
import { neverEvaluated } from './credit.queries';
import { creditReasons } from './credit.service';
import { CreditOverride, CreditStatus, CreditStatusChange, CreditStatusChangeConnection, CreditStatusDetail, CreditStatusReason } from './credit.types';

type CustomerLike = Pick<CustomerRow, 'id' | 'creditLimit'>;

/** The customer's stored evaluation (or that of a customer never evaluated), with the override in force. */
async function detailOf(customer: CustomerLike, ctx: Context): Promise<CreditStatusDetail & { override?: CreditOverride | null }> {
  const stored = await ctx.loaders.creditOfCustomer.load(customer.id);
  if (!stored) return Object.assign(neverEvaluated(customer.id, customer.creditLimit), { override: null });
  return Object.assign(stored.detail, { override: stored.override });
}

@ArgsType()
class CreditHistoryArgs extends PageArgs {
  @Field(() => ID)
  customerId!: string;
}

@Resolver(() => Customer)
export class CustomerCreditResolver {
  @FieldResolver(() => CreditStatus, {
    description:
      'OK / WARN / HOLD, from the rules (highest overdue stage, overdue money against the credit limit, broken promises) or a manager’s override; the same status the last CREDIT_STATUS_CHANGED event of the customer says (docs/metrics.md, "Credit status").',
  })
  async creditStatus(@Root() customer: CustomerLike, @Ctx() ctx: Context): Promise<CreditStatus> {
    return (await detailOf(customer, ctx)).status;
  }

  // Policed type (TYPE_POLICY): a project lead reaching a customer through a feedback item does not read it.
  @Authorized(Permission.LEDGER_READ)
  @FieldResolver(() => CreditStatusDetail, { description: 'Why creditStatus is what it is: the figures, the rules that fired, the override in force.' })
  creditStatusDetail(@Root() customer: CustomerLike, @Ctx() ctx: Context): Promise<CreditStatusDetail> {
    return detailOf(customer, ctx);
  }

  @Authorized(Permission.CREDIT_OVERRIDE)
  @Mutation(() => Customer, {
    description:
      'MANAGER (and ADMIN): sets the customer’s credit status by hand until `until` (a business date after today, the first day the rules apply again), with a reason; with `status` null (and no until) ends the override in force early. Recorded in creditStatusHistory; a change of the effective status is a CREDIT_STATUS_CHANGED event.',
  })
  async overrideCreditStatus(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('status', () => CreditStatus, { nullable: true, description: 'null: clear the override in force.' }) status: CreditStatus | null | undefined,
    @Arg('reason', { description: '1–1000 characters.' }) reason: string,
    @Arg('until', () => LocalDateScalar, { nullable: true, description: 'Required with a status; must lie after today.' }) until: LocalDate | null | undefined,
    @Ctx() ctx: Context,
  ): Promise<CustomerRow> {
    await ctx.services.credit.override(ctx.principal!, customerId, status ?? null, reason, until ?? null);
    return (await ctx.services.customers.readVisible(ctx.principal!, customerId))!;
  }

  @Authorized(Permission.LEDGER_READ)
  @Query(() => CreditStatusChangeConnection, {
    description: 'The customer’s credit status history, newest first: every change of the effective status and every override set, cleared or expired.',
  })
  async creditStatusHistory(
    @Args() { customerId, first, after }: CreditHistoryArgs,
    @Ctx() ctx: Context,
    @Info() info: GraphQLResolveInfo,
  ): Promise<CreditStatusChangeConnection> {
    return toConnection(await ctx.services.credit.history(ctx.principal!, customerId, first, after, selects(info, 'totalCount')));
  }
}

@Resolver(() => CreditStatusDetail)
export class CreditStatusDetailResolver {
  @FieldResolver(() => [CreditStatusReason], { description: 'The rules that fired, most severe first; empty when the rules say OK.' })
  reasons(@Root() detail: CreditStatusDetail, @Ctx() ctx: Context): CreditStatusReason[] {
    const reasons = creditReasons(
      detail.reasonCodes,
      { highestStage: detail.highestStage, overdue: detail.overdueAmount, creditLimit: detail.creditLimit, brokenPromises: detail.brokenPromises },
      ctx.config.creditRules,
    );
    return reasons.sort((a, b) => (a.status === b.status ? 0 : a.status === CreditStatus.HOLD ? -1 : 1));
  }

  @FieldResolver(() => CreditOverride, { nullable: true, description: 'The override in force; null when the rules decide.' })
  override(@Root() detail: CreditStatusDetail & { override?: CreditOverride | null }): CreditOverride | null {
    return detail.override ?? null;
  }
}

@Resolver(() => CreditOverride)
export class CreditOverrideResolver {
  @FieldResolver(() => User, { description: 'The manager who set it.' })
  async setBy(@Root() override: CreditOverride, @Ctx() ctx: Context): Promise<UserRow> {
    return (await ctx.loaders.userById.load(override.setById))!;
  }
}

@Resolver(() => CreditStatusChange)
export class CreditStatusChangeResolver {
  @FieldResolver(() => User, { nullable: true, description: 'Who did it (a manager’s override); null when the rules or an expiry changed the status.' })
  async by(@Root() change: CreditStatusChange, @Ctx() ctx: Context): Promise<UserRow | null> {
    return change.actorId ? ((await ctx.loaders.userById.load(change.actorId)) ?? null) : null;
  }
}
