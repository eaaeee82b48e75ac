/**
 * The aging report answered by PostgreSQL (db/json-projection.ts): `agingReport(asOf)` of
 * every salesperson, for the readers who see everyone's figures, in the statement of
 * `queryAging`, the salespeople by name (then id) as `MetricsService.sortByName` orders
 * them. One salesperson's report (`salespersonId`, or a SALES caller) is read by the resolver.
 */
import { type Context } from '../../context';
import { can, ownerScope, Permission } from '../../core/access';
import { type FieldProjection, type JsonProjections, jsonList, jsonRow, jsonValue, moneyJson } from '../../db/json-projection';
import { AGING_SQL } from './metrics.queries';

type Field = FieldProjection<Context>;

/** The CTE of the aging rows inside the agingReport projection. */
const ROWS = 'hk_aging';

const MONEY_BUCKETS = ['total', 'current', 'd1to30', 'd31to60', 'd61to90', 'over90', 'disputed'] as const;

function buckets(projections: JsonProjections<Context>, type: string): void {
  for (const bucket of MONEY_BUCKETS) projections.field(type, bucket, (f: Field) => moneyJson(`${f.row}.${bucket}`));
  projections.field(type, 'receivables', (f: Field) => jsonValue(`${f.row}.receivables`));
  projections.field(type, 'overdueCount', (f: Field) => jsonValue(`${f.row}.overdue_count`));
}

export function analyticsProjections(projections: JsonProjections<Context>): void {
  projections.field('Query', 'agingReport', (f) => {
    const principal = f.env.principal;
    if (!principal || !can(principal, Permission.COLLECTION_STATS_READ) || ownerScope(principal) !== undefined) return undefined;
    if (f.args.salespersonId !== undefined && f.args.salespersonId !== null) return undefined;
    f.bind({ asOf: f.args.asOf as string, tz: f.env.config.timeZone, salespersonIds: null });
    const total = f.alias('t');
    return `(with ${ROWS} as (${AGING_SQL}) select ${f.object('AgingReport', total)} from ${ROWS} ${total} where ${total}.is_total = 1)`;
  });
  // The report's date is the argument (bound by agingReport), as the resolver returns it.
  projections.field('AgingReport', 'asOf', () => jsonValue('cast(:asOf as date)'));
  buckets(projections, 'AgingReport');
  projections.field('AgingReport', 'bySalesperson', (f) => {
    const [row, user] = [f.alias('s'), f.alias('u')];
    // JavaScript's string order (sortByName) is the code-unit order of "C" (outside the surrogate range).
    return jsonList(
      f.object('SalespersonAging', row),
      `from ${ROWS} ${row} join app_user ${user} on ${user}.id = ${row}.salesperson_id where ${row}.is_total = 0`,
      `${user}.name collate "C", ${user}.id`,
    );
  });
  buckets(projections, 'SalespersonAging');
  projections.field('SalespersonAging', 'salesperson', (f) => {
    const user = f.alias('u');
    return jsonRow(f.object('User', user), `from app_user ${user} where ${user}.id = ${f.row}.salesperson_id`);
  });
}
