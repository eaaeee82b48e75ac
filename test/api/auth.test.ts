/**
 * Authentication and user administration, black-box through the SDK: sign-in, bearer
 * tokens (user and API tokens), createUser rules and role checks.
 */
import { randomUUID } from 'node:crypto';
import { ADMIN_EMAIL, ADMIN_PASSWORD, expectApiError, startTestServer, TestServer, TestUser, USER_PASSWORD, rejection } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let finance: TestUser;
let manager: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  [sales, finance, manager] = await Promise.all([
    server.createUser('SALES', 'Sales Auth'),
    server.createUser('FINANCE', 'Finance Auth'),
    server.createUser('MANAGER', 'Manager Auth'),
  ]);
});
afterAll(() => server.close());

const unique = () => randomUUID().slice(0, 8);
const STRONG_PASSWORD = 'Tidal-Marble-Kettle-38';

async function userCount(): Promise<number> {
  const [row] = await server.sql<{ n: string }>('select count(*)::text as n from app_user');
  return Number(row.n);
}

/** A raw POST, to send headers the SDK would not. */
async function rawRequest(query: string, headers: Record<string, string>): Promise<{ status: number; body: any }> {
  const response = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query }),
  });
  return { status: response.status, body: await response.json() };
}

describe('login', () => {
  test('returns a token, its expiry and the user', async () => {
    const before = Date.now();
    const { login } = await server.anonymous().login({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD });
    expect(typeof login.token).toBe('string');
    expect(login.token.length).toBeGreaterThan(20);
    expect(new Date(login.expiresAt).getTime()).toBeGreaterThan(before);
    expect(login.user).toMatchObject({ email: ADMIN_EMAIL, role: 'ADMIN', active: true });

    const { me } = await server.client(login.token).me();
    expect(me).toEqual(login.user);
  });

  test('a created user signs in with the e-mail in any case and surrounding spaces', async () => {
    const { login } = await server.anonymous().login({ email: `  ${sales.email.toUpperCase()} `, password: USER_PASSWORD });
    expect(login.user).toMatchObject({ id: sales.id, email: sales.email, role: 'SALES', name: 'Sales Auth' });
  });

  test('wrong password and unknown e-mail are both UNAUTHENTICATED with the same message', async () => {
    const wrongPassword = await rejection(server.anonymous().login({ email: sales.email, password: 'not-the-password' }));
    const unknownEmail = await rejection(server.anonymous().login({ email: `nobody.${unique()}@test.example`, password: USER_PASSWORD }));
    expect(wrongPassword.code).toBe('UNAUTHENTICATED');
    expect(unknownEmail.code).toBe('UNAUTHENTICATED');
    expect(unknownEmail.message).toBe(wrongPassword.message);
    expect(unknownEmail.reason).toBe(wrongPassword.reason);
    expect(unknownEmail.field).toBe(wrongPassword.field);
    expect(wrongPassword.message).not.toContain(sales.email);
  });

  test('an empty password is rejected', async () => {
    await expectApiError(server.anonymous().login({ email: sales.email, password: '' }), 'UNAUTHENTICATED');
  });

  test('an INTEGRATION user cannot sign in with a password', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `login-${unique()}` });
    await expectApiError(server.anonymous().login({ email: createApiToken.user.email, password: '' }), 'UNAUTHENTICATED');
    await expectApiError(server.anonymous().login({ email: createApiToken.user.email, password: USER_PASSWORD }), 'UNAUTHENTICATED');
  });
});

