/**
 * No single request takes huikuan down and one caller cannot starve the others: the
 * measured attacks (a depth-5 nest of 200-item pages, 7,000 `__schema` aliases without a
 * token, 10,000 `agingReport` aliases from one salesperson) are refused before any work,
 * with their typed reason, while another user's request stays fast and the server's
 * memory stays flat; every operation the SDK ships fits the limits; concurrency, pool
 * waits, statement and operation timeouts, response size, a database that goes away,
 * introspection, the playground and /metrics in production.
 */
import 'reflect-metadata';
import fs from 'node:fs';
import path from 'node:path';
import {
  buildSchema,
  getOperationAST,
  GraphQLInputType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  Lexer,
  parse,
  Source,
  specifiedRules,
  TokenKind,
  typeFromAST,
  validate,
  getIntrospectionQuery,
  OperationDefinitionNode,
  GraphQLSchema,
} from 'graphql';
import { Client as PgClient } from 'pg';
import WebSocket from 'ws';
import { createClient as createWsClient } from 'graphql-ws';
import { operationSources } from '../../sdk/generated/graphql';
import { loadConfig } from '../../server/config';
import { limitValidationRules, operationCost } from '../../server/core/operation-limits';
import { ServerProcess, startTestServer, TestServer, TestUser } from '../helpers/server';

interface Answer {
  status: number;
  ms: number;
  body: { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

/** One raw POST /graphql, timed: the attacks are documents no SDK method sends. */
async function post(url: string, query: string, token?: string, variables?: Record<string, unknown>): Promise<Answer> {
  const started = Date.now();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as Answer['body'];
  return { status: response.status, ms: Date.now() - started, body };
}

const firstError = (answer: Answer) => answer.body.errors?.[0]?.extensions ?? {};

/** VmRSS of a process in MB, from /proc (Linux). */
function rssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)![1]) / 1024;
}

/** `customers(first:200){…receivables(first:200){…customer{…receivables…}}}`, `levels` receivables deep. */
function nest(levels: number): string {
  let inner = 'id';
  for (let i = 0; i < levels; i++) inner = `id receivables(first: 200) { nodes { id reference outstanding customer { ${inner} } } }`;
  return `query { customers(first: 200) { nodes { ${inner} } } }`;
}

const DASHBOARD = `query dashboard {
${Array.from(
  { length: 10 },
  (_, i) => `  page${i}: customers(first: 50) { totalCount nodes { id code name owner { id name } outstanding overdueAmount creditBalance
    receivables(first: 5) { nodes { id reference amount dueOn effectiveDueOn outstanding status } } } }`,
).join('\n')}
}`;

const config = loadConfig({});
const limits = config.limits;

let server: TestServer;
let sales: TestUser;
let finance: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  sales = await server.createUser('SALES');
  finance = await server.createUser('FINANCE');
  for (let i = 0; i < 3; i++) {
    const { createCustomer } = await finance.client.createCustomer({
      input: { code: `HL-${i}`, name: `Hardening ${i}`, ownerId: sales.id, creditTermDays: 30, creditLimit: '1000.00' },
    });
    await finance.client.createReceivable({ input: { customerId: createCustomer.id, reference: `HL-R${i}`, amount: '100.00', issuedOn: '2026-01-05' } });
  }
});
afterAll(() => server.close());

