/**
 * The SDK as a frontend team gets it: `npm run build:sdk`, `npm pack`, installed from
 * the tarball into an empty project, type-checked there (with a deliberate type error
 * that must be caught) and run against a live server: log in, list customers, record a
 * payment, subscribe to overdue events, handle a typed error — in ESM and CommonJS.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startTestServer, TestServer, USER_PASSWORD } from '../helpers/server';

const ROOT = path.resolve(__dirname, '../..');
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let server: TestServer;
let project: string;
let financeEmail: string;

const CONSUMER = `
import { createHmac } from 'node:crypto';
import WebSocket from 'ws';
import { createClient, HuikuanError, verifyWebhookSignature, type CustomersQuery, type OverdueEventPayload } from '@huikuan/sdk';

const url = process.env.HUIKUAN_URL!;
const { login } = await createClient({ url }).login({ email: process.env.HUIKUAN_EMAIL!, password: process.env.HUIKUAN_PASSWORD! });
const client = createClient({ url, token: login.token, webSocketImpl: WebSocket });

const { customers }: CustomersQuery = await client.customers({ first: 10 });
const customer = customers.edges[0].node;
const { recordPayment } = await client.recordPayment({
  input: { customerId: customer.id, amount: '40.00', receivedOn: process.env.TODAY!, method: 'BANK_TRANSFER' },
});

let errorCode = '';
let errorField: string | undefined;
try {
  await client.recordPayment({ input: { customerId: customer.id, amount: '-1', receivedOn: process.env.TODAY!, method: 'CASH' } });
} catch (e) {
  if (e instanceof HuikuanError) {
    errorCode = e.code;
    errorField = e.field;
  }
}

const stream = client.subscribeOverdueEvents({ after: null });
await client.runOverdueScan({ asOf: process.env.TODAY! });
const first = await stream.next();
const event: OverdueEventPayload = first.value as OverdueEventPayload;
await stream.close();

// A webhook delivery signed as the server signs it (t=<unix>,v1=<hex HMAC-SHA256 of "t.body">).
const body = '{"id":"00000000-0000-8000-8000-000000000001","type":"BECAME_OVERDUE"}';
const t = Math.floor(Date.now() / 1000);
const signature = \`t=\${t},v1=\${createHmac('sha256', 'whsec_consumer').update(\`\${t}.\${body}\`).digest('hex')}\`;
const webhook = [await verifyWebhookSignature(body, signature, 'whsec_consumer', 300), await verifyWebhookSignature(body, signature, 'whsec_other', 300)];

// @ts-expect-error: the SDK's variables are typed — a number is no Money string.
void (() => client.recordPayment({ input: { customerId: customer.id, amount: 12.5, receivedOn: '2026-01-01', method: 'CASH' } }));

console.log(JSON.stringify({
  user: login.user.email,
  customers: customers.totalCount,
  outstandingBefore: customer.outstanding,
  allocated: recordPayment.allocations.map((a) => a.amount),
  errorCode,
  errorField,
  event: { type: event.type, stage: event.stage, customer: event.customer.code },
  webhook,
}));
`;

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: '2026-12-01' });
  const sales = await server.createUser('SALES');
  const finance = await server.createUser('FINANCE');
  financeEmail = finance.email;
  const { createCustomer } = await finance.client.createCustomer({
    input: { code: 'PKG-1', name: 'Packaged Co', ownerId: sales.id, creditTermDays: 30, creditLimit: '1000.00' },
  });
  await finance.client.createReceivable({ input: { customerId: createCustomer.id, reference: 'P-1', amount: '100.00', issuedOn: '2026-10-01' } });

  execFileSync('npm', ['run', 'build:sdk'], { cwd: ROOT, stdio: 'ignore' });
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'huikuan-sdk-consumer-'));
  const tarball = npm(['pack', path.join(ROOT, 'sdk'), '--pack-destination', project, '--silent'], ROOT)
    .trim()
    .split('\n')
    .pop()!;
  fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'sdk-consumer', private: true, type: 'module' }));
  const versions = (name: string) =>
    (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  npm(
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--prefer-offline',
      path.join(project, tarball),
      `ws@${versions('ws')}`,
      `typescript@${versions('typescript')}`,
      `@types/ws@${versions('@types/ws')}`,
      `@types/node@${versions('@types/node')}`,
    ],
    project,
  );
  fs.writeFileSync(path.join(project, 'consumer.ts'), CONSUMER);
  fs.writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { target: 'ES2022', module: 'nodenext', moduleResolution: 'nodenext', strict: true, skipLibCheck: false, outDir: 'out' },
      files: ['consumer.ts'],
    }),
  );
}, 180_000);

afterAll(async () => {
  await server.close();
  if (project) fs.rmSync(project, { recursive: true, force: true });
});

test('the tarball holds the builds and no server code', () => {
  const files = npm(['pack', path.join(ROOT, 'sdk'), '--dry-run', '--json'], ROOT);
  const paths: string[] = JSON.parse(files)[0].files.map((f: { path: string }) => f.path);
  expect(paths).toEqual(expect.arrayContaining(['dist/esm/index.js', 'dist/cjs/index.js', 'dist/browser/index.js', 'dist/types/index.d.ts', 'package.json']));
  expect(paths.some((p) => p.includes('server'))).toBe(false);
});

test('the browser build is one ES module that loads nothing else: no Node built-in, no require, no import', () => {
  const browserBuild = fs.readFileSync(path.join(ROOT, 'sdk/dist/browser/index.js'), 'utf8');
  expect(browserBuild).not.toMatch(/\brequire\(|["']node:|\bimport\s*\(|(^|[;\n])import\s*[{*"'\w]/);
  expect(browserBuild).toMatch(/export\s*\{/);
});

test('installed from the tarball it type-checks in a strict project, and a wrong variable type is an error', () => {
  const tsc = path.join(project, 'node_modules/typescript/bin/tsc');
  expect(() => execFileSync(process.execPath, [tsc, '-p', project], { cwd: project, encoding: 'utf8' })).not.toThrow();
  // Without the @ts-expect-error line the same program must not compile.
  fs.writeFileSync(path.join(project, 'broken.ts'), CONSUMER.replace('// @ts-expect-error', '//'));
  const broken = path.join(project, 'tsconfig.broken.json');
  fs.writeFileSync(broken, JSON.stringify({ extends: './tsconfig.json', files: ['broken.ts'] }));
  const result = spawnSync(process.execPath, [tsc, '-p', broken, '--noEmit'], { cwd: project, encoding: 'utf8' });
  expect(result.status).not.toBe(0);
  expect(result.stdout).toMatch(/broken\.ts.*error TS2322: Type 'number' is not assignable to type 'string'/);
});

test('the compiled program logs in, lists customers, records a payment, gets a typed error and an overdue event, and verifies a webhook signature', () => {
  const output = execFileSync(process.execPath, [path.join(project, 'out/consumer.js')], {
    cwd: project,
    encoding: 'utf8',
    env: { ...process.env, HUIKUAN_URL: server.url, HUIKUAN_EMAIL: financeEmail, HUIKUAN_PASSWORD: USER_PASSWORD, TODAY: '2026-12-01' },
  });
  expect(JSON.parse(output.trim().split('\n').pop()!)).toEqual({
    user: financeEmail,
    customers: 1,
    outstandingBefore: '100.00',
    allocated: ['40.00'],
    errorCode: 'BAD_USER_INPUT',
    errorField: 'input.amount',
    // Due Saturday 31 October → effective Monday 2 November; 29 days late on 1 December.
    event: { type: 'BECAME_OVERDUE', stage: 1, customer: 'PKG-1' },
    webhook: [true, false],
  });
});

test('CommonJS consumers can require it', () => {
  const output = execFileSync(
    process.execPath,
    [
      '-e',
      "const sdk = require('@huikuan/sdk'); console.log(typeof sdk.createClient, typeof sdk.HuikuanError, typeof sdk.CustomersDocument, typeof sdk.verifyWebhookSignature)",
    ],
    {
      cwd: project,
      encoding: 'utf8',
    },
  );
  expect(output.trim()).toBe('function function object function');
});
