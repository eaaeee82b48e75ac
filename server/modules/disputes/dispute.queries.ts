/**
 * The disputes area's SQL: the list (keyset page, SALES see their own customers' only)
 * and the amount already disputed on a receivable. The disputed amount of a receivable
 * as of a date, which the overdue engine and the figures read, is `disputedAsOfCte`.
 */
import { EntityManager } from '@mikro-orm/postgresql';
import { type Cents } from '../../core/money';
import { Page } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { defineQuery, Where } from '../../db/sql';
import { Dispute } from './dispute.entity';
import { DisputeFilter } from './dispute.types';

/**
 * A CTE `<name>` (receivable_id, amount): per receivable, Σ amount of its disputes open
 * on the business date `dateSql` — opened on or before it and not resolved by it
 * (resolved_on > D or still open) — of the receivables `within` (a CTE with an `id`
 * column) or all. The figures cap it at the position (`least(disputed, outstanding)`).
 */
export function disputedAsOfCte(name: string, dateSql: string, within?: string): string {
  const only = within ? ` and d.receivable_id in (select id from ${within})` : '';
  return `${name} as (
  select d.receivable_id, sum(d.amount) as amount
    from dispute d
   where d.opened_on <= ${dateSql} and (d.state = 'OPEN' or d.resolved_on > ${dateSql})${only}
   group by d.receivable_id
)`;
}

/** Σ amount of the receivable's open disputes (what is disputed now). */
export const OPEN_DISPUTED = defineQuery<{ receivableId: string }, Cents>({
  text: `select coalesce(sum(amount), 0)::text as amount from dispute where receivable_id = :receivableId and state = 'OPEN'`,
  decode: (row) => row.cents('amount'),
});

export interface DisputeListArgs {
  ownerScope: string | undefined;
  filter: DisputeFilter | undefined;
  first: number;
  after: string | undefined;
  count: boolean;
}

/** Disputes, latest opened first. */
export function disputePage(em: EntityManager, args: DisputeListArgs): Promise<Page<Dispute>> {
  const where = new Where();
  const f = args.filter;
  if (f?.customerId) where.addIdEquals('d.customer_id', 'customerId', f.customerId);
  if (f?.receivableId) where.addIdEquals('d.receivable_id', 'receivableId', f.receivableId);
  if (f?.state) where.add('d.state = :state', { state: f.state });
  if (args.ownerScope) where.add('c.owner_id = :ownerScope', { ownerScope: args.ownerScope });
  return keysetPage<Dispute>(em, {
    entity: Dispute,
    alias: 'd',
    from: 'from dispute d join customer c on c.id = d.customer_id',
    where,
    keys: [
      { column: 'd.opened_on', cast: 'date', value: (d) => d.openedOn },
      { column: 'd.id', cast: 'uuid', value: (d) => d.id },
    ],
    descending: true,
    first: args.first,
    after: args.after,
    count: args.count,
  });
}
