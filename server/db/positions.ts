/**
 * The ledger's one building block: a receivable's *position as of a business date D*,
 * what was outstanding at the end of D as the ledger now knows it. Every figure that
 * asks "how much was owed on D" uses it: the aging report and the window metrics, the
 * overdue engine's judgement, the customers' overdue amount. There is no second formula.
 *
 *   position(r, D) = amount − Σ allocations that count by D − write-off if made by D
 *                    − Σ credits granted by D,
 *                    for a receivable issued on or before D (none issued later)
 *
 * - Money counts from the date it arrived (`received_on`, never the booking); an
 *   allocation to a receivable issued later counts from the issue date, so credit that
 *   arrived before an invoice existed cannot have paid it earlier.
 * - Allocations of voided payments never count.
 * - A write-off counts from the day it was made in the company time zone (`:tz`).
 * - A credit (`receivable_credit`, e.g. a dispute found valid) counts from the business
 *   date it was granted (`credited_on`).
 *
 * It is computed backwards from the stored `outstanding` (amount − counted allocations −
 * write-off − credits, kept by the ledger in the same transaction): the open receivables,
 * with what arrived, was written off or credited after D added back, plus the receivables
 * that such later money, write-off or credit has closed since. For a date near today that
 * touches little more than the open receivables (partial index), however long the history.
 *
 * The tables are the ledger's (base migrations), which is why this lives on the ground
 * floor: areas above use it, none of them owns it.
 */

import { type LocalDate } from '../core/local-date';

/** What "today" means to a figure as of today: the business date and the company time zone (`:today`, `:tz`). */
export interface Today {
  today: LocalDate;
  tz: string;
}

/** Which receivables' positions a query needs. */
export interface PositionScope {
  /**
   * An extra condition on the receivable, as SQL over the alias given (e.g. a salesperson
   * or customer filter). The CTEs' own aliases start with `p` (pr, pw, pa, pl, pc, pcr,
   * pk), so the condition may refer to an outer query's `r` or `c`.
   */
  receivable?: (alias: string) => string;
  /**
   * The name of an earlier CTE with an `id` column: only these receivables, each read by
   * its key (a small set; without it positions start from the open receivables' index).
   * Then `<name>` has a row for every one of them, position 0 included, with issued_on,
   * written_off_at and first_received_on (the first day money or a credit already
   * recorded counts after D).
   */
  within?: string;
  /** With `within`: columns of that CTE to carry into each row (read once, not joined again). */
  carry?: readonly string[];
  /**
   * With `within`: the prefix of that CTE's columns that may hold a copy of the receivable's
   * ledger columns as its last change left them (`<prefix>customer_id`, `salesperson_id`,
   * `issued_on`, `effective_due_on`, `outstanding`, `written_off_at`, `written_off_amount`;
   * null `customer_id`: no copy), kept by whoever wrote the receivable (the overdue engine's
   * triggers). A row with a copy is computed from it, the others from `receivable`.
   */
  ledgerCopy?: string;
}

/** The receivable's columns a position is computed from and `within` rows carry (a `ledgerCopy` has them all). */
export const LEDGER_COLUMNS = [
  'salesperson_id',
  'customer_id',
  'effective_due_on',
  'issued_on',
  'written_off_at',
  'written_off_amount',
  'outstanding',
] as const;

/** The first instant after the business date `dateSql` in the company time zone (`:tz`). */
export const instantAfter = (dateSql: string): string => `(cast(${dateSql} + 1 as timestamp) at time zone :tz)`;

/**
 * The formula, once: the position of receivable `r` (issued by D) as of D = `dateSql`, from
 * its stored outstanding with what counts after D added back: the allocations
 * (`laterAllocations`) and credits (`laterCredits`) counted after D, and a write-off made
 * after D.
 */
function positionAfterAddingBack(r: string, dateSql: string, laterAllocations: string, laterCredits: string): string {
  return `${r}.outstanding + coalesce(${laterAllocations}, 0) + coalesce(${laterCredits}, 0) + case when ${r}.written_off_at >= ${instantAfter(dateSql)} then ${r}.written_off_amount else 0 end`;
}

/**
 * The position of the receivable aliased `r` as of a date that may differ from row to row
 * (`dateSql`, an expression over `r`, e.g. its first overdue day): the same formula as
 * `positionsCtes`, with what counts after that date read per row (correlated, by the
 * receivable's index). For sets of receivables each asked about its own day; 0 before issue.
 */
export function positionOnSql(r: string, dateSql: string): string {
  const d = `(${dateSql})`;
  const laterAllocations = `(select sum(pa.amount) from payment_allocation pa where pa.receivable_id = ${r}.id and not pa.voided and pa.received_on > ${d})`;
  const laterCredits = `(select sum(pcr.amount) from receivable_credit pcr where pcr.receivable_id = ${r}.id and pcr.credited_on > ${d})`;
  return `(case when ${r}.issued_on <= ${d} then ${positionAfterAddingBack(r, d, laterAllocations, laterCredits)} else 0 end)`;
}

