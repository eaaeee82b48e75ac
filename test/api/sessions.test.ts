/**
 * Tokens, sessions and sign-in, black-box through the SDK on two server processes sharing
 * one database: revoking an API token, logging out, signing out everywhere, deactivating
 * a user or changing their role closes their open subscriptions (4403) on every instance;
 * an expired user token ends its subscription; malformed or re-signed tokens are refused;
 * failed sign-ins are throttled per e-mail and per client address across instances; the
 * password policy; and passwords stored with weaker scrypt parameters are rehashed at sign-in.
 */
import { randomBytes, randomUUID, scryptSync } from 'node:crypto';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { createClient as createWsClient } from 'graphql-ws';
import { Client, createClient, HuikuanError, OverdueEventPayload, OverdueEventStream } from '../../sdk/index.js';
import { ServerProcess, startTestServer, TestServer, TestUser, USER_PASSWORD, rejection } from '../helpers/server';

const TOKEN_SECRET = 'sessions-test-secret-0123456789abcdef';
const MAX_FAILURES_PER_ADDRESS = 8;

let server: TestServer;
let instanceB: ServerProcess;
let finance: TestUser;
let sales: TestUser;
let counter = 0;

const unique = () => randomUUID().slice(0, 8);
let addresses = 0;
/** A client address of its own (the servers trust one proxy hop: the last X-Forwarded-For entry), so address counters stay apart. */
const freshAddress = () => {
  addresses += 1;
  return `198.51.100.7, 10.${process.pid % 250}.${Math.floor(addresses / 250)}.${(addresses % 250) + 1}`;
};

const clientAt = (url: string, token?: string, headers?: Record<string, string>): Client => createClient({ url, token, headers, webSocketImpl: WebSocket });

/**
 * Pulls a stream continuously, so waiting for an event never loses one, and remembers how
 * it ended (an SDK stream ends only by throwing on a refused or closed session).
 */
class Watcher {
  readonly events: OverdueEventPayload[] = [];
  error: HuikuanError | undefined;
  endedAt: number | undefined;

  constructor(readonly stream: OverdueEventStream) {
    void (async () => {
      try {
        for await (const event of stream) this.events.push(event);
      } catch (e) {
        this.error = e as HuikuanError;
      } finally {
        this.endedAt = Date.now();
      }
    })();
  }

  async waitForEvents(count: number, ms = 10_000): Promise<void> {
    await until(() => this.events.length >= count || this.endedAt !== undefined, ms, `${count} events`);
    if (this.events.length < count) throw new Error(`stream ended after ${this.events.length} of ${count} events: ${this.error?.message}`);
  }

  async waitForEnd(ms = 10_000): Promise<HuikuanError> {
    await until(() => this.endedAt !== undefined, ms, 'the stream to end');
    expect(this.error).toBeInstanceOf(HuikuanError);
    return this.error!;
  }
}

