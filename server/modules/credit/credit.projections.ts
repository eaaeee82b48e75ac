/**
 * Customer.creditStatus answered by PostgreSQL (db/json-projection.ts): the stored
 * effective status, OK for a customer never evaluated, as the resolver answers it.
 * creditStatusDetail is not projected: a selection of it is read by the resolvers.
 */
import { type Context } from '../../context';
import { type JsonProjections, jsonValue } from '../../db/json-projection';
import { STATUS_SQL } from './credit.queries';

export function creditProjections(projections: JsonProjections<Context>): void {
  projections.field('Customer', 'creditStatus', (f) => jsonValue(STATUS_SQL(`${f.row}.id`)));
}
