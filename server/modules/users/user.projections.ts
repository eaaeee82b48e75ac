/** Users answered by PostgreSQL (db/json-projection.ts): the fields of User that are columns. */
import { type Context } from '../../context';
import { dateTimeJson, type FieldProjection, type JsonProjections, jsonValue } from '../../db/json-projection';

export function userProjections(projections: JsonProjections<Context>): void {
  for (const [field, column] of [
    ['id', 'id'],
    ['email', 'email'],
    ['name', 'name'],
    ['role', 'role'],
    ['active', 'active'],
  ]) {
    projections.field('User', field, (f: FieldProjection<Context>) => jsonValue(`${f.row}.${column}`));
  }
  // The GraphQL name of the stored language (zh-CN → ZH_CN), as the Locale enum serialises it.
  projections.field('User', 'locale', (f: FieldProjection<Context>) => jsonValue(`upper(replace(${f.row}.locale, '-', '_'))`));
  projections.field('User', 'createdAt', (f) => dateTimeJson(`${f.row}.created_at`));
}