async function until(condition: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/**
 * A stream that replays every stored event the client may see (there is at least one),
 * then goes on live: once the replay is complete, the socket is open, the subscription
 * runs and every later event is a live one.
 */
async function liveStream(client: Client): Promise<Watcher> {
  const { totalCount } = (await client.overdueEvents({ first: 1 })).overdueEvents;
  expect(totalCount).toBeGreaterThan(0);
  const watcher = new Watcher(client.subscribeOverdueEvents());
  await watcher.waitForEvents(totalCount);
  return watcher;
}

/** A session ended by the server: 4403, with the cause as the close reason. */
function expectClosedWith(error: HuikuanError, reason: string): void {
  expect(error).toMatchObject({ code: 'FORBIDDEN', reason });
  expect(error.message).toContain('close code 4403');
}

/** One new overdue event, committed by a scan on the main instance; returns the receivable's customer id. */
async function newOverdueEvent(): Promise<string> {
  counter += 1;
  const { createCustomer } = await finance.client.createCustomer({
    input: { code: `SES-${counter}-${unique()}`, name: `Session ${counter}`, ownerId: sales.id, creditTermDays: 30, creditLimit: '9999.00' },
  });
  await finance.client.createReceivable({
    input: { customerId: createCustomer.id, reference: `SES-${counter}`, amount: '100.00', issuedOn: '2025-01-02', dueOn: '2025-02-03' },
  });
  const { runOverdueScan } = await finance.client.runOverdueScan({ asOf: '2025-02-04' });
  expect(runOverdueScan.becameOverdue).toBeGreaterThanOrEqual(1);
  return createCustomer.id;
}

async function signIn(email: string, url = server.url): Promise<string> {
  return (await clientAt(url, undefined, { 'x-forwarded-for': freshAddress() }).login({ email, password: USER_PASSWORD })).login.token;
}

beforeAll(async () => {
  server = await startTestServer({
    TOKEN_SECRET,
    TRUST_PROXY: '1',
    LOGIN_MAX_FAILURES_PER_ADDRESS: String(MAX_FAILURES_PER_ADDRESS),
  });
  instanceB = await server.startInstance();
  finance = await server.createUser('FINANCE');
  sales = await server.createUser('SALES');
  await newOverdueEvent();
}, 120_000);
afterAll(async () => {
  await instanceB.stop();
  await server.close();
});

describe('revocation reaches open subscriptions on every instance', () => {
  test('a revoked API token’s subscription is closed at once with 4403 and receives nothing afterwards', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `ERP ${unique()}` });
    const watcher = await liveStream(clientAt(server.url, createApiToken.token));
    const customerId = await newOverdueEvent();
    await until(() => watcher.events.some((e) => e.customer.id === customerId), 10_000, 'the live event');
    const before = watcher.events.length;

    const revokedAt = Date.now();
    expect((await server.admin.revokeApiToken({ id: createApiToken.apiToken.id })).revokeApiToken).toBe(true);
    expectClosedWith(await watcher.waitForEnd(), 'TOKEN_REVOKED');
    expect(watcher.endedAt! - revokedAt).toBeLessThan(2000);

    await newOverdueEvent();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(watcher.events).toHaveLength(before);
    // A new connection with the token is refused outright.
    const again = new Watcher(clientAt(server.url, createApiToken.token).subscribeOverdueEvents());
    expect((await again.waitForEnd()).code).toBe('FORBIDDEN');
    expect(again.events).toHaveLength(0);
  });

  test('revoking on instance A closes the token’s subscription on instance B', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `BI ${unique()}` });
    const onB = await liveStream(clientAt(instanceB.url, createApiToken.token));
    const before = onB.events.length;

    const revokedAt = Date.now();
    await server.admin.revokeApiToken({ id: createApiToken.apiToken.id });
    expectClosedWith(await onB.waitForEnd(), 'TOKEN_REVOKED');
    expect(onB.endedAt! - revokedAt).toBeLessThan(2000);

    await newOverdueEvent(); // on A; B would have streamed it
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(onB.events).toHaveLength(before);
    await expect(clientAt(instanceB.url, createApiToken.token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test('the close code is 4403 at the protocol level too', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `raw ${unique()}` });
    let received = 0;
    const closed = new Promise<{ code: number; reason: string }>((resolve) => {
      const ws = createWsClient({
        url: instanceB.url.replace(/^http/, 'ws'),
        webSocketImpl: WebSocket,
        retryAttempts: 0,
        connectionParams: { authorization: `Bearer ${createApiToken.token}` },
        on: { closed: (event) => resolve(event as { code: number; reason: string }) },
      });
      ws.subscribe({ query: 'subscription { overdueEvents { id } }' }, { next: () => void (received += 1), error: () => undefined, complete: () => undefined });
    });
    await until(() => received > 0, 10_000, 'the replay'); // connected and subscribed
    await server.admin.revokeApiToken({ id: createApiToken.apiToken.id });
    const event = await closed;
    expect(event.code).toBe(4403);
    expect(String(event.reason)).toBe('TOKEN_REVOKED');
  });
});

