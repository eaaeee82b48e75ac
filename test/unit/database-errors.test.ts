/**
 * Database failures as the API and the log see them: what counts as "down", "busy" or a
 * statement timeout, and that a logged database error keeps what names the failure
 * (SQLSTATE, constraint, table) but none of the values knex and MikroORM inline into it.
 */
import { GraphQLError } from 'graphql';
import { PostgreSqlExceptionConverter } from '@mikro-orm/postgresql';
import { classifyDatabaseError, sanitizeErrorForLog } from '../../server/core/database-errors';

/** A node-postgres error after knex prefixed its statement, converted as MikroORM does. */
function driverError(sql: string, message: string, fields: Record<string, string>): Error {
  const pg = Object.assign(new Error(`${sql} - ${message}`), { name: 'error', severity: 'ERROR', ...fields });
  return new PostgreSqlExceptionConverter().convertException(pg);
}

test('a logged constraint violation keeps SQLSTATE, constraint and table, never the inserted values', () => {
  const hash = 'scrypt$32768$8$1$c2VjcmV0LXNhbHQ=$c2VjcmV0LWtleQ==';
  const error = driverError(
    `insert into "user" ("email", "password_hash") values ('li@example.com', '${hash}')`,
    'duplicate key value violates unique constraint "user_email_unique"',
    { code: '23505', detail: 'Key (email)=(li@example.com) already exists.', constraint: 'user_email_unique', table: 'user', schema: 'public' },
  );
  // What reaches the error formatter: graphql-js wraps the resolver's error.
  const wrapped = new GraphQLError(error.message, { originalError: error, path: ['createUser'] });
  const logged = sanitizeErrorForLog(wrapped);
  const text = JSON.stringify(logged);
  expect(text).not.toContain(hash);
  expect(text).not.toContain('li@example.com');
  expect(text).not.toContain('insert into');
  expect(logged).toMatchObject({
    type: 'UniqueConstraintViolationException',
    code: '23505',
    constraint: 'user_email_unique',
    table: 'user',
    path: 'createUser',
    message: 'duplicate key value violates unique constraint "…"',
  });
  expect(String(logged.stack)).toMatch(/^\s+at /);
});

test('values quoted inside PostgreSQL’s own message are masked too', () => {
  const error = driverError(`select * from "customer" where "id" = 'not-a-uuid'`, 'invalid input syntax for type uuid: "not-a-uuid"', { code: '22P02' });
  const logged = sanitizeErrorForLog(error);
  expect(JSON.stringify(logged)).not.toContain('not-a-uuid');
  expect(logged).toMatchObject({ code: '22P02', message: 'invalid input syntax for type uuid: "…"' });
});

test('errors that are not from the database are logged as they are, and sanitising twice changes nothing', () => {
  const logged = sanitizeErrorForLog(new TypeError('x is not a function'));
  expect(logged).toMatchObject({ type: 'TypeError', message: 'x is not a function' });
  expect(sanitizeErrorForLog(logged)).toBe(logged);
});

test('down, busy and statement timeouts are told apart from other failures', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  expect(classifyDatabaseError(new GraphQLError('x', { originalError: refused }))).toBe('unavailable');
  expect(classifyDatabaseError(driverError('select 1', 'terminating connection due to administrator command', { code: '57P01' }))).toBe('unavailable');
  expect(classifyDatabaseError(Object.assign(new Error('database "hk" is not currently accepting connections'), { code: '55000' }))).toBe('unavailable');
  expect(classifyDatabaseError(new Error('select 1 - Connection terminated unexpectedly'))).toBe('unavailable');
  const timeout = Object.assign(new Error('Knex: Timeout acquiring a connection. The pool is probably full. Are you missing a .transacting(trx) call?'), {
    name: 'KnexTimeoutError',
  });
  expect(classifyDatabaseError(timeout)).toBe('busy');
  expect(classifyDatabaseError(driverError('select pg_sleep(10)', 'canceling statement due to statement timeout', { code: '57014' }))).toBe(
    'statement-timeout',
  );
  // A user's value that reads like a failure is still only a value in the statement.
  expect(
    classifyDatabaseError(driverError(`select * from "customer" where name = 'x - Connection terminated'`, 'division by zero', { code: '22012' })),
  ).toBeUndefined();
  expect(classifyDatabaseError(new Error('something else'))).toBeUndefined();
});
