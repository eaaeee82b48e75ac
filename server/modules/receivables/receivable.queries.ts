/** SQL conditions for receivable lists, shared by the top-level list and the per-customer loader. */
import { assertDateRange } from '../../core/local-date';
import { containsPattern, searchText, Where } from '../../db/sql';
import { ReceivableFilter } from './receivable.inputs';
import { ReceivableStatus } from './receivable.entity';

const STATUS_SQL: Record<ReceivableStatus, string> = {
  [ReceivableStatus.WRITTEN_OFF]: 'r.written_off_at is not null and r.outstanding = 0',
  [ReceivableStatus.PAID]: 'r.written_off_at is null and r.outstanding = 0',
  [ReceivableStatus.PARTIALLY_PAID]: 'r.outstanding > 0 and r.outstanding < r.amount',
  [ReceivableStatus.OPEN]: 'r.outstanding = r.amount',
};

/** Adds the filter's conditions on alias `r` (receivable) to `where`. */
export function receivableFilterWhere(where: Where, filter: ReceivableFilter | undefined | null): Where {
  if (!filter) return where;
  if (filter.customerId) where.addIdEquals('r.customer_id', filter.customerId);
  if (filter.salespersonId) where.addIdEquals('r.salesperson_id', filter.salespersonId);
  if (filter.status && filter.status.length > 0) {
    where.add(filter.status.map((s) => `(${STATUS_SQL[s]})`).join(' or '));
  }
  if (filter.dueFrom && filter.dueTo) assertDateRange(filter.dueFrom, filter.dueTo, { fromField: 'filter.dueFrom', toField: 'filter.dueTo' });
  if (filter.dueFrom) where.add('r.due_on >= ?::date', filter.dueFrom);
  if (filter.dueTo) where.add('r.due_on <= ?::date', filter.dueTo);
  if (filter.overdue === true) where.add('exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  if (filter.overdue === false) where.add('not exists (select 1 from receivable_overdue_state o where o.receivable_id = r.id and o.stage is not null)');
  const search = searchText(filter.search);
  if (search) where.add('r.reference ilike ?', containsPattern(search));
  return where;
}

export const RECEIVABLE_SORT = 'r.due_on, r.id';
