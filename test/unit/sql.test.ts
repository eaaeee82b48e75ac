/**
 * The SQL helper (`server/db/sql.ts`): how named parameters, arrays and `Where`
 * fragments turn into the statement MikroORM sends, how rows are decoded, and, on a
 * real PostgreSQL database of this test file's own, that what it sends means what the
 * query says (quoted `?`, casts, arrays, driver types).
 */
import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/postgresql';
import { Client as PgClient } from 'pg';
import { openOrm } from '../../server/db/orm';
import { compileSql, containsPattern, defineQuery, defineStatement, NoParams, pgArray, SqlRow, Where } from '../../server/db/sql';
import { ENTITIES, MIGRATIONS } from '../../server/registry';

const UUID_A = '0b8f7a52-3c1d-4e5f-9a6b-7c8d9e0f1a2b';
const UUID_B = 'f1e2d3c4-b5a6-4978-8695-a4b3c2d1e0f9';

describe('compiling named parameters', () => {
  test('each :name becomes a placeholder, its value in order; a name used twice is sent twice', () => {
    expect(compileSql('select * from t where a = :a and b > :b or a = :a', { a: 'x', b: 2 })).toEqual({
      text: 'select * from t where a = ? and b > ? or a = ?',
      values: ['x', 2, 'x'],
    });
  });

  test('casts, quoted text, identifiers and comments are not parameters', () => {
    const sql = `select :day::date, ':no', "odd:name", $$ :no $$, $tag$ :no $tag$ -- :no
      /* :no */ , 'it''s :no', regexp_replace(x, '[[:punct:]]', '')`;
    const { text, values } = compileSql(sql, { day: '2026-11-02' });
    expect(values).toEqual(['2026-11-02']);
    expect(text).toBe(sql.replace(':day', '?'));
  });

  test('a literal ? (an operator, quoted text) is escaped for MikroORM when values are sent, left alone otherwise', () => {
    expect(compileSql(`select cast(:doc as jsonb) ? 'k', '?'`, { doc: '{}' }).text).toBe(`select cast(? as jsonb) \\? 'k', '\\?'`);
    expect(compileSql(`select '{}'::jsonb ? 'k'`, {}).text).toBe(`select '{}'::jsonb ? 'k'`);
  });

  test('a missing, undefined or unused parameter is refused; null is a value', () => {
    expect(() => compileSql('select :a', {})).toThrow(':a has no value');
    expect(() => compileSql('select :a', { a: undefined })).toThrow(':a has no value');
    expect(() => compileSql('select :a', { a: 1, b: 2 })).toThrow('not used by the statement: :b');
    expect(compileSql('select :a', { a: null }).values).toEqual([null]);
  });

  test('an array travels as one PostgreSQL array literal, however many elements it has', () => {
    expect(compileSql('select unnest(cast(:ids as text[]))', { ids: ['a', 'b"c', 'd\\e'] })).toEqual({
      text: 'select unnest(cast(? as text[]))',
      values: ['{"a","b\\"c","d\\\\e"}'],
    });
    expect(compileSql('select cast(:stages as int[])', { stages: [1, 30] }).values).toEqual(['{"1","30"}']);
    expect(compileSql('select cast(:ids as uuid[])', { ids: [] }).values).toEqual(['{}']);
  });

  test('a Where becomes one parenthesised condition with parameters of its own', () => {
    const where = new Where().add('r.a = :x', { x: 1 }).add('r.b = :x or r.c = :y', { x: 1, y: 'z' });
    expect(compileSql('select 1 from r where not :where and r.d = :x', { where, x: 'outer' })).toEqual({
      text: 'select 1 from r where not ((r.a = ?) and (r.b = ? or r.c = ?)) and r.d = ?',
      values: [1, 1, 'z', 'outer'],
    });
    expect(compileSql('select :where', { where: new Where() }).text).toBe('select (true)');
  });

  test('Wheres nest, and one name bound to two values in a Where is refused', () => {
    const items = new Where().add('i.report_id = r.id').add('i.status = any(cast(:statuses as text[]))', { statuses: ['OPEN'] });
    const where = new Where().add('r.period = :period', { period: 'WEEKLY' }).add('exists (select 1 from i where :items)', { items });
    expect(compileSql('select 1 where :where', { where })).toEqual({
      text: 'select 1 where ((r.period = ?) and (exists (select 1 from i where ((i.report_id = r.id) and (i.status = any(cast(? as text[])))))))',
      values: ['WEEKLY', '{"OPEN"}'],
    });
    expect(() => new Where().add('a = :x', { x: 1 }).add('b = :x', { x: 2 })).toThrow(':x is already bound');
  });

  test('an id that is no uuid matches no row instead of failing in PostgreSQL', () => {
    expect(compileSql('select :w', { w: new Where().addIdEquals('c.id', 'id', UUID_A) })).toEqual({ text: 'select ((c.id = ?))', values: [UUID_A] });
    expect(compileSql('select :w', { w: new Where().addIdEquals('c.id', 'id', 'not-a-uuid') })).toEqual({ text: 'select ((false))', values: [] });
  });

  test('helpers for values: array literals and contains-patterns', () => {
    expect(pgArray(['x', 'y'])).toBe('{"x","y"}');
    expect(containsPattern('50%_a\\b')).toBe('%50\\%\\_a\\\\b%');
  });
});

