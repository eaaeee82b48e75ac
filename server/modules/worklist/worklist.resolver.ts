/** GraphQL surface of the collection worklist: `collectionWorklist` and `WorklistItem.customer`. */
import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Query, Resolver, Root } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { toConnection } from '../../core/pagination';
import { LocalDateScalar } from '../../core/scalars';
import { Customer } from '../customers/customer.entity';
import { type CustomerRow } from '../customers/customer.queries';
import { WorklistConnection, WorklistItem } from './worklist.types';

@Resolver(() => WorklistItem)
export class WorklistResolver {
  @Authorized(Permission.WORKLIST_READ)
  @Query(() => WorklistConnection, {
    description:
      "Whom to chase on a business date (default today): one item per customer with undisputed money overdue or falling due within WORKLIST_LOOKAHEAD_DAYS working days, highest priority first (docs/metrics.md). SALES: own customers only (another salespersonId is FORBIDDEN); FINANCE, MANAGER, ADMIN: one salesperson's customers, or all without salespersonId.",
  })
  async collectionWorklist(
    @Arg('date', () => LocalDateScalar, { nullable: true }) date: LocalDate | null,
    @Arg('salespersonId', () => ID, { nullable: true }) salespersonId: string | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 0–200 (default 20).' }) first: number | null,
    @Arg('after', () => String, { nullable: true, description: 'The endCursor of the previous page.' }) after: string | null,
    @Ctx() ctx: Context,
  ): Promise<WorklistConnection> {
    return toConnection(await ctx.services.worklist.page(ctx.principal!, date ?? ctx.clock.today(), salespersonId, first, after));
  }

  @FieldResolver(() => Customer)
  async customer(@Root() item: WorklistItem, @Ctx() ctx: Context): Promise<CustomerRow> {
    return (await ctx.loaders.customerById.load(item.customerId))!;
  }
}