describe('the measured attacks are refused before any work', () => {
  test('the depth-5 nest of 200-item pages: QUERY_TOO_DEEP in well under a second', async () => {
    const answer = await post(server.url, nest(5), sales.token);
    expect(answer.status).toBe(400);
    expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP', limit: 'depth', budget: limits.maxDepth });
    expect(firstError(answer).actual).toBeGreaterThan(limits.maxDepth);
    expect(answer.body.errors![0].message).toMatch(/levels deep; the depth limit is 10/);
    expect(answer.ms).toBeLessThan(2000);
  });

  test('a nest shallow enough for the depth limit is priced by `first`: QUERY_TOO_COSTLY names cost and budget', async () => {
    const answer = await post(server.url, nest(1), sales.token);
    expect(answer.status).toBe(400);
    expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_COSTLY', limit: 'cost', budget: limits.costBudgets.SALES });
    // 200 customers × 200 receivables each, before counting their fields.
    expect(firstError(answer).actual).toBeGreaterThan(200 * 200);
    expect(answer.body.errors![0].message).toMatch(/costs \d+; the cost budget of SALES is 50000/);
    expect(answer.ms).toBeLessThan(2000);
  });

  test('one document priced by its size variables: the same text is refused at first 200 and answered at first 2, whatever the ids', async () => {
    const query =
      'query sized($first: Int, $id: ID!) { customers(first: $first) { nodes { receivables(first: $first) { nodes { id } } } } customer(id: $id) { id } }';
    const ids = ['00000000-0000-0000-0000-000000000001', '00000000-0000-0000-0000-000000000002'];
    for (const first of [200, 2, 200, 2]) {
      for (const id of ids) {
        const answer = await post(server.url, query, sales.token, { first, id });
        if (first === 200) expect(firstError(answer)).toMatchObject({ reason: 'QUERY_TOO_COSTLY', limit: 'cost' });
        else expect(answer.body.errors).toBeUndefined();
      }
    }
  });

  test('one document priced by its @include variable: the costly part is refused when included and answered when left out, in any order', async () => {
    const query =
      'query included($deep: Boolean!, $search: CustomerFilter) { customers(first: 200, filter: $search) { nodes { id receivables(first: 200) @include(if: $deep) { nodes { id } } } } }';
    for (const deep of [true, false, true, false]) {
      const answer = await post(server.url, query, sales.token, { deep, search: { search: `HL-${deep}` } });
      if (deep) expect(firstError(answer)).toMatchObject({ reason: 'QUERY_TOO_COSTLY', limit: 'cost' });
      else expect(answer.body.errors).toBeUndefined();
    }
  });

  test('7,000 aliases of __schema without a token (825 KB): TOO_MANY_TOKENS, parsing stops at the budget', async () => {
    const query = `{ ${Array.from({ length: 7000 }, (_, i) => `s${i}: __schema { types { name kind description fields { name } } }`).join(' ')} }`;
    expect(query.length).toBeGreaterThan(400_000);
    const answer = await post(server.url, query);
    expect(answer.status).toBe(400);
    expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_TOKENS', limit: 'tokens', budget: limits.maxTokens });
    expect(answer.ms).toBeLessThan(2000);
  });

  test('10,000 aliases of agingReport from one salesperson: TOO_MANY_TOKENS; 31 of them: TOO_MANY_ALIASES', async () => {
    const aliases = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: agingReport(asOf: "2026-06-30") { total }`).join(' ')} }`;
    const flood = await post(server.url, aliases(10_000), sales.token);
    expect(flood.status).toBe(400);
    expect(firstError(flood)).toMatchObject({ reason: 'TOO_MANY_TOKENS' });
    expect(flood.ms).toBeLessThan(2000);

    const many = await post(server.url, aliases(limits.maxAliases + 1), sales.token);
    expect(many.status).toBe(400);
    expect(firstError(many)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'TOO_MANY_ALIASES', limit: 'aliases', actual: 31, budget: 30 });

    const allowed = await post(server.url, aliases(3), sales.token);
    expect(allowed.body.errors).toBeUndefined();
    expect(Object.keys(allowed.body.data!)).toHaveLength(3);
  });

  test('directives are counted: TOO_MANY_DIRECTIVES', async () => {
    const query = `{ me { ${Array.from({ length: limits.maxDirectives + 1 }, (_, i) => `f${i}: id @include(if: true)`).join(' ')} } }`;
    const answer = await post(server.url, query, sales.token);
    expect(answer.status).toBe(400);
    // 21 aliases too, but the directive rule names its own limit.
    const reasons = answer.body.errors!.map((e) => e.extensions?.reason);
    expect(reasons).toContain('TOO_MANY_DIRECTIVES');
    const directives = answer.body.errors!.find((e) => e.extensions?.reason === 'TOO_MANY_DIRECTIVES')!.extensions;
    expect(directives).toMatchObject({ limit: 'directives', actual: 21, budget: 20 });
  });

  test('during the attacks another user stays fast and the server stays under 300 MB', async () => {
    const deep = nest(5);
    const schemaFlood = `{ ${Array.from({ length: 7000 }, (_, i) => `s${i}: __schema { types { name kind description fields { name } } }`).join(' ')} }`;
    const agingFlood = `{ ${Array.from({ length: 10_000 }, (_, i) => `a${i}: agingReport(asOf: "2026-06-30") { total }`).join(' ')} }`;
    let attacking = true;
    const attacker = (async () => {
      let sent = 0;
      while (attacking) {
        const answers = await Promise.all([post(server.url, deep, sales.token), post(server.url, schemaFlood), post(server.url, agingFlood, sales.token)]);
        for (const answer of answers) expect(answer.status).toBe(400);
        sent += answers.length;
      }
      return sent;
    })();
    const latencies: number[] = [];
    const peaks: number[] = [];
    for (let i = 0; i < 15; i++) {
      const answer = await post(server.url, '{ me { id role } customers(first: 5) { totalCount } }', finance.token);
      expect(answer.body.errors).toBeUndefined();
      latencies.push(answer.ms);
      peaks.push(rssMb(server.pid));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    attacking = false;
    const sent = await attacker;
    expect(sent).toBeGreaterThanOrEqual(9);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(Math.max(...peaks, rssMb(server.pid))).toBeLessThan(300);
  });
});

