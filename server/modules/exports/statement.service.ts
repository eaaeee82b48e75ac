/**
 * A customer's statement for callers: the customer must be one the caller sees (a SALES
 * user only their own customers; otherwise NOT_FOUND, existence is not disclosed, as
 * `customer(id)`), the figures from statement.queries.ts.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { Permission, requireAccess } from '../../core/access';
import { Principal } from '../../core/auth';
import { type LocalDate } from '../../core/local-date';
import { sumCents } from '../../core/money';
import { type CustomerService } from '../customers/customer.service';
import { queryStatementItems, queryUnallocatedCredit } from './statement.queries';
import { CustomerStatement } from './statement.types';

export class StatementService {
  constructor(
    private readonly em: EntityManager,
    private readonly customers: CustomerService,
    private readonly timeZone: string,
  ) {}

  async statement(principal: Principal, customerId: string, asOf: LocalDate, openItemsOnly: boolean): Promise<CustomerStatement> {
    requireAccess(principal, Permission.LEDGER_READ);
    const customer = await this.customers.getVisible(principal, customerId, 'customerId');
    const [items, unallocatedCredit] = await Promise.all([
      queryStatementItems(this.em, customer.id, asOf, this.timeZone, openItemsOnly),
      queryUnallocatedCredit(this.em, customer.id, asOf),
    ]);
    return {
      customerId: customer.id,
      customerCode: customer.code,
      customerName: customer.name,
      asOf,
      openItemsOnly,
      items,
      totalOutstanding: sumCents(items.map((i) => i.outstanding)),
      totalOverdue: sumCents(items.filter((i) => i.daysOverdue > 0).map((i) => i.outstanding)),
      totalDisputed: sumCents(items.map((i) => i.disputedAmount)),
      openItems: items.filter((i) => i.outstanding > 0n).length,
      unallocatedCredit,
    };
  }
}