describe('bearer tokens', () => {
  test('no token: me and customers are UNAUTHENTICATED', async () => {
    await expectApiError(server.anonymous().me(), 'UNAUTHENTICATED');
    await expectApiError(server.anonymous().customers({ first: 5 }), 'UNAUTHENTICATED');
    await expectApiError(server.anonymous().receivables({ first: 5 }), 'UNAUTHENTICATED');
  });

  test('a garbage token is UNAUTHENTICATED', async () => {
    for (const token of ['garbage', 'hku.garbage.garbage', 'hkt_garbage', 'hku..', `${sales.token}x`]) {
      await expectApiError(server.client(token).me(), 'UNAUTHENTICATED');
    }
    await expectApiError(server.client('garbage').customers({ first: 5 }), 'UNAUTHENTICATED');
  });

  test('a tampered token (claims changed, signature kept) is UNAUTHENTICATED', async () => {
    const [header, body, signature] = sales.token.split('.');
    expect(JSON.parse(Buffer.from(header, 'base64url').toString('utf8'))).toMatchObject({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
    expect(claims).toMatchObject({ sub: sales.id, jti: expect.any(String), iat: expect.any(Number), exp: expect.any(Number) });
    const admin = await server.admin.me();
    const forged = { ...claims, sub: admin.me.id, role: 'ADMIN' };
    const tampered = `${header}.${Buffer.from(JSON.stringify(forged)).toString('base64url')}.${signature}`;
    await expectApiError(server.client(tampered).me(), 'UNAUTHENTICATED');
    await expectApiError(server.client(tampered).users({}), 'UNAUTHENTICATED');

    // A flipped character in the signature is rejected too.
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    await expectApiError(server.client(`${header}.${body}.${flipped}`).me(), 'UNAUTHENTICATED');
    // The genuine token still works.
    expect((await sales.client.me()).me.id).toBe(sales.id);
  });

  test('a non-Bearer authorization header is UNAUTHENTICATED', async () => {
    const { body } = await rawRequest('{ me { id } }', { authorization: `Basic ${sales.token}` });
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    const ok = await rawRequest('{ me { id } }', { authorization: `Bearer ${sales.token}` });
    expect(ok.body.data.me.id).toBe(sales.id);
  });

  test('errors carry no stack trace', async () => {
    const { body } = await rawRequest('{ me { id } }', { authorization: 'Bearer garbage' });
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(body.errors[0].extensions.stacktrace).toBeUndefined();
  });
});

describe('createUser', () => {
  test('ADMIN creates a user; the e-mail is stored in lower case', async () => {
    const local = `New.User.${unique()}`;
    const { createUser } = await server.admin.createUser({
      input: { email: `  ${local}@Test.EXAMPLE `, name: '  Ada Finance ', role: 'FINANCE', password: STRONG_PASSWORD },
    });
    expect(createUser).toMatchObject({ email: `${local.toLowerCase()}@test.example`, name: 'Ada Finance', role: 'FINANCE', active: true });
    expect(createUser.id).toEqual(expect.any(String));

    const rows = await server.sql<{ email: string; role: string; password_hash: string }>('select email, role, password_hash from app_user where id = $1', [
      createUser.id,
    ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].email).toBe(`${local.toLowerCase()}@test.example`);
    expect(rows[0].password_hash).not.toContain(STRONG_PASSWORD);

    const { login } = await server.anonymous().login({ email: `${local}@test.example`, password: STRONG_PASSWORD });
    expect(login.user.id).toBe(createUser.id);
  });

  test('a duplicate e-mail (in another case) is CONFLICT on input.email and creates nothing', async () => {
    const before = await userCount();
    await expectApiError(
      server.admin.createUser({ input: { email: sales.email.toUpperCase(), name: 'Twin', role: 'SALES', password: STRONG_PASSWORD } }),
      'CONFLICT',
      'input.email',
    );
    expect(await userCount()).toBe(before);
  });

  test('a password under 12 characters is BAD_USER_INPUT on input.password (PASSWORD_TOO_SHORT)', async () => {
    const before = await userCount();
    await expect(
      server.admin.createUser({ input: { email: `short.${unique()}@test.example`, name: 'Short', role: 'SALES', password: 'Qx7#vLm2!pR' } }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password', reason: 'PASSWORD_TOO_SHORT' });
    expect(await userCount()).toBe(before);
    // Exactly 12 characters are enough when they are hard to guess.
    const { createUser } = await server.admin.createUser({
      input: { email: `twelve.${unique()}@test.example`, name: 'Twelve', role: 'SALES', password: 'Qx7#vLm2!pRz' },
    });
    expect(createUser.role).toBe('SALES');
  });

  test('role INTEGRATION is BAD_USER_INPUT', async () => {
    const before = await userCount();
    await expectApiError(
      server.admin.createUser({ input: { email: `int.${unique()}@test.example`, name: 'Bot', role: 'INTEGRATION', password: STRONG_PASSWORD } }),
      'BAD_USER_INPUT',
      'input.role',
    );
    expect(await userCount()).toBe(before);
  });

  test('an invalid e-mail or empty name is BAD_USER_INPUT', async () => {
    await expectApiError(
      server.admin.createUser({ input: { email: 'not-an-email', name: 'X', role: 'SALES', password: STRONG_PASSWORD } }),
      'BAD_USER_INPUT',
      'input.email',
    );
    await expectApiError(
      server.admin.createUser({ input: { email: `noname.${unique()}@test.example`, name: '   ', role: 'SALES', password: STRONG_PASSWORD } }),
      'BAD_USER_INPUT',
      'input.name',
    );
  });

  test('a non-admin gets FORBIDDEN and nothing is created', async () => {
    const before = await userCount();
    const email = `forbidden.${unique()}@test.example`;
    for (const caller of [sales, finance, manager]) {
      await expectApiError(caller.client.createUser({ input: { email, name: 'Sneaky', role: 'ADMIN', password: STRONG_PASSWORD } }), 'FORBIDDEN');
    }
    await expectApiError(server.anonymous().createUser({ input: { email, name: 'Sneaky', role: 'ADMIN', password: STRONG_PASSWORD } }), 'UNAUTHENTICATED');
    expect(await userCount()).toBe(before);
    expect(await server.sql('select id from app_user where email = $1', [email])).toEqual([]);
  });
});

describe('API tokens', () => {
  test('createApiToken returns an hkt_ secret once, stored only hashed, acting as INTEGRATION', async () => {
    const name = `ERP sync ${unique()}`;
    const { createApiToken } = await server.admin.createApiToken({ name });
    const secret = createApiToken.token;
    expect(secret).toMatch(/^hkt_[A-Za-z0-9_-]{20,}$/);
    expect(createApiToken.apiToken.name).toBe(name);
    expect(createApiToken.user).toMatchObject({ role: 'INTEGRATION', name, active: true });

    const rows = await server.sql<Record<string, unknown>>('select * from api_token where id = $1', [createApiToken.apiToken.id]);
    expect(rows).toHaveLength(1);
    for (const [column, value] of Object.entries(rows[0])) {
      if (value === null || value instanceof Date) continue;
      expect({ column, contains: JSON.stringify(value).includes(secret) }).toEqual({ column, contains: false });
      expect({ column, contains: JSON.stringify(value).includes(secret.slice(4)) }).toEqual({ column, contains: false });
    }
    expect(String(rows[0].token_hash).length).toBeGreaterThan(0);
    // Nowhere else in the database either.
    const users = await server.sql<Record<string, unknown>>('select * from app_user where id = $1', [createApiToken.user.id]);
    expect(JSON.stringify(users)).not.toContain(secret.slice(4));

    // Listing tokens never shows the secret.
    const { apiTokens } = await server.admin.apiTokens();
    const listed = apiTokens.find((t) => t.id === createApiToken.apiToken.id);
    expect(listed).toMatchObject({ name, revokedAt: null });
    expect(JSON.stringify(apiTokens)).not.toContain(secret.slice(4));

    const integration = server.client(secret);
    const { me } = await integration.me();
    expect(me).toMatchObject({ id: createApiToken.user.id, role: 'INTEGRATION' });
  });

  test('INTEGRATION reads customers and receivables but is FORBIDDEN on payments and writes', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `BI ${unique()}` });
    const integration = server.client(createApiToken.token);

    const code = `AUTH-INT-${unique()}`;
    const { createCustomer } = await finance.client.createCustomer({
      input: { code, name: 'Integration Visible Co', ownerId: sales.id, creditTermDays: 30, creditLimit: '1000.00' },
    });
    await finance.client.createReceivable({
      input: { customerId: createCustomer.id, reference: 'INV-INT-1', amount: '100.00', issuedOn: '2027-03-01' },
    });

    const { customers } = await integration.customers({ first: 10, filter: { search: code } });
    expect(customers.totalCount).toBe(1);
    expect(customers.edges[0].node.code).toBe(code);
    const { receivables } = await integration.receivables({ first: 10, filter: { customerId: createCustomer.id } });
    expect(receivables.edges.map((e) => e.node.reference)).toEqual(['INV-INT-1']);
    const { customer } = await integration.customer({ id: createCustomer.id });
    expect(customer?.code).toBe(code);

    await expectApiError(integration.payments({ first: 5 }), 'FORBIDDEN');
    await expectApiError(
      integration.recordPayment({
        input: { customerId: createCustomer.id, amount: '10.00', receivedOn: '2026-01-05', method: 'BANK_TRANSFER' },
      }),
      'FORBIDDEN',
    );
    await expectApiError(
      integration.createCustomer({
        input: { code: `AUTH-INT-X-${unique()}`, name: 'Nope', ownerId: sales.id, creditTermDays: 30, creditLimit: '1.00' },
      }),
      'FORBIDDEN',
    );
    await expectApiError(integration.users({}), 'FORBIDDEN');
    await expectApiError(integration.createApiToken({ name: 'escalate' }), 'FORBIDDEN');

    expect(await server.sql('select id from payment where customer_id = $1', [createCustomer.id])).toEqual([]);
  });

  test('a revoked token is UNAUTHENTICATED; revoking again returns false', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `revoke ${unique()}` });
    const integration = server.client(createApiToken.token);
    expect((await integration.me()).me.role).toBe('INTEGRATION');

    const { revokeApiToken } = await server.admin.revokeApiToken({ id: createApiToken.apiToken.id });
    expect(revokeApiToken).toBe(true);
    await expectApiError(integration.me(), 'UNAUTHENTICATED');
    await expectApiError(integration.customers({ first: 1 }), 'UNAUTHENTICATED');

    const second = await server.admin.revokeApiToken({ id: createApiToken.apiToken.id });
    expect(second.revokeApiToken).toBe(false);
    const { apiTokens } = await server.admin.apiTokens();
    expect(apiTokens.find((t) => t.id === createApiToken.apiToken.id)?.revokedAt).toEqual(expect.any(String));
  });

  test('revoking an unknown token is NOT_FOUND; non-admins may not create or revoke', async () => {
    await expectApiError(server.admin.revokeApiToken({ id: randomUUID() }), 'NOT_FOUND');
    const { createApiToken } = await server.admin.createApiToken({ name: `keep ${unique()}` });
    await expectApiError(finance.client.revokeApiToken({ id: createApiToken.apiToken.id }), 'FORBIDDEN');
    await expectApiError(manager.client.createApiToken({ name: 'nope' }), 'FORBIDDEN');
    expect((await server.client(createApiToken.token).me()).me.role).toBe('INTEGRATION');
  });
});

