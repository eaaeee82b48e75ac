/** GraphQL surface of bulk import, import runs and the bank lines' suspense list. */
import { type GraphQLResolveInfo } from 'graphql';
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { PageArgs, toConnection } from '../../core/pagination';
import { selects } from '../../core/selection';
import { Customer } from '../customers/customer.entity';
import {
  BankLine,
  BankLineAllocationInput,
  BankLineConnection,
  CustomerImportRow,
  ImportOptions,
  ImportResult,
  ImportRunConnection,
  PaymentImportRow,
  ReceivableImportRow,
} from './import.types';

const ROWS = 'Up to 1,000 rows; send a larger file in batches.';

@Resolver()
export class ImportResolver {
  @Authorized(Permission.IMPORT)
  @Mutation(() => ImportResult, {
    description: 'Customers from a source system, upserted by (source, externalId). FINANCE, ADMIN, API tokens with the IMPORT scope.',
  })
  importCustomers(
    @Arg('options', () => ImportOptions) options: ImportOptions,
    @Arg('rows', () => [CustomerImportRow], { description: ROWS }) rows: CustomerImportRow[],
    @Ctx() ctx: Context,
  ): Promise<ImportResult> {
    return ctx.services.imports.importCustomers(ctx.principal!, options, rows);
  }

  @Authorized(Permission.IMPORT)
  @Mutation(() => ImportResult, {
    description: 'Open items from a source system, upserted by (source, externalId); once money touched a receivable only its due date may change.',
  })
  importReceivables(
    @Arg('options', () => ImportOptions) options: ImportOptions,
    @Arg('rows', () => [ReceivableImportRow], { description: ROWS }) rows: ReceivableImportRow[],
    @Ctx() ctx: Context,
  ): Promise<ImportResult> {
    return ctx.services.imports.importReceivables(ctx.principal!, options, rows);
  }

  @Authorized(Permission.IMPORT)
  @Mutation(() => ImportResult, {
    description:
      'Bank-statement lines: each matched line is booked as a payment received on its value date (docs/import.md, "Matching bank lines"); unmatched lines wait in unappliedBankLines.',
  })
  importPayments(
    @Arg('options', () => ImportOptions) options: ImportOptions,
    @Arg('rows', () => [PaymentImportRow], { description: ROWS }) rows: PaymentImportRow[],
    @Ctx() ctx: Context,
  ): Promise<ImportResult> {
    return ctx.services.imports.importPayments(ctx.principal!, options, rows);
  }

  @Authorized(Permission.IMPORT)
  @Query(() => ImportRunConnection, { description: 'Import runs, latest first.' })
  async importRuns(@Args() { first, after }: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<ImportRunConnection> {
    return toConnection(await ctx.services.imports.listRuns(ctx.principal!, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Query(() => BankLineConnection, { description: 'Imported bank lines no customer was found for (the suspense list), oldest value date first.' })
  async unappliedBankLines(@Args() { first, after }: PageArgs, @Ctx() ctx: Context, @Info() info: GraphQLResolveInfo): Promise<BankLineConnection> {
    return toConnection(await ctx.services.imports.unappliedBankLines(ctx.principal!, first, after, selects(info, 'totalCount')));
  }

  @Authorized(Permission.LEDGER_BOOK)
  @Mutation(() => BankLine, {
    description:
      'Books an unapplied bank line as a payment of the customer: receivedOn stays the line’s value date, however late it is applied (the booking-lag rule asks for lagReason).',
  })
  applyBankLine(
    @Arg('lineId', () => ID) lineId: string,
    @Arg('customerId', () => ID) customerId: string,
    @Arg('allocations', () => [BankLineAllocationInput], { nullable: true, description: 'When omitted, oldest due first; the rest stays as customer credit.' })
    allocations: BankLineAllocationInput[] | null,
    @Arg('lagReason', () => String, { nullable: true }) lagReason: string | null,
    @Ctx() ctx: Context,
  ): Promise<BankLine> {
    return ctx.services.imports.applyBankLine(ctx.principal!, lineId, customerId, allocations ?? undefined, lagReason ?? undefined);
  }
}

@Resolver(() => Customer)
export class CustomerPayerAccountsResolver {
  @Authorized(Permission.LEDGER_BOOK)
  @FieldResolver(() => [String], { description: 'Bank accounts known to pay for this customer: bank lines from them are matched to it.' })
  payerAccounts(@Root() customer: { id: string }, @Ctx() ctx: Context): Promise<string[]> {
    return ctx.loaders.payerAccountsOfCustomer.load(customer.id);
  }
}