/**
 * CTEs `<name>_later`, `<name>_credited` and `<name>`: the position as of `dateSql` of every receivable
 * in scope that was issued by then and had something outstanding at its end, one row per
 * receivable with id, salesperson_id, customer_id, effective_due_on and outstanding (> 0).
 * A receivable in scope without a row has position 0 (paid, written off or not issued).
 *
 * `<name>_later` has, per receivable issued by D, the allocations that count after D:
 * their `amount` and the first day one counts (`first_received_on`, when the position
 * falls next by itself); `<name>_credited` the same of the credits granted after D. With
 * `within`, `<name>_rows` has the receivables' ledger columns, read or copied.
 */
export function positionsCtes(name: string, dateSql: string, scope: PositionScope = {}): string {
  const condition = (alias: string) => (scope.receivable ? ` and ${scope.receivable(alias)}` : '');
  const writtenOffLater = (alias: string) => `${alias}.written_off_at >= ${instantAfter(dateSql)}`;
  const position = positionAfterAddingBack('pr', dateSql, 'pl.amount', 'pc.amount');
  const later = `
${name}_later as (
  -- Allocations carry received_on, voided and the receivable's issued_on: one index-only
  -- range scan (payment_allocation_later_idx). Receivables issued after D have no position.
  select pa.receivable_id, sum(pa.amount) as amount, min(pa.received_on) as first_received_on
    from payment_allocation pa
   where not pa.voided and pa.received_on > ${dateSql} and pa.issued_on <= ${dateSql}${
     scope.within ? ` and pa.receivable_id in (select id from ${scope.within})` : ''
   }
   group by pa.receivable_id
),
${name}_credited as (
  -- Credits granted after D (few: an index range scan); those of receivables issued after D never count.
  select pcr.receivable_id, sum(pcr.amount) as amount, min(pcr.credited_on) as first_credited_on
    from receivable_credit pcr
   where pcr.credited_on > ${dateSql}${scope.within ? ` and pcr.receivable_id in (select id from ${scope.within})` : ''}
   group by pcr.receivable_id
)`;
  if (scope.within) {
    // A given set (the overdue engine's candidates): each receivable by its key, or from the
    // copy of its ledger columns it carries, one row each, also with position 0, and with
    // what a judgement reads besides the position.
    const carried = (alias: string) => (scope.carry ?? []).map((column) => `${alias}.${column}, `).join('');
    const copy = scope.ledgerCopy;
    const read = `
  select ${carried('pin')}pin.id, ${LEDGER_COLUMNS.map((column) => `pr.${column}`).join(', ')}
    from ${scope.within} pin
    join receivable pr on pr.id = pin.id${copy ? `\n   where pin.${copy}customer_id is null` : ''}`;
    const copied = copy
      ? `
  union all
  select ${carried('pin')}pin.id, ${LEDGER_COLUMNS.map((column) => `pin.${copy}${column}`).join(', ')}
    from ${scope.within} pin
   where pin.${copy}customer_id is not null`
      : '';
    return `${later},
${name}_rows as (${read}${copied}
),
${name} as (
  select ${carried('pr')}pr.id, pr.salesperson_id, pr.customer_id, pr.effective_due_on, pr.issued_on, pr.written_off_at,
         least(pl.first_received_on, pc.first_credited_on) as first_received_on,
         case when pr.issued_on <= ${dateSql} then ${position} else 0 end as outstanding
    from ${name}_rows pr
    left join ${name}_later pl on pl.receivable_id = pr.id
    left join ${name}_credited pc on pc.receivable_id = pr.id${scope.receivable ? `\n   where ${scope.receivable('pr')}` : ''}
)`;
  }
  return `${later},
${name} as (
  -- Open now (partial index), with what arrived, was written off or credited after D added back …
  select pr.id, pr.salesperson_id, pr.customer_id, pr.effective_due_on, ${position} as outstanding
    from receivable pr
    left join ${name}_later pl on pl.receivable_id = pr.id
    left join ${name}_credited pc on pc.receivable_id = pr.id
   where pr.outstanding > 0 and pr.issued_on <= ${dateSql}${condition('pr')}
  union all
  -- … and closed now, but only by money that arrived, a write-off made or a credit granted after D.
  select pr.id, pr.salesperson_id, pr.customer_id, pr.effective_due_on, ${position} as outstanding
    from (
      select receivable_id as id from ${name}_later
      union
      select receivable_id from ${name}_credited
      union
      select pw.id from receivable pw where ${writtenOffLater('pw')}${condition('pw')}
    ) pk
    join receivable pr on pr.id = pk.id
    left join ${name}_later pl on pl.receivable_id = pr.id
    left join ${name}_credited pc on pc.receivable_id = pr.id
   where pr.outstanding = 0 and pr.issued_on <= ${dateSql}${condition('pr')}
)`;
}
