/**
 * Bulk import through the API (issue 12): who may import, customers and receivables
 * upserted by (source, externalId), a 5,000-row ERP export sent twice (the second time
 * all UNCHANGED, the database identical), a file with 3% bad rows (each reported with its
 * line, field and reason, the good rows applied), atomic batches, dry runs, ledger
 * history that is never rewritten, and the recorded runs with their errors as CSV.
 */
import { addDays } from '../../server/core/local-date';
import type { Client, ReceivableImportRow } from '../../sdk/index.js';
import { companyToday, factories, uniqueCode, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, type TestServer, type TestUser } from '../helpers/server';

let server: TestServer;
let sales: TestUser;
let finance: TestUser;
let fin: Client;
let make: Factories;
const today = companyToday();

beforeAll(async () => {
  server = await startTestServer();
  sales = await server.createUser('SALES');
  finance = await server.createUser('FINANCE');
  fin = finance.client;
  make = factories(server, { as: fin, today, ownerId: sales.id });
});
afterAll(() => server.close());

const apply = (source: string, atomic = false) => ({ source, mode: 'APPLY' as const, atomic });

async function ledgerFingerprint(): Promise<string> {
  const [row] = await server.sql<{ digest: string }>(
    `select md5(coalesce((select string_agg(r::text, '|' order by r.id) from receivable r), '')
             || coalesce((select string_agg(k::text, '|' order by k.kind, k.source, k.external_id) from import_key k), '')
             || coalesce((select string_agg(c::text, '|' order by c.id) from customer c), '')) as digest`,
  );
  return row.digest;
}

describe('who may import', () => {
  const row = () => ({ externalId: uniqueCode('E'), customerCode: 'NOPE', reference: 'R', amount: '1.00', issuedOn: today });

  test('SALES may not; FINANCE and ADMIN may', async () => {
    await expectApiError(sales.client.importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [row()] }), 'FORBIDDEN');
    expect((await fin.importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [row()] })).importReceivables.failed).toBe(1);
    expect((await server.admin.importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [row()] })).importReceivables.total).toBe(1);
  });

  test('an API token imports only when it was given the IMPORT scope', async () => {
    const plain = (await server.admin.createApiToken({ name: 'BI reader' })).createApiToken;
    expect(plain.apiToken.scopes).toEqual([]);
    await expectApiError(server.client(plain.token).importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [row()] }), 'FORBIDDEN');
    const scoped = (await server.admin.createApiToken({ name: 'ERP sync', scopes: ['IMPORT'] })).createApiToken;
    expect(scoped.apiToken.scopes).toEqual(['IMPORT']);
    const result = await server.client(scoped.token).importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [row()] });
    expect(result.importReceivables.rows[0]).toMatchObject({ status: 'ERROR', field: 'customerCode', reason: 'NOT_FOUND' });
    // The scope opens import only: payments stay closed to integrations.
    await expectApiError(server.client(scoped.token).payments({}), 'FORBIDDEN');
  });

  test('more than 1,000 rows or a blank source is refused as a whole', async () => {
    const rows = Array.from({ length: 1001 }, () => row());
    await expectApiError(fin.importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows }), 'BAD_USER_INPUT', 'rows');
    await expectApiError(fin.importReceivables({ options: { source: ' ', mode: 'DRY_RUN' }, rows: [row()] }), 'BAD_USER_INPUT', 'options.source');
  });
});