describe('decoding rows', () => {
  const row = new SqlRow({
    n: '42',
    i: 7,
    money: '1234.50',
    negative: '-0.05',
    day: '2026-11-02',
    bad_day: '2026-02-30',
    text: 'hello',
    none: null,
    flag: true,
    ms: '1764547200000',
    at: '2026-11-30 08:00:00.5+08',
    status: 'OPEN',
    seq: '9007199254740993',
    ratio: 0.25,
    doc: { a: 1 },
  });

  test('counts, money, dates and instants arrive in their honest types', () => {
    expect(row.int('n')).toBe(42);
    expect(row.int('i')).toBe(7);
    expect(row.cents('money')).toBe(123450n);
    expect(row.cents('negative')).toBe(-5n);
    expect(row.date('day')).toBe('2026-11-02');
    expect(row.text('text')).toBe('hello');
    expect(row.textOrNull('none')).toBeNull();
    expect(row.intOrNull('none')).toBeNull();
    expect(row.bool('flag')).toBe(true);
    expect(row.epochMs('ms').toISOString()).toBe('2025-12-01T00:00:00.000Z');
    expect(row.timestamp('at').toISOString()).toBe('2026-11-30T00:00:00.500Z');
    expect(row.oneOf('status', { OPEN: 'OPEN', PAID: 'PAID' })).toBe('OPEN');
    expect(row.bigintText('seq')).toBe('9007199254740993');
    expect(row.number('ratio')).toBe(0.25);
    expect(row.json('doc')).toEqual({ a: 1 });
  });

  test('a column of another type, or missing, is an error naming the column', () => {
    expect(() => row.int('text')).toThrow('SQL column text: expected an integer');
    expect(() => row.int('seq')).toThrow('SQL column seq: expected an integer');
    expect(() => row.text('none')).toThrow('SQL column none: expected text, got null');
    expect(() => row.date('bad_day')).toThrow('SQL column bad_day: expected a date');
    expect(() => row.oneOf('status', { PAID: 'PAID' })).toThrow('expected one of PAID');
    expect(() => row.bool('n')).toThrow('expected a boolean');
    expect(() => row.text('nope')).toThrow('SQL row has no column nope');
  });
});

