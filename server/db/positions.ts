/**
 * The ledger's one building block: a receivable's *position as of a business date D*,
 * what was outstanding at the end of D as the ledger now knows it. Every figure that
 * asks "how much was owed on D" uses it: the aging report and the window metrics, the
 * overdue engine's judgement, the customers' overdue amount. There is no second formula.
 *
 *   position(r, D) = amount − Σ allocations that count by D − write-off if made by D,
 *                    for a receivable issued on or before D (none issued later)
 *
 * - Money counts from the date it arrived (`received_on`, never the booking); an
 *   allocation to a receivable issued later counts from the issue date, so credit that
 *   arrived before an invoice existed cannot have paid it earlier.
 * - Allocations of voided payments never count.
 * - A write-off counts from the day it was made in the company time zone (`:tz`).
 *
 * It is computed backwards from the stored `outstanding` (amount − counted allocations −
 * write-off, kept by the ledger in the same transaction): the open receivables, with what
 * arrived or was written off after D added back, plus the receivables that such later
 * money or write-off has closed since. For a date near today that touches little more
 * than the open receivables (partial index), however long the history.
 *
 * The tables are the ledger's (base migrations), which is why this lives on the ground
 * floor: areas above use it, none of them owns it.
 */

/** Which receivables' positions a query needs. */
export interface PositionScope {
  /**
   * An extra condition on the receivable, as SQL over the alias given (e.g. a salesperson
   * or customer filter). The CTEs' own aliases start with `p` (pr, pw, pa, pl, pk), so the
   * condition may refer to an outer query's `r` or `c`.
   */
  receivable?: (alias: string) => string;
  /**
   * The name of an earlier CTE with an `id` column: only these receivables. Their later
   * allocations are then read by receivable (index) instead of by date range.
   */
  within?: string;
}

/** The first instant after the business date `dateSql` in the company time zone (`:tz`). */
export const instantAfter = (dateSql: string): string => `(cast(${dateSql} + 1 as timestamp) at time zone :tz)`;

/**
 * Two CTEs, `<name>_later` and `<name>`: the position as of `dateSql` of every receivable
 * in scope that was issued by then and had something outstanding at its end, one row per
 * receivable with id, salesperson_id, customer_id, effective_due_on and outstanding (> 0).
 * A receivable in scope without a row has position 0 (paid, written off or not issued).
 */
export function positionsCtes(name: string, dateSql: string, scope: PositionScope = {}): string {
  const where = (alias: string) =>
    [scope.receivable?.(alias), scope.within ? `${alias}.id in (select id from ${scope.within})` : undefined]
      .filter(Boolean)
      .map((c) => ` and ${c}`)
      .join('');
  const laterWithin = scope.within ? ` and pa.receivable_id in (select id from ${scope.within})` : '';
  const writtenOffLater = (alias: string) => `${alias}.written_off_at >= ${instantAfter(dateSql)}`;
  return `
${name}_later as (
  -- Allocations carry received_on, voided and the receivable's issued_on: one index-only
  -- range scan (payment_allocation_later_idx). Receivables issued after D have no position.
  select pa.receivable_id, sum(pa.amount) as amount
    from payment_allocation pa
   where not pa.voided and pa.received_on > ${dateSql} and pa.issued_on <= ${dateSql}${laterWithin}
   group by pa.receivable_id
),
${name} as (
  -- Open now (partial index), with what arrived or was written off after D added back …
  select pr.id, pr.salesperson_id, pr.customer_id, pr.effective_due_on,
         pr.outstanding + coalesce(pl.amount, 0) + case when ${writtenOffLater('pr')} then pr.written_off_amount else 0 end as outstanding
    from receivable pr
    left join ${name}_later pl on pl.receivable_id = pr.id
   where pr.outstanding > 0 and pr.issued_on <= ${dateSql}${where('pr')}
  union all
  -- … and closed now, but only by money that arrived, or a write-off made, after D.
  select pr.id, pr.salesperson_id, pr.customer_id, pr.effective_due_on,
         coalesce(pl.amount, 0) + case when ${writtenOffLater('pr')} then pr.written_off_amount else 0 end as outstanding
    from (
      select receivable_id as id from ${name}_later
      union
      select pw.id from receivable pw where ${writtenOffLater('pw')}${where('pw')}
    ) pk
    join receivable pr on pr.id = pk.id
    left join ${name}_later pl on pl.receivable_id = pr.id
   where pr.outstanding = 0 and pr.issued_on <= ${dateSql}${where('pr')}
)`;
}