describe('importCustomers', () => {
  test('creates, then reports UNCHANGED; a changed row updates; known payer accounts are stored', async () => {
    const code = uniqueCode('IC');
    const customer = {
      externalId: `CUST-${code}`,
      code,
      name: 'Jinhua Trading',
      ownerEmail: sales.email.toUpperCase(),
      creditTermDays: 30,
      creditLimit: '50000.00',
      payerAccounts: ['6222 0210 0100 1234'],
    };
    const first = (await fin.importCustomers({ options: apply('ERP'), rows: [customer] })).importCustomers;
    expect(first.rows[0]).toMatchObject({ status: 'CREATED', line: 1 });
    const id = first.rows[0].id!;
    const again = (await fin.importCustomers({ options: apply('ERP'), rows: [customer] })).importCustomers;
    expect(again.rows[0]).toMatchObject({ status: 'UNCHANGED', id });
    const changed = (await fin.importCustomers({ options: apply('ERP'), rows: [{ ...customer, creditLimit: '60000.00' }] })).importCustomers;
    expect(changed.rows[0]).toMatchObject({ status: 'UPDATED', id });
    const { customer: read } = await fin.customerPayerAccounts({ id });
    expect(read?.payerAccounts).toEqual(['6222021001001234']);
    expect((await fin.customer({ id })).customer?.creditLimit).toBe('60000.00');
  });

  test('an owner who is no salesperson and a code taken in the batch are refused per row', async () => {
    const code = uniqueCode('IC');
    const base = { name: 'N', creditTermDays: 30, creditLimit: '1.00', ownerEmail: sales.email };
    const result = (
      await fin.importCustomers({
        options: apply('ERP'),
        rows: [
          { ...base, externalId: uniqueCode('X'), code },
          { ...base, externalId: uniqueCode('X'), code },
          { ...base, externalId: uniqueCode('X'), code: uniqueCode('IC'), ownerEmail: finance.email },
          { ...base, externalId: uniqueCode('X'), code: uniqueCode('IC'), creditLimit: '1.005' },
        ],
      })
    ).importCustomers;
    expect(result.rows.map((r) => [r.status, r.field, r.reason])).toEqual([
      ['CREATED', null, null],
      ['ERROR', 'code', 'CODE_TAKEN'],
      ['ERROR', 'ownerEmail', 'OWNER_NOT_SALES'],
      ['ERROR', 'creditLimit', 'INVALID_FORMAT'],
    ]);
  });
});