describe('users', () => {
  test('users(role:) lists only users of that role; without role, everyone', async () => {
    const extraSales = await server.createUser('SALES', 'Zed Sales');
    const { users: salesUsers } = await manager.client.users({ role: 'SALES' });
    expect(salesUsers.length).toBeGreaterThanOrEqual(2);
    expect(salesUsers.every((u) => u.role === 'SALES')).toBe(true);
    const ids = salesUsers.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([sales.id, extraSales.id]));
    expect(ids).not.toContain(finance.id);

    const { users: admins } = await finance.client.users({ role: 'ADMIN' });
    expect(admins.map((u) => u.email)).toEqual([ADMIN_EMAIL]);

    const { users: all } = await server.admin.users({});
    const [row] = await server.sql<{ n: string }>('select count(*)::text as n from app_user');
    expect(all).toHaveLength(Number(row.n));
    expect(all.map((u) => u.id)).toEqual(expect.arrayContaining([sales.id, finance.id, manager.id, extraSales.id]));
  });

  test('a SALES user is FORBIDDEN on users, setCalendarDay, recordPayment, writeOffReceivable, createUser', async () => {
    const { createCustomer } = await sales.client.createCustomer({
      input: { code: `AUTH-S-${unique()}`, name: 'Own Co', ownerId: sales.id, creditTermDays: 10, creditLimit: '100.00' },
    });
    const { createReceivable } = await sales.client.createReceivable({
      input: { customerId: createCustomer.id, reference: 'INV-S-1', amount: '50.00', issuedOn: '2026-01-05' },
    });
    const before = await userCount();

    await expectApiError(sales.client.users({}), 'FORBIDDEN');
    await expectApiError(sales.client.users({ role: 'SALES' }), 'FORBIDDEN');
    await expectApiError(sales.client.setCalendarDay({ date: '2027-05-03', kind: 'HOLIDAY', name: 'Nope' }), 'FORBIDDEN');
    await expectApiError(
      sales.client.recordPayment({
        input: { customerId: createCustomer.id, amount: '50.00', receivedOn: '2026-01-05', method: 'CASH' },
      }),
      'FORBIDDEN',
    );
    await expectApiError(sales.client.writeOffReceivable({ id: createReceivable.id, reason: 'bad debt' }), 'FORBIDDEN');
    await expectApiError(
      sales.client.createUser({ input: { email: `s.${unique()}@test.example`, name: 'X', role: 'SALES', password: STRONG_PASSWORD } }),
      'FORBIDDEN',
    );

    // Nothing changed.
    expect(await userCount()).toBe(before);
    expect(await server.sql("select day from calendar_day where day = '2027-05-03'")).toEqual([]);
    expect(await server.sql('select id from payment where customer_id = $1', [createCustomer.id])).toEqual([]);
    const { receivable } = await sales.client.receivable({ id: createReceivable.id });
    expect(receivable).toMatchObject({ status: 'OPEN', outstanding: '50.00', writtenOffAmount: '0.00', writtenOffAt: null });
  });
});