describe('user tokens', () => {
  test('a user token is a plain HS256 JWT with sub, role, iat, exp and jti', async () => {
    const token = await signIn(finance.email);
    const [header, payload, signature] = token.split('.');
    expect(token.split('.')).toHaveLength(3);
    expect(signature.length).toBeGreaterThan(20);
    expect(JSON.parse(Buffer.from(header, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    expect(claims).toMatchObject({ sub: finance.id, role: 'FINANCE', iss: 'huikuan', jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(claims.exp - claims.iat).toBe(12 * 3600);
  });

  test('extra segments, another algorithm or a bad signature are refused; a correctly signed token works', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { role: 'FINANCE' };
    const sign = (alg: string, secret = TOKEN_SECRET) =>
      new SignJWT(claims)
        .setProtectedHeader({ alg, typ: 'JWT' })
        .setIssuer('huikuan')
        .setSubject(finance.id)
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .setJti(randomUUID())
        .sign(new TextEncoder().encode(secret));
    const good = await sign('HS256');
    expect((await clientAt(server.url, good).me()).me.id).toBe(finance.id); // the control: only the flaw below differs

    const [header, payload, signature] = good.split('.');
    const noneHeader = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const refused = [
      `${good}.${signature}`, // an extra segment
      `${good}.`,
      `hku.${good}`, // the old prefix in front: four segments
      `${header}.${payload}.${signature}.${signature}.${signature}`, // JWE-shaped
      `${header}.${payload}`,
      `${noneHeader}.${payload}.`, // alg "none"
      await sign('HS512'), // right secret, other algorithm
      await sign('HS256', 'another-secret-of-thirty-two-characters!'),
    ];
    for (const token of refused) {
      await expect(clientAt(server.url, token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    // Over WebSocket: the connection is refused.
    const extra = new Watcher(clientAt(server.url, `${good}.${signature}`).subscribeOverdueEvents());
    expect((await extra.waitForEnd()).code).toBe('FORBIDDEN');
  });

  test('logout revokes only the current token, on every instance, and closes its subscriptions', async () => {
    const [first, second] = [await signIn(finance.email), await signIn(finance.email)];
    const onB = await liveStream(clientAt(instanceB.url, first));
    const otherOnB = await liveStream(clientAt(instanceB.url, second));

    expect((await clientAt(server.url, first).logout()).logout).toBe(true);
    expectClosedWith(await onB.waitForEnd(), 'TOKEN_REVOKED');
    await expect(clientAt(server.url, first).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(clientAt(instanceB.url, first).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(clientAt(server.url, first).logout()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    // The user's other token and its subscription go on.
    expect((await clientAt(instanceB.url, second).me()).me.id).toBe(finance.id);
    const customerId = await newOverdueEvent();
    await until(() => otherOnB.events.some((e) => e.customer.id === customerId), 10_000, 'the live event on the other token');
    expect(otherOnB.endedAt).toBeUndefined();
    await otherOnB.stream.close();
  });

  test('an API token cannot log out (it is revoked by an admin)', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `logout ${unique()}` });
    const error = await rejection(clientAt(server.url, createApiToken.token).logout());
    expect(error).toMatchObject({ code: 'FORBIDDEN', reason: 'USER_TOKEN_REQUIRED' });
    await expect(clientAt(server.url, createApiToken.token).signOutEverywhere()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect((await clientAt(server.url, createApiToken.token).me()).me.role).toBe('INTEGRATION');
  });

  test('signOutEverywhere revokes every token of the caller issued so far and closes their subscriptions; a new sign-in works at once', async () => {
    const user = await server.createUser('MANAGER');
    const tokens = [user.token, await signIn(user.email), await signIn(user.email, instanceB.url)];
    const onA = await liveStream(clientAt(server.url, tokens[0]));
    const onB = await liveStream(clientAt(instanceB.url, tokens[1]));
    const bystander = await liveStream(clientAt(server.url, await signIn(finance.email)));

    expect((await clientAt(instanceB.url, tokens[2]).signOutEverywhere()).signOutEverywhere).toBe(true);
    expectClosedWith(await onA.waitForEnd(), 'SIGNED_OUT_EVERYWHERE');
    expectClosedWith(await onB.waitForEnd(), 'SIGNED_OUT_EVERYWHERE');
    for (const token of tokens) {
      await expect(clientAt(server.url, token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
      await expect(clientAt(instanceB.url, token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    }
    // Within the same second: the new token is not mistaken for an old one.
    const fresh = await signIn(user.email);
    expect((await clientAt(instanceB.url, fresh).me()).me.id).toBe(user.id);
    const freshStream = await liveStream(clientAt(server.url, fresh));
    // Other users are untouched.
    expect(bystander.endedAt).toBeUndefined();
    await freshStream.stream.close();
    await bystander.stream.close();
  });

  test('an expired user token ends its subscription (TOKEN_TTL=3s) and is refused', async () => {
    const shortLived = await server.startInstance({ TOKEN_TTL: '3s' });
    try {
      const { login } = await clientAt(shortLived.url, undefined, { 'x-forwarded-for': freshAddress() }).login({
        email: finance.email,
        password: USER_PASSWORD,
      });
      expect(new Date(login.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(3000);
      const watcher = await liveStream(clientAt(shortLived.url, login.token));
      expectClosedWith(await watcher.waitForEnd(8000), 'TOKEN_EXPIRED');
      // Ends when the token expires, not much later (the clock counts whole seconds).
      expect(watcher.endedAt!).toBeLessThan(new Date(login.expiresAt).getTime() + 2000);
      await expect(clientAt(shortLived.url, login.token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    } finally {
      expect(await shortLived.stop()).toBe(0);
    }
  });
});

describe('user administration ends sessions', () => {
  test('deactivating a user closes their subscriptions on every instance and refuses their tokens and sign-in', async () => {
    const user = await server.createUser('FINANCE');
    const onA = await liveStream(user.client);
    const onB = await liveStream(clientAt(instanceB.url, user.token));

    const { updateUser } = await server.admin.updateUser({ id: user.id, input: { active: false } });
    expect(updateUser).toMatchObject({ id: user.id, active: false, role: 'FINANCE' });
    expectClosedWith(await onA.waitForEnd(), 'USER_DEACTIVATED');
    expectClosedWith(await onB.waitForEnd(), 'USER_DEACTIVATED');
    await expect(user.client.me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    await expect(signIn(user.email)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });

    await server.admin.updateUser({ id: user.id, input: { active: true } });
    expect((await clientAt(server.url, await signIn(user.email)).me()).me.active).toBe(true);
  });

  test('deactivating an INTEGRATION user closes its API token’s subscription', async () => {
    const { createApiToken } = await server.admin.createApiToken({ name: `deact ${unique()}` });
    const onB = await liveStream(clientAt(instanceB.url, createApiToken.token));
    await server.admin.updateUser({ id: createApiToken.user.id, input: { active: false } });
    expectClosedWith(await onB.waitForEnd(), 'USER_DEACTIVATED');
    await expect(clientAt(server.url, createApiToken.token).me()).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  test('a role change closes the user’s subscriptions; the token then acts in the new role', async () => {
    const user = await server.createUser('FINANCE', 'Role Change');
    const onB = await liveStream(clientAt(instanceB.url, user.token));
    const { updateUser } = await server.admin.updateUser({ id: user.id, input: { role: 'PROJECT_LEAD', name: '  Now A Lead ' } });
    expect(updateUser).toMatchObject({ role: 'PROJECT_LEAD', name: 'Now A Lead', active: true });
    expectClosedWith(await onB.waitForEnd(), 'ROLE_CHANGED');
    expect((await user.client.me()).me.role).toBe('PROJECT_LEAD');
    await expect(user.client.payments({ first: 1 })).rejects.toMatchObject({ code: 'FORBIDDEN' });

    // A rename alone ends nothing.
    const other = await server.createUser('MANAGER');
    const stream = await liveStream(other.client);
    await server.admin.updateUser({ id: other.id, input: { name: 'Renamed Manager' } });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(stream.endedAt).toBeUndefined();
    await stream.stream.close();
  });

  test('updateUser: ADMIN only; no INTEGRATION role; the last active ADMIN stays; unknown id is NOT_FOUND', async () => {
    const target = await server.createUser('SALES');
    await expect(finance.client.updateUser({ id: target.id, input: { active: false } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(server.admin.updateUser({ id: target.id, input: { role: 'INTEGRATION' } })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'input.role',
      reason: 'ROLE_NOT_ASSIGNABLE',
    });
    await expect(server.admin.updateUser({ id: target.id, input: { name: '  ' } })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.name' });
    const { createApiToken } = await server.admin.createApiToken({ name: `role ${unique()}` });
    await expect(server.admin.updateUser({ id: createApiToken.user.id, input: { role: 'ADMIN' } })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'ROLE_NOT_ASSIGNABLE',
    });
    const { me } = await server.admin.me();
    await expect(server.admin.updateUser({ id: me.id, input: { active: false } })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'LAST_ADMIN' });
    await expect(server.admin.updateUser({ id: me.id, input: { role: 'MANAGER' } })).rejects.toMatchObject({ code: 'CONFLICT', reason: 'LAST_ADMIN' });
    expect((await server.admin.me()).me).toMatchObject({ role: 'ADMIN', active: true });
    await expect(server.admin.updateUser({ id: randomUUID(), input: { active: false } })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await target.client.me()).me).toMatchObject({ role: 'SALES', active: true });
  });
});

describe('login throttling', () => {
  const login = (url: string, email: string, password: string, address: string) =>
    clientAt(url, undefined, { 'x-forwarded-for': address }).login({ email, password });

  test('after 5 failures for one e-mail, across both instances and from any address, even the right password is refused for a while', async () => {
    const user = await server.createUser('SALES');
    for (let i = 0; i < 5; i++) {
      const url = i % 2 === 0 ? server.url : instanceB.url;
      const error = await rejection(login(url, user.email, `wrong-${i}`, freshAddress()));
      expect(error.reason).toBe('UNAUTHENTICATED');
    }
    for (const url of [server.url, instanceB.url]) {
      const started = Date.now();
      const throttled = await rejection(login(url, user.email.toUpperCase(), USER_PASSWORD, freshAddress()));
      expect(throttled).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'LOGIN_THROTTLED' });
      expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
      expect(throttled.retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
      // Refused before any password hashing.
      expect(Date.now() - started).toBeLessThan(2000);
    }
    // The standard header says the same.
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': freshAddress() },
      body: JSON.stringify({
        query: 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { token } }',
        variables: { e: user.email, p: USER_PASSWORD },
      }),
    });
    const body = (await response.json()) as { errors: { extensions: { reason: string; retryAfterSeconds: number } }[] };
    expect(body.errors[0].extensions.reason).toBe('LOGIN_THROTTLED');
    expect(Number(response.headers.get('retry-after'))).toBe(body.errors[0].extensions.retryAfterSeconds);
    // Other accounts are not affected, and the existing token still works.
    expect((await user.client.me()).me.id).toBe(user.id);
    await signIn(finance.email);
  });

  test('a successful sign-in clears the e-mail’s failures', async () => {
    const user = await server.createUser('SALES');
    for (let i = 0; i < 4; i++) await expect(login(server.url, user.email, `nope-${i}`, freshAddress())).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    await login(instanceB.url, user.email, USER_PASSWORD, freshAddress());
    for (let i = 0; i < 4; i++)
      await expect(login(instanceB.url, user.email, `nope-${i}`, freshAddress())).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    expect((await login(server.url, user.email, USER_PASSWORD, freshAddress())).login.user.id).toBe(user.id);
  });

  test(`after ${MAX_FAILURES_PER_ADDRESS} failures from one client address (any e-mails, both instances) that address is throttled; others are not`, async () => {
    const address = `203.0.113.${Math.floor(Math.random() * 250) + 1}`;
    const user = await server.createUser('SALES');
    // Signing in successfully does not bank credit for later guesses.
    await login(server.url, user.email, USER_PASSWORD, address);
    await login(instanceB.url, user.email, USER_PASSWORD, address);
    for (let i = 0; i < MAX_FAILURES_PER_ADDRESS; i++) {
      const url = i % 2 === 0 ? server.url : instanceB.url;
      await expect(login(url, `guess-${i}.${unique()}@test.example`, 'Some-Guess-Password-1', address)).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
    }
    const throttled = await rejection(login(instanceB.url, user.email, USER_PASSWORD, address));
    expect(throttled).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'LOGIN_THROTTLED' });
    expect(throttled.retryAfterSeconds).toBeGreaterThan(0);
    // The same account from another address signs in.
    expect((await login(instanceB.url, user.email, USER_PASSWORD, freshAddress())).login.user.id).toBe(user.id);
    // Counters hold hashes only: no e-mail or address is stored.
    const rows = await server.sql<{ key: string }>('select key from login_throttle');
    expect(rows.length).toBeGreaterThan(0);
    expect(JSON.stringify(rows)).not.toContain(address);
    expect(JSON.stringify(rows)).not.toContain(user.email);
  });
});

describe('passwords', () => {
  const create = (password: string, name = 'Policy Test') =>
    server.admin.createUser({ input: { email: `policy.${unique()}@test.example`, name, role: 'SALES', password } });

  test('too short, too long and easy-to-guess passwords are refused with their reason', async () => {
    const cases: [string, string][] = [
      ['Qx7#vLm2!pR', 'PASSWORD_TOO_SHORT'],
      [`${randomBytes(800).toString('base64')}`.slice(0, 1025), 'PASSWORD_TOO_LONG'],
      ['password1234', 'PASSWORD_TOO_WEAK'],
      ['qwertyuiopasdf', 'PASSWORD_TOO_WEAK'],
      ['aaaaaaaaaaaaaaaaaaaa', 'PASSWORD_TOO_WEAK'],
    ];
    for (const [password, reason] of cases) {
      await expect(create(password)).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'input.password', reason });
    }
    // The user's own name is an easy guess for them, not for someone else.
    await expect(create('ZhangMin-2026', 'Zhang Min')).rejects.toMatchObject({ reason: 'PASSWORD_TOO_WEAK' });
    expect((await create('ZhangMin-2026', 'Li Na')).createUser.role).toBe('SALES');
    // 12 and 1,024 characters are both fine.
    expect((await create('Qx7#vLm2!pRz')).createUser.role).toBe('SALES');
    const longest = randomBytes(768).toString('base64');
    expect(longest).toHaveLength(1024);
    const { createUser } = await create(longest);
    const { login } = await clientAt(server.url, undefined, { 'x-forwarded-for': freshAddress() }).login({ email: createUser.email, password: longest });
    expect(login.user.id).toBe(createUser.id);
  });

  test('new hashes use scrypt N=2^17, r=8, p=1; a hash with the old cost is replaced at the next sign-in', async () => {
    const user = await server.createUser('SALES');
    const [stored] = await server.sql<{ password_hash: string }>('select password_hash from app_user where id = $1', [user.id]);
    expect(stored.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);

    // The row as the previous release (N=2^15) wrote it: computed here, the server never writes such hashes now.
    const salt = randomBytes(16);
    const key = scryptSync(USER_PASSWORD, salt, 32, { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const legacy = `scrypt$32768$8$1$${salt.toString('base64')}$${key.toString('base64')}`;
    await server.sql('update app_user set password_hash = $1 where id = $2', [legacy, user.id]);

    expect((await signIn(user.email)).length).toBeGreaterThan(20);
    const [rehashed] = await server.sql<{ password_hash: string }>('select password_hash from app_user where id = $1', [user.id]);
    expect(rehashed.password_hash).toMatch(/^scrypt\$131072\$8\$1\$/);
    expect(rehashed.password_hash).not.toBe(legacy);
    // The new hash verifies the same password, on the other instance too; a wrong one still fails.
    expect((await clientAt(instanceB.url, await signIn(user.email, instanceB.url)).me()).me.id).toBe(user.id);
    await expect(
      clientAt(server.url, undefined, { 'x-forwarded-for': freshAddress() }).login({ email: user.email, password: 'Not-The-Password-99' }),
    ).rejects.toMatchObject({
      reason: 'UNAUTHENTICATED',
    });
    const [after] = await server.sql<{ password_hash: string }>('select password_hash from app_user where id = $1', [user.id]);
    expect(after.password_hash).toBe(rehashed.password_hash);
  });
});
