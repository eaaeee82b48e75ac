/**
 * The payments area's SQL: the payment list (filter and keyset page, newest arrival
 * first) and the receivables a payment was allocated to.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { assertDateRange } from '../../core/local-date';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, Where } from '../../db/sql';
import { Payment } from './payment.entity';
import { PaymentFilter } from './payment.types';

export interface PaymentListArgs {
  /** Only payments of customers this salesperson owns now; undefined: all. */
  ownerScope: string | undefined;
  filter: PaymentFilter | undefined;
  first: number;
  after: string | undefined;
  /** Count the matching payments (totalCount is selected). */
  count: boolean;
}

export function paymentPage(em: EntityManager, args: PaymentListArgs): Promise<Page<Payment>> {
  const { filter } = args;
  const where = new Where();
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  if (filter?.customerId) where.addIdEquals('p.customer_id', 'customerId', filter.customerId);
  if (filter?.receivedFrom && filter.receivedTo) {
    assertDateRange(filter.receivedFrom, filter.receivedTo, { fromField: 'filter.receivedFrom', toField: 'filter.receivedTo' });
  }
  if (filter?.receivedFrom) where.add('p.received_on >= cast(:receivedFrom as date)', { receivedFrom: filter.receivedFrom });
  if (filter?.receivedTo) where.add('p.received_on <= cast(:receivedTo as date)', { receivedTo: filter.receivedTo });
  if (filter?.method) where.add('p.method = :method', { method: filter.method });
  if (filter?.voided === true) where.add('p.voided_at is not null');
  if (filter?.voided === false) where.add('p.voided_at is null');
  if (filter?.hasUnallocated === true) where.add('p.unallocated > 0 and p.voided_at is null');
  if (filter?.hasUnallocated === false) where.add('p.unallocated = 0');
  return keysetPage(em, {
    entity: Payment,
    from: 'from payment p join customer c on c.id = p.customer_id',
    alias: 'p',
    where,
    keys: [
      { column: 'p.received_on', cast: 'date', value: (p) => p.receivedOn },
      { column: 'p.id', cast: 'uuid', value: (p) => p.id },
    ],
    descending: true,
    first: args.first,
    after: args.after,
    count: args.count,
  });
}

/** The receivables a payment has (or had, voided) allocations to. */
export const RECEIVABLES_OF_PAYMENT = defineQuery<{ paymentId: string }, string>({
  text: 'select distinct receivable_id from payment_allocation where payment_id = :paymentId',
  decode: (row) => row.text('receivable_id'),
});