describe('importReceivables', () => {
  test('a 5,000-row ERP export imported twice: the second run is all UNCHANGED and the database identical', async () => {
    const customers = await Promise.all(Array.from({ length: 5 }, () => make.customer()));
    const batch = uniqueCode('B');
    const rows: ReceivableImportRow[] = Array.from({ length: 5000 }, (_, i) => ({
      line: i + 2,
      externalId: `${batch}-${i}`,
      customerCode: customers[i % 5].code,
      reference: `${batch}-INV-${i}`,
      amount: `${1000 + i}.${String(i % 100).padStart(2, '0')}`,
      issuedOn: addDays(today, -(i % 90)),
      dueOn: i % 3 === 0 ? null : addDays(today, 30 - (i % 90)),
    }));
    const send = async () => {
      const totals = { created: 0, updated: 0, unchanged: 0, failed: 0 };
      for (let i = 0; i < rows.length; i += 1000) {
        const r = (await fin.importReceivables({ options: apply('ERP-5000'), rows: rows.slice(i, i + 1000) })).importReceivables;
        expect(r.committed).toBe(true);
        for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += r[key];
      }
      return totals;
    };
    expect(await send()).toEqual({ created: 5000, updated: 0, unchanged: 0, failed: 0 });
    const before = await ledgerFingerprint();
    expect(await send()).toEqual({ created: 0, updated: 0, unchanged: 5000, failed: 0 });
    expect(await ledgerFingerprint()).toBe(before);
    const [count] = await server.sql<{ n: string }>('select count(*) as n from receivable where reference like $1', [`${batch}-INV-%`]);
    expect(Number(count.n)).toBe(5000);
    // Due date default: issue date + the customer's credit term, as createReceivable does.
    const { receivables } = await fin.receivables({ filter: { customerId: customers[0].id, search: `${batch}-INV-0` }, first: 1 });
    expect(receivables.edges[0].node).toMatchObject({ reference: `${batch}-INV-0`, issuedOn: today, dueOn: addDays(today, 30), amount: '1000.00' });
  });

  test('3% bad rows are each reported with line, field and reason; the good rows are applied', async () => {
    const customer = await make.customer();
    const batch = uniqueCode('P');
    const rows: ReceivableImportRow[] = Array.from({ length: 200 }, (_, i) => ({
      line: i + 2,
      externalId: `${batch}-${i}`,
      customerCode: customer.code,
      reference: `${batch}-${i}`,
      amount: '100.00',
      issuedOn: addDays(today, -10),
    }));
    rows[10].issuedOn = '2026/1/4';
    rows[20].customerCode = 'NO-SUCH-CUSTOMER';
    rows[30].amount = '12.345';
    rows[40].externalId = rows[39].externalId;
    rows[50].dueOn = addDays(today, -20);
    rows[60].amount = '0.00';
    const result = (await fin.importReceivables({ options: apply('ERP-PARTIAL'), rows })).importReceivables;
    expect(result).toMatchObject({ committed: true, created: 194, failed: 6 });
    const errors = result.rows.filter((r) => r.status === 'ERROR').map((r) => [r.line, r.field, r.reason]);
    expect(errors).toEqual([
      [12, 'issuedOn', 'INVALID_DATE'],
      [22, 'customerCode', 'NOT_FOUND'],
      [32, 'amount', 'INVALID_FORMAT'],
      [42, 'externalId', 'DUPLICATE_ENTRY'],
      [52, 'dueOn', 'DUE_BEFORE_ISSUE'],
      [62, 'amount', 'OUT_OF_RANGE'],
    ]);
    const [count] = await server.sql<{ n: string }>('select count(*) as n from receivable where customer_id = $1', [customer.id]);
    expect(Number(count.n)).toBe(194);

    // The run is recorded with its errors, downloadable as CSV with the same token.
    const { importRuns } = await fin.importRuns({ first: 5 });
    const run = importRuns.nodes.find((r) => r.id === result.runId)!;
    expect(run).toMatchObject({ kind: 'RECEIVABLES', source: 'ERP-PARTIAL', mode: 'APPLY', committed: true, total: 200, created: 194, failed: 6 });
    expect(run.durationMs).toBeGreaterThanOrEqual(0);
    const csvUrl = new URL(run.errorsCsvPath, server.url).toString();
    const csv = await fetch(csvUrl, { headers: { authorization: `Bearer ${finance.token}` } });
    expect(csv.status).toBe(200);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('line,externalId,field,reason,message');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      `12,${batch}-10,issuedOn,INVALID_DATE`,
      `22,${batch}-20,customerCode,NOT_FOUND`,
      `32,${batch}-30,amount,INVALID_FORMAT`,
      `42,${batch}-39,externalId,DUPLICATE_ENTRY`,
      `52,${batch}-50,dueOn,DUE_BEFORE_ISSUE`,
      `62,${batch}-60,amount,OUT_OF_RANGE`,
    ]);
    expect((await fetch(csvUrl)).status).toBe(401);
    expect((await fetch(csvUrl, { headers: { authorization: `Bearer ${sales.token}` } })).status).toBe(403);
  });

  test('atomic: one bad row and nothing is written; DRY_RUN writes nothing either', async () => {
    const customer = await make.customer();
    const rows = [
      { externalId: uniqueCode('A'), customerCode: customer.code, reference: uniqueCode('R'), amount: '5.00', issuedOn: today },
      { externalId: uniqueCode('A'), customerCode: customer.code, reference: uniqueCode('R'), amount: '5.00', issuedOn: 'yesterday' },
    ];
    const atomic = (await fin.importReceivables({ options: apply('ERP', true), rows })).importReceivables;
    expect(atomic).toMatchObject({ committed: false, created: 0, failed: 2 });
    expect(atomic.rows.map((r) => r.reason)).toEqual(['BATCH_NOT_APPLIED', 'INVALID_DATE']);
    const dry = (await fin.importReceivables({ options: { source: 'ERP', mode: 'DRY_RUN' }, rows: [rows[0]] })).importReceivables;
    expect(dry).toMatchObject({ committed: false, created: 1 });
    expect(dry.rows[0].id).toBeNull();
    const [count] = await server.sql<{ n: string }>('select count(*) as n from receivable where customer_id = $1', [customer.id]);
    expect(Number(count.n)).toBe(0);
  });

  test('ledger history is never rewritten: once paid only the due date may change, a settled receivable nothing', async () => {
    const customer = await make.customer();
    const other = await make.customer();
    const source = uniqueCode('SRC');
    const row = (n: number, patch: Partial<ReceivableImportRow> = {}) => ({
      externalId: `R${n}`,
      customerCode: customer.code,
      reference: `${source}-${n}`,
      amount: '100.00',
      issuedOn: addDays(today, -40),
      dueOn: addDays(today, -10),
      ...patch,
    });
    const created = (await fin.importReceivables({ options: apply(source), rows: [row(1), row(2), row(3)] })).importReceivables;
    const [paid, partly, untouched] = created.rows.map((r) => r.id!);
    await make.payment(customer.id, { amount: '100.00', allocations: [{ receivableId: paid, amount: '100.00' }] });
    await make.payment(customer.id, { amount: '40.00', allocations: [{ receivableId: partly, amount: '40.00' }] });

    const changed = (
      await fin.importReceivables({
        options: apply(source),
        rows: [
          row(1, { dueOn: addDays(today, -5) }),
          row(2, { amount: '120.00' }),
          row(3, { amount: '150.00', customerCode: other.code }),
          row(2, { externalId: 'R2b', reference: `${source}-2b`, dueOn: addDays(today, 5) }),
        ],
      })
    ).importReceivables;
    expect(changed.rows.map((r) => [r.status, r.field, r.reason])).toEqual([
      ['ERROR', 'dueOn', 'IMPORT_FIELD_LOCKED'],
      ['ERROR', 'amount', 'IMPORT_FIELD_LOCKED'],
      ['UPDATED', null, null],
      ['CREATED', null, null],
    ]);
    const moved = (await fin.receivable({ id: untouched })).receivable!;
    expect(moved).toMatchObject({ amount: '150.00', outstanding: '150.00', customer: { id: other.id } });

    const due = (await fin.importReceivables({ options: apply(source), rows: [row(2, { dueOn: addDays(today, 10) })] })).importReceivables;
    expect(due.rows[0].status).toBe('UPDATED');
    expect((await fin.receivable({ id: partly })).receivable).toMatchObject({ dueOn: addDays(today, 10), outstanding: '60.00', amount: '100.00' });
  });

  test('two batches with the same rows at once: no error, one creates them, the other (planned again) reports them UNCHANGED', async () => {
    const customer = await make.customer();
    const batch = uniqueCode('RACE');
    const rows = Array.from({ length: 300 }, (_, i) => ({
      externalId: `${batch}-${i}`,
      customerCode: customer.code,
      reference: `${batch}-${i}`,
      amount: '1.00',
      issuedOn: today,
    }));
    const [a, b] = await Promise.all([
      fin.importReceivables({ options: apply('ERP-RACE'), rows }),
      fin.importReceivables({ options: apply('ERP-RACE'), rows }),
    ]);
    const results = [a.importReceivables, b.importReceivables];
    expect(results.map((r) => r.failed)).toEqual([0, 0]);
    expect(results.map((r) => r.created + r.unchanged)).toEqual([300, 300]);
    expect(results.reduce((sum, r) => sum + r.created, 0)).toBe(300);
    const [count] = await server.sql<{ n: string }>('select count(*) as n from receivable where customer_id = $1', [customer.id]);
    expect(Number(count.n)).toBe(300);
  });
});