describe('on PostgreSQL', () => {
  const serverUrl = process.env.HUIKUAN_TEST_SERVER_URL!;
  const template = process.env.HUIKUAN_TEST_TEMPLATE_DB!;
  const dbName = `hk_sql_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  let orm: MikroORM;

  beforeAll(async () => {
    const admin = new PgClient({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create database ${dbName} template ${template}`);
    await admin.end();
    const url = new URL(serverUrl);
    url.pathname = `/${dbName}`;
    orm = await openOrm({ databaseUrl: url.toString(), entities: ENTITIES, migrations: MIGRATIONS, poolMax: 2 });
  });

  afterAll(async () => {
    await orm?.close();
    const admin = new PgClient({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  const TYPES = defineQuery<{ amount: string; day: string; doc: string; ids: readonly string[] }, Record<string, unknown>>({
    text: `select cast(:amount as numeric(16,2)) as amount, cast(:day as date) as day, cast(:day as date) + 1 as next_day,
                  (select count(*) from unnest(cast(:ids as uuid[]))) as id_count, '?' as question, 'it''s' as quote,
                  cast(:doc as jsonb) ? 'k' as has_k, cast(:doc as jsonb) as doc, now() as at`,
    decode: (row) => ({
      amount: row.cents('amount'),
      day: row.date('day'),
      nextDay: row.date('next_day'),
      idCount: row.int('id_count'),
      question: row.text('question'),
      quote: row.text('quote'),
      hasK: row.bool('has_k'),
      doc: row.json('doc'),
      at: row.timestamp('at'),
    }),
  });

  test('parameters, casts, arrays and a quoted ? mean what the query says; the driver types decode', async () => {
    const row = await TYPES.one(orm.em.fork(), { amount: '1234.5', day: '2026-12-31', doc: '{"k": 1}', ids: [UUID_A, UUID_B] });
    expect(row).toEqual({
      amount: 123450n,
      day: '2026-12-31',
      nextDay: '2027-01-01',
      idCount: 2,
      question: '?',
      quote: "it's",
      hasK: true,
      doc: { k: 1 },
      at: expect.any(Date),
    });
  });

  const WORDS = defineQuery<{ words: readonly string[]; where: Where }, string>({
    text: 'select w from unnest(cast(:words as text[])) with ordinality as x(w, n) where :where order by n',
    decode: (row) => row.text('w'),
  });

  test('a Where filters with its own parameters; LIKE wildcards in a search are taken literally', async () => {
    const words = ['50% off', '500 off', 'a_b', 'axb', 'quote"d', 'back\\slash'];
    const em = orm.em.fork();
    expect(await WORDS.all(em, { words, where: new Where() })).toEqual(words);
    expect(await WORDS.all(em, { words, where: new Where().add('w ilike :p', { p: containsPattern('50%') }) })).toEqual(['50% off']);
    expect(await WORDS.all(em, { words, where: new Where().add('w ilike :p', { p: containsPattern('a_b') }) })).toEqual(['a_b']);
    expect(await WORDS.all(em, { words, where: new Where().add('w = any(cast(:picked as text[]))', { picked: ['quote"d', 'back\\slash'] }) })).toEqual([
      'quote"d',
      'back\\slash',
    ]);
  });

  const NOTHING = defineQuery<NoParams, number>({ text: 'select 1 as one where false', decode: (row) => row.int('one') });
  const TWO = defineQuery<NoParams, number>({ text: 'select generate_series(1, 2) as one', decode: (row) => row.int('one') });

  test('one and maybeOne hold the query to its number of rows', async () => {
    const em = orm.em.fork();
    expect(await NOTHING.maybeOne(em)).toBeUndefined();
    await expect(NOTHING.one(em)).rejects.toThrow('expected one row, got 0');
    await expect(TWO.maybeOne(em)).rejects.toThrow('expected at most one row, got 2');
    expect(await TWO.all(em)).toEqual([1, 2]);
  });

  const INSERT = defineStatement<{ key: string; value: string }>({ text: 'insert into app_setting (key, value) values (:key, :value)' });
  const RENAME = defineStatement<{ prefix: string; value: string }>({ text: `update app_setting set value = :value where key like :prefix || '%'` });

  test('a statement answers the number of rows it changed, inside the caller’s transaction', async () => {
    const changed = await orm.em.fork().transactional(async (em) => {
      expect(await INSERT.run(em, { key: 'sql-test:a', value: '1' })).toBe(1);
      expect(await INSERT.run(em, { key: 'sql-test:b', value: '2' })).toBe(1);
      return RENAME.run(em, { prefix: 'sql-test:', value: '3' });
    });
    expect(changed).toBe(2);
  });
});
