/** GraphQL surface of the statements: `customerStatement`. */
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import { type Context } from '../../context';
import { Permission } from '../../core/access';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';
import { CustomerStatement } from './statement.types';

@Resolver()
export class StatementResolver {
  @Authorized(Permission.LEDGER_READ)
  @Query(() => CustomerStatement, {
    description:
      "A customer's statement as of a business date (default today): each receivable issued by then with its outstanding as the aging report counts it, days overdue, open promise and dispute, plus totals and unallocated credit. Also as CSV: GET /customers/:id/statement.csv. A customer the caller may not see is NOT_FOUND.",
  })
  customerStatement(
    @Arg('customerId', () => ID) customerId: string,
    @Arg('asOf', () => LocalDateScalar, { nullable: true }) asOf: LocalDate | null,
    @Arg('openItemsOnly', () => Boolean, { nullable: true, description: 'Leave out items with nothing outstanding on the date (default true).' })
    openItemsOnly: boolean | null,
    @Ctx() ctx: Context,
  ): Promise<CustomerStatement> {
    return ctx.services.statements.statement(ctx.principal!, customerId, asOf ?? ctx.clock.today(), openItemsOnly ?? true);
  }
}
