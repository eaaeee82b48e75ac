/**
 * Receivables answered by PostgreSQL (db/json-projection.ts): `Customer.receivables` (the
 * page of `receivablePagesOfCustomers`: due date order, its cursors) and the fields of
 * Receivable that are its columns, and its status. A filter is not projected.
 */
import { type Context } from '../../context';
import { pageSize } from '../../core/pagination';
import { dateTimeJson, type FieldProjection, type JsonProjections, jsonValue, keysetConnectionSql, moneyJson } from '../../db/json-projection';
import { decodeKeysetCursor } from '../../db/keyset';
import { ReceivableStatus } from './receivable.entity';

type Field = FieldProjection<Context>;

const column = (name: string) => (f: Field) => jsonValue(`${f.row}.${name}`);
const money = (name: string) => (f: Field) => moneyJson(`${f.row}.${name}`);

/** receivableStatus() in SQL. */
const status = (f: Field) =>
  jsonValue(`case when ${f.row}.outstanding = 0
    then case when ${f.row}.written_off_at is not null then '${ReceivableStatus.WRITTEN_OFF}'
              when ${f.row}.credited_amount > 0 then '${ReceivableStatus.CREDITED}' else '${ReceivableStatus.PAID}' end
  when ${f.row}.outstanding < ${f.row}.amount then '${ReceivableStatus.PARTIALLY_PAID}' else '${ReceivableStatus.OPEN}' end`);

export function receivableProjections(projections: JsonProjections<Context>): void {
  projections
    .field('Customer', 'receivables', (f) => {
      if (f.args.filter !== undefined && f.args.filter !== null) return undefined;
      const customer = f.row;
      return keysetConnectionSql(f, 'ReceivableConnection', {
        nodeType: 'Receivable',
        table: 'receivable',
        where: (row) => `${row}.customer_id = ${customer}.id`,
        keys: [
          { column: 'due_on', cast: 'date' },
          { column: 'id', cast: 'uuid' },
        ],
        first: pageSize(f.args.first as number | null | undefined),
        after: decodeKeysetCursor(f.args.after as string | null | undefined, ['date', 'uuid']),
      });
    })
    .field('Receivable', 'id', column('id'))
    .field('Receivable', 'reference', column('reference'))
    .field('Receivable', 'amount', money('amount'))
    .field('Receivable', 'issuedOn', column('issued_on'))
    .field('Receivable', 'dueOn', column('due_on'))
    .field('Receivable', 'effectiveDueOn', column('effective_due_on'))
    .field('Receivable', 'outstanding', money('outstanding'))
    .field('Receivable', 'writtenOffAmount', money('written_off_amount'))
    .field('Receivable', 'creditedAmount', money('credited_amount'))
    .field('Receivable', 'writeOffReason', column('write_off_reason'))
    .field('Receivable', 'writtenOffAt', (f) => dateTimeJson(`${f.row}.written_off_at`))
    .field('Receivable', 'createdAt', (f) => dateTimeJson(`${f.row}.created_at`))
    .field('Receivable', 'status', status);
}