/** A value of the input type good enough to price a document (the cost needs no real ids). */
function sampleValue(type: GraphQLInputType): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType);
  if (isListType(type)) return [sampleValue(type.ofType)];
  if (isEnumType(type)) return type.getValues()[0].value;
  if (isInputObjectType(type)) {
    return Object.fromEntries(Object.values(type.getFields()).flatMap((f) => (isNonNullType(f.type) ? [[f.name, sampleValue(f.type)]] : [])));
  }
  const scalars: Record<string, unknown> = {
    LocalDate: '2026-01-05',
    ID: '00000000-0000-4000-8000-000000000000',
    Int: 1,
    Float: 1,
    Boolean: true,
    Money: '1.00',
  };
  return scalars[type.name] ?? 'x';
}

function variablesFor(schema: GraphQLSchema, operation: OperationDefinitionNode, sizes: Record<string, number> = {}): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type) as GraphQLInputType;
    if (name in sizes) variables[name] = sizes[name];
    else if (isNonNullType(type)) variables[name] = sampleValue(type);
  }
  return variables;
}

describe('legitimate documents fit', () => {
  const schema = buildSchema(fs.readFileSync(path.resolve(__dirname, '../../schema/schema.graphql'), 'utf8'));
  const rules = [...specifiedRules, ...limitValidationRules(limits)];
  const tokens = (source: string) => {
    const lexer = new Lexer(new Source(source));
    let count = 0;
    while (lexer.advance().kind !== TokenKind.EOF) count++;
    return count;
  };
  const authenticatedBudget = Math.min(
    ...Object.entries(limits.costBudgets)
      .filter(([role]) => role !== 'ANONYMOUS')
      .map(([, budget]) => budget),
  );

  test('every operation of schema/operations/ passes the token, depth, alias and directive limits and fits every role’s cost budget', () => {
    const priced: Record<string, number> = {};
    for (const [name, { source }] of Object.entries(operationSources)) {
      expect({ name, tokens: tokens(source) <= limits.maxTokens }).toEqual({ name, tokens: true });
      const document = parse(source);
      expect({ name, errors: validate(schema, document, rules).map((e) => e.message) }).toEqual({ name, errors: [] });
      const operation = getOperationAST(document)!;
      priced[name] = operationCost(schema, document, undefined, variablesFor(schema, operation));
      expect({ name, fits: priced[name] <= authenticatedBudget }).toEqual({ name, fits: true });
      // The largest page an ADMIN can ask for still fits the ADMIN budget.
      const largest = operationCost(schema, document, undefined, variablesFor(schema, operation, { first: 200, last: 104 }));
      expect({ name, largest, fits: largest <= limits.costBudgets.ADMIN }).toEqual({ name, largest, fits: true });
    }
    expect(Object.keys(priced).length).toBeGreaterThan(40);
    expect(priced.login).toBeLessThanOrEqual(limits.costBudgets.ANONYMOUS);
  });

  test('the dashboard page (10 × 50 customers with owner, balances and 5 receivables) fits a salesperson and is answered', async () => {
    const document = parse(DASHBOARD);
    expect(validate(schema, document, rules)).toEqual([]);
    expect(operationCost(schema, document, undefined, {})).toBeLessThanOrEqual(limits.costBudgets.SALES);
    const answer = await post(server.url, DASHBOARD, sales.token);
    expect(answer.body.errors).toBeUndefined();
    expect((answer.body.data!.page9 as { totalCount: number }).totalCount).toBe(3);
  });

  test('introspection: a light query works without a token, the full one needs one (it is priced like any list)', async () => {
    const light = await post(server.url, '{ __schema { queryType { name } } __type(name: "Customer") { name fields { name } } }');
    expect(light.body.errors).toBeUndefined();
    const full = getIntrospectionQuery();
    const anonymous = await post(server.url, full);
    // Without a token the answer is "sign in", with the cost and the anonymous budget.
    expect(anonymous.status).toBe(401);
    expect(firstError(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'QUERY_TOO_COSTLY', limit: 'cost', budget: limits.costBudgets.ANONYMOUS });
    expect(firstError(anonymous).actual).toBeGreaterThan(10_000);
    const signedIn = await post(server.url, full, sales.token);
    expect(signedIn.body.errors).toBeUndefined();
    expect((signedIn.body.data!.__schema as { types: unknown[] }).types.length).toBeGreaterThan(50);
    // Nesting type → fields multiplies out: graphql-js refuses it, even for an admin…
    const nested = await post(server.url, '{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }', server.adminToken);
    expect(nested.status).toBe(400);
    expect(firstError(nested)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'QUERY_TOO_DEEP', limit: 'introspectionListDepth', budget: 3 });
    // …and aliased full introspections are priced like any list.
    const twice = await post(
      server.url,
      `{ a: __schema { types { name fields { name type { name } } } } b: __schema { types { name fields { name type { name } } } } }`,
      sales.token,
    );
    expect(twice.body.errors).toBeUndefined();
    const many = await post(
      server.url,
      `{ ${Array.from({ length: 20 }, (_, i) => `s${i}: __schema { types { name fields { name args { name type { name } } type { name } } } }`).join(' ')} }`,
      sales.token,
    );
    expect(firstError(many)).toMatchObject({ reason: 'QUERY_TOO_COSTLY', budget: limits.costBudgets.SALES });
  });

  test('the WebSocket applies the same limits and carries subscriptions only', async () => {
    const ws = createWsClient({
      url: server.url.replace(/^http/, 'ws'),
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${sales.token}` },
      retryAttempts: 0,
    });
    const run = (query: string) =>
      new Promise<unknown>((resolve) => {
        ws.subscribe({ query }, { next: () => undefined, error: resolve, complete: () => resolve(undefined) });
      });
    const asQuery = (await run('{ me { id } }')) as { extensions?: Record<string, unknown> }[];
    expect(asQuery[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SUBSCRIPTIONS_ONLY_OVER_WEBSOCKET' });
    const tooDeep = (await run(
      `subscription { overdueEvents { receivable { customer { receivables { nodes { customer { receivables { nodes { customer { receivables { nodes { id } } } } } } } } } } } }`,
    )) as {
      extensions?: Record<string, unknown>;
    }[];
    expect(tooDeep[0].extensions).toMatchObject({ reason: 'QUERY_TOO_DEEP', limit: 'depth' });
    await ws.dispose();
  });
});

/** Holds an exclusive lock on `customer` in a transaction: every read of it waits. */
async function lockCustomers(databaseUrl: string): Promise<() => Promise<void>> {
  const pg = new PgClient({ connectionString: databaseUrl });
  await pg.connect();
  await pg.query('begin');
  await pg.query('lock table customer in access exclusive mode');
  return async () => {
    await pg.query('commit');
    await pg.end();
  };
}

describe('one caller cannot starve the others', () => {
  test('concurrent operations are capped per user (a burst waits, a flood gets 429), statements time out, responses are bounded, and logs keep no SQL values', async () => {
    const instance = await server.startInstance({
      LOG_LEVEL: 'warn',
      CONCURRENT_OPERATIONS_PER_USER: '2',
      QUEUED_OPERATIONS_PER_CALLER: '1',
      DB_STATEMENT_TIMEOUT: '1500ms',
      RESPONSE_MAX_BYTES: '4096',
    });
    try {
      const unlock = await lockCustomers(server.databaseUrl);
      const search = 'needle-7f3a91';
      const blocked = [1, 2].map(() =>
        post(instance.url, 'query($s: String) { customers(filter: { search: $s }) { totalCount } }', sales.token, { s: search }),
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      // The third waits for a slot; the fourth finds the queue full and is refused at once.
      const queued = post(instance.url, '{ me { id } }', sales.token);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const fourth = await post(instance.url, '{ me { id } }', sales.token);
      expect(fourth.status).toBe(429);
      expect(firstError(fourth)).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'TOO_MANY_CONCURRENT_OPERATIONS',
        limit: 'concurrentOperations',
        actual: 4,
        budget: 3,
      });
      expect(fourth.body.errors![0].message).toMatch(/2 operations running and 1 waiting/);
      expect(fourth.ms).toBeLessThan(1000);
      // Another user is not affected by the salesperson's two stuck operations.
      const other = await post(instance.url, '{ me { id } }', finance.token);
      expect(other.body.errors).toBeUndefined();
      expect(other.ms).toBeLessThan(1000);

      for (const answer of await Promise.all(blocked)) {
        expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'STATEMENT_TIMEOUT', limit: 'statementTimeoutMs', budget: 1500 });
        expect(answer.ms).toBeLessThan(4000);
      }
      const waited = await queued;
      expect(waited.body.errors).toBeUndefined();
      expect(waited.ms).toBeGreaterThan(1000);
      await unlock();
      const logs = instance.output();
      expect(logs).toMatch(/"code":"57014"/);
      expect(logs).not.toContain(search);

      // Slots are free again once the operations ended.
      const again = await post(instance.url, '{ me { id } }', sales.token);
      expect(again.body.errors).toBeUndefined();

      const large = await post(instance.url, '{ __schema { types { name description } } }', finance.token);
      expect(large.status).toBe(400);
      expect(firstError(large)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'RESPONSE_TOO_LARGE', limit: 'responseBytes', budget: 4096 });
      expect(firstError(large).actual).toBeGreaterThan(4096);
      expect(large.body.data ?? null).toBeNull();
    } finally {
      await instance.stop();
    }
  });

  test('a full pool answers DATABASE_BUSY (503) after the acquire timeout, and a stuck operation OPERATION_TIMEOUT at its deadline', async () => {
    const instance = await server.startInstance({ DB_POOL_MAX: '2', DB_ACQUIRE_TIMEOUT: '500ms', OPERATION_TIMEOUT: '1500ms' });
    const unlock = await lockCustomers(server.databaseUrl);
    try {
      const stuck = [sales, finance].map((user) => post(instance.url, '{ customers { totalCount } }', user.token));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const admin = await post(instance.url, '{ me { id } }', server.adminToken);
      expect(admin.status).toBe(503);
      expect(firstError(admin)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_BUSY' });
      expect(admin.ms).toBeGreaterThanOrEqual(400);
      expect(admin.ms).toBeLessThan(2000);

      for (const answer of await Promise.all(stuck)) {
        expect(answer.status).toBe(400);
        expect(firstError(answer)).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'OPERATION_TIMEOUT', limit: 'operationTimeoutMs', budget: 1500 });
        expect(answer.ms).toBeGreaterThanOrEqual(1400);
        expect(answer.ms).toBeLessThan(3000);
      }
    } finally {
      await unlock();
    }
    try {
      // The pool recovers once the lock is gone and the abandoned statements have ended.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const answer = await post(instance.url, '{ me { id } }', server.adminToken);
      expect(answer.body.errors).toBeUndefined();
    } finally {
      await instance.stop();
    }
  });
});

describe('production', () => {
  let production: ServerProcess;
  const metricsToken = 'metrics-token-0123456789';
  beforeAll(async () => {
    production = await server.startInstance({ NODE_ENV: 'production', METRICS_TOKEN: metricsToken });
  });
  afterAll(() => production.stop());

  test('introspection needs a token, and the playground is not served', async () => {
    const anonymous = await post(production.url, '{ __schema { queryType { name } } }');
    expect(anonymous.status).toBe(401);
    expect(firstError(anonymous)).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'INTROSPECTION_REQUIRES_AUTHENTICATION' });
    const typename = await post(production.url, '{ __typename }');
    expect(typename.body.data).toEqual({ __typename: 'Query' });
    const signedIn = await post(production.url, '{ __schema { queryType { name } } }', sales.token);
    expect(signedIn.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('graphiql');
    expect((await fetch(production.url.replace(/\/graphql$/, '/playground/playground.js'))).status).toBe(404);
  });

  test('/metrics needs METRICS_TOKEN as a bearer token, and is refused in production without one', async () => {
    const metrics = production.url.replace(/\/graphql$/, '/metrics');
    expect((await fetch(metrics)).status).toBe(401);
    expect((await fetch(metrics, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
    const allowed = await fetch(metrics, { headers: { authorization: `Bearer ${metricsToken}` } });
    expect(allowed.status).toBe(200);
    expect(await allowed.text()).toMatch(/^huikuan_graphql_requests_total/m);

    const withoutToken = await server.startInstance({ NODE_ENV: 'production' });
    try {
      expect((await fetch(withoutToken.url.replace(/\/graphql$/, '/metrics'))).status).toBe(403);
    } finally {
      await withoutToken.stop();
    }
  });
});

describe('a database that goes away', () => {
  test('requests get SERVICE_UNAVAILABLE (503, DATABASE_UNAVAILABLE) instead of an internal error, and work again when it is back', async () => {
    // The test's own session (server.sql) stays; every connection of the server goes.
    const [{ db, pid }] = await server.sql<{ db: string; pid: number }>('select current_database() as db, pg_backend_pid() as pid');
    // From the maintenance database: PostgreSQL will not close the one a session is in.
    const postgres = new PgClient({ connectionString: process.env.HUIKUAN_TEST_SERVER_URL });
    await postgres.connect();
    await postgres.query(`alter database ${db} allow_connections false`);
    try {
      await postgres.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> $2', [db, pid]);
      const signedIn = await post(server.url, '{ me { id } }', finance.token);
      expect(signedIn.status).toBe(503);
      expect(firstError(signedIn)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
      expect(signedIn.body.errors![0].message).toMatch(/database is unavailable/);
      const login = await post(server.url, 'mutation { login(email: "nobody@test.example", password: "whatever-1") { token } }');
      expect(login.status).toBe(503);
      expect(firstError(login)).toMatchObject({ code: 'SERVICE_UNAVAILABLE', reason: 'DATABASE_UNAVAILABLE' });
      expect(signedIn.ms).toBeLessThan(2000);
    } finally {
      await postgres.query(`alter database ${db} allow_connections true`);
      await postgres.end();
    }
    const back = await post(server.url, '{ me { id } }', finance.token);
    expect(back.body.errors).toBeUndefined();
    expect(server.logs()).not.toMatch(/INTERNAL_SERVER_ERROR|internal error/);
  });
});
