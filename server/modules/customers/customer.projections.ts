/**
 * Customers answered by PostgreSQL (db/json-projection.ts): `customers` (the page, in the
 * keyset order and with the cursors of `customerPage`) and `customer(id)`, with the
 * fields of Customer that are its columns, its balances and its owner. A filter is not
 * projected: such a list is read by the resolver.
 */
import { type Context } from '../../context';
import { can, ownerScope, Permission } from '../../core/access';
import { pageSize } from '../../core/pagination';
import { dateTimeJson, type FieldProjection, type JsonProjections, jsonRow, jsonValue, keysetConnectionSql, moneyJson } from '../../db/json-projection';
import { decodeKeysetCursor } from '../../db/keyset';
import { isUuid } from '../../db/sql';
import { BALANCE_SQL } from './customer.queries';

type Field = FieldProjection<Context>;

/** What `@Authorized(Permission.LEDGER_READ)` lets through; anyone else gets the resolver's refusal. */
const mayRead = (ctx: Context) => ctx.principal !== undefined && can(ctx.principal, Permission.LEDGER_READ);

const column = (name: string) => (f: Field) => jsonValue(`${f.row}.${name}`);

/** A balance as of today, as the page statement reads it. */
const balance = (which: keyof typeof BALANCE_SQL) => (f: Field) => {
  if (which === 'overdueAmount') f.bind({ today: f.env.clock.today(), tz: f.env.config.timeZone });
  return moneyJson(BALANCE_SQL[which](`${f.row}.id`));
};

export function customerProjections(projections: JsonProjections<Context>): void {
  projections
    .field('Query', 'customers', (f) => {
      if (!mayRead(f.env) || (f.args.filter !== undefined && f.args.filter !== null)) return undefined;
      const scope = ownerScope(f.env.principal!);
      const owner = scope === undefined ? undefined : f.param(scope);
      return keysetConnectionSql(f, 'CustomerConnection', {
        nodeType: 'Customer',
        table: 'customer',
        where: (row) => (owner ? `${row}.owner_id = ${owner}` : 'true'),
        keys: [
          { column: 'code', cast: 'text' },
          { column: 'id', cast: 'uuid' },
        ],
        first: pageSize(f.args.first as number | null | undefined),
        after: decodeKeysetCursor(f.args.after as string | null | undefined, ['text', 'uuid']),
      });
    })
    .field('Query', 'customer', (f) => {
      if (!mayRead(f.env)) return undefined;
      const id = f.args.id as string;
      if (!isUuid(id)) return `'null'`;
      const c = f.alias('c');
      const scope = ownerScope(f.env.principal!);
      const visible = scope === undefined ? '' : ` and ${c}.owner_id = ${f.param(scope)}`;
      return jsonRow(f.object('Customer', c), `from customer ${c} where ${c}.id = cast(${f.param(id)} as uuid)${visible}`);
    })
    .field('Customer', 'id', column('id'))
    .field('Customer', 'code', column('code'))
    .field('Customer', 'name', column('name'))
    .field('Customer', 'creditTermDays', column('credit_term_days'))
    .field('Customer', 'creditLimit', (f) => moneyJson(`${f.row}.credit_limit`))
    .field('Customer', 'createdAt', (f) => dateTimeJson(`${f.row}.created_at`))
    .field('Customer', 'updatedAt', (f) => dateTimeJson(`${f.row}.updated_at`))
    .field('Customer', 'owner', (f) => {
      const u = f.alias('u');
      return jsonRow(f.object('User', u), `from app_user ${u} where ${u}.id = ${f.row}.owner_id`);
    })
    .field('Customer', 'outstanding', balance('outstanding'))
    .field('Customer', 'overdueAmount', balance('overdueAmount'))
    .field('Customer', 'alarmedAmount', balance('alarmedAmount'))
    .field('Customer', 'creditBalance', balance('credit'));
}
