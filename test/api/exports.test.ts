/**
 * Issue 12, exports: a customer's statement (`customerStatement` and its CSV) and the
 * aging report and worklist as CSV and XLSX downloads. The statement's figures are the
 * aging report's — including a payment that arrived before the date but was booked after
 * it (the seed case) — and every download carries the figures of its query, with the same
 * access rules and the same bearer token.
 */
import ExcelJS from 'exceljs';
import { factories } from '../helpers/factories';
import { expectApiError, startTestServer, type TestServer, type TestUser } from '../helpers/server';

const TODAY = '2026-12-07'; // a Monday
const AS_OF = '2026-12-01';

let server: TestServer;
let li: TestUser;
let wang: TestUser;
let manager: TestUser;
let customerId: string;
let wangCustomerId: string;
const ids: Record<string, string> = {};

function get(path: string, token?: string): Promise<Response> {
  return fetch(new URL(path, server.url), { headers: token ? { authorization: `Bearer ${token}` } : {} });
}

/** CSV text into rows of cells (the test's files have no quoted commas except where said). */
function parseCsv(text: string): string[][] {
  return text
    .replace(/\r\n$/, '')
    .split('\r\n')
    .map((line) => (line === '' ? [] : line.split(',').map((c) => c.replace(/^"(.*)"$/, '$1'))));
}

beforeAll(async () => {
  server = await startTestServer({ CLOCK_DATE: TODAY });
  const make = factories(server, { today: TODAY, defaults: { payment: { lagReason: 'found on the bank statement' } } });
  li = await server.createUser('SALES', 'Li Na');
  wang = await server.createUser('SALES', 'Wang Wei');
  manager = await server.createUser('MANAGER', 'Zhao Min');
  customerId = (await make.customer({ ownerId: li.id, name: '华东贸易有限公司', code: 'EXP-HD' })).id;
  wangCustomerId = (await make.customer({ ownerId: wang.id, name: 'Wang Customer', code: 'EXP-W' })).id;
  ids.r1 = (await make.receivable(customerId, { reference: 'INV-1', amount: '1000.00', issuedOn: '2026-10-01', dueOn: '2026-10-30' })).id;
  ids.r2 = (await make.receivable(customerId, { reference: 'INV-2', amount: '2500.50', issuedOn: '2026-11-01', dueOn: '2026-12-15' })).id;
  ids.r3 = (await make.receivable(customerId, { reference: 'INV-3', amount: '300.00', issuedOn: '2026-10-15', dueOn: '2026-11-13' })).id;
  await make.receivable(wangCustomerId, { reference: 'INV-W', amount: '777.00', issuedOn: '2026-10-01', dueOn: '2026-10-30' });
  // The seed case: money that arrived on 2026-11-20 and was booked today pays INV-3 as of AS_OF; 50.00 stays as credit.
  await make.payment(customerId, { amount: '350.00', receivedOn: '2026-11-20', allocations: [{ receivableId: ids.r3, amount: '300.00' }] });
  // Money that arrived after AS_OF does not count as of AS_OF.
  await make.payment(customerId, { amount: '400.00', receivedOn: '2026-12-03', allocations: [{ receivableId: ids.r1, amount: '400.00' }] });
  await li.client.openDispute({ input: { receivableId: ids.r2, amount: '500.00', category: 'QUALITY', reason: 'Broken on arrival' } });
  await li.client.recordPromiseToPay({ customerId, receivableIds: [ids.r1], amount: '600.00', promisedOn: '2026-12-10' });
}, 30_000);

afterAll(async () => {
  await server?.close();
});

describe('customerStatement', () => {
  test('as of a past date: the aging report’s figures, the late-booked payment counting from the day it arrived', async () => {
    const { customerStatement: s } = await li.client.customerStatement({ customerId, asOf: AS_OF });
    const { agingReport } = await li.client.agingReport({ asOf: AS_OF, salespersonId: li.id });
    expect(s).toMatchObject({ customerCode: 'EXP-HD', customerName: '华东贸易有限公司', asOf: AS_OF, openItemsOnly: true, unallocatedCredit: '50.00' });
    expect(s.items.map((i) => [i.reference, i.outstanding])).toEqual([
      ['INV-1', '1000.00'],
      ['INV-2', '2500.50'],
    ]);
    expect(s.items[0]).toMatchObject({ promise: null, dispute: null, disputedAmount: '0.00' });
    expect(s.items[0].daysOverdue).toBeGreaterThan(0);
    expect(s.items[1].daysOverdue).toBe(0);
    expect(s.totalOutstanding).toBe(agingReport.total);
    expect(s.totalOutstanding).toBe('3500.50');
    const cents = (money: string) => BigInt(money.replace('.', ''));
    expect(cents(s.totalOverdue)).toBe(cents(agingReport.total) - cents(agingReport.current));
    expect(s.openItems).toBe(agingReport.receivables);

    const all = (await li.client.customerStatement({ customerId, asOf: AS_OF, openItemsOnly: false })).customerStatement;
    expect(all.items.map((i) => [i.reference, i.outstanding])).toEqual([
      ['INV-1', '1000.00'],
      ['INV-3', '0.00'],
      ['INV-2', '2500.50'],
    ]);
  });

  test('credit applied later to an invoice issued after the date is still unallocated credit on that date', async () => {
    // 30.00 arrived on 11-25; the invoice it paid was issued on 12-03 (docs/metrics.md: an allocation counts from the later of arrival and issue).
    const make = factories(server, { today: TODAY, defaults: { payment: { lagReason: 'found on the bank statement' } } });
    const later = (await make.customer({ ownerId: wang.id, code: 'EXP-CR' })).id;
    const payment = await make.payment(later, { amount: '30.00', receivedOn: '2026-11-25' });
    const invoice = await make.receivable(later, { reference: 'INV-CR', amount: '100.00', issuedOn: '2026-12-03', dueOn: '2027-01-02' });
    await server.admin.allocatePayment({ id: payment.id, allocations: [{ receivableId: invoice.id, amount: '30.00' }] });
    const before = (await wang.client.customerStatement({ customerId: later, asOf: AS_OF })).customerStatement;
    expect(before).toMatchObject({ unallocatedCredit: '30.00', totalOutstanding: '0.00', items: [] });
    const now = (await wang.client.customerStatement({ customerId: later })).customerStatement;
    expect(now).toMatchObject({ unallocatedCredit: '0.00', totalOutstanding: '70.00' });
  });

  test('as of today: open promise and dispute, the same totals as the aging report', async () => {
    const { customerStatement: s } = await li.client.customerStatement({ customerId });
    const { agingReport } = await li.client.agingReport({ asOf: TODAY, salespersonId: li.id });
    expect(s.asOf).toBe(TODAY);
    expect(s.totalOutstanding).toBe(agingReport.total);
    expect(s.totalDisputed).toBe(agingReport.disputed);
    const byRef = Object.fromEntries(s.items.map((i) => [i.reference, i]));
    expect(byRef['INV-1']).toMatchObject({ outstanding: '600.00', promise: { promisedOn: '2026-12-10', amount: '600.00', state: 'OPEN' }, dispute: null });
    expect(byRef['INV-2']).toMatchObject({ outstanding: '2500.50', disputedAmount: '500.00', dispute: { state: 'OPEN', amount: '500.00' }, promise: null });
  });

  test('SALES cannot read another salesperson’s customer: NOT_FOUND, as customer(id); the CSV 404', async () => {
    await expectApiError(wang.client.customerStatement({ customerId }), 'NOT_FOUND');
    expect((await get(`/customers/${customerId}/statement.csv`, wang.token)).status).toBe(404);
    expect((await manager.client.customerStatement({ customerId })).customerStatement.totalOutstanding).toBe('3100.50');
  });

  test('CSV: UTF-8 with BOM, Chinese name, exact money strings, the totals', async () => {
    const response = await get(`/customers/${customerId}/statement.csv?asOf=${AS_OF}&openItemsOnly=true`, li.token);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    expect(rows[0]).toEqual(['statement', 'EXP-HD', '华东贸易有限公司', 'asOf', AS_OF]);
    const header = rows[2];
    const at = (row: string[], name: string) => row[header.indexOf(name)];
    expect(rows.slice(3, 5).map((r) => [at(r, 'reference'), at(r, 'amount'), at(r, 'outstanding')])).toEqual([
      ['INV-1', '1000.00', '1000.00'],
      ['INV-2', '2500.50', '2500.50'],
    ]);
    expect(rows.slice(6)).toEqual([
      ['totalOutstanding', '3500.50'],
      ['totalOverdue', '1000.00'],
      ['totalDisputed', '0.00'],
      ['unallocatedCredit', '50.00'],
    ]);
    expect((await get(`/customers/${customerId}/statement.csv?asOf=2026-13-01`, li.token)).status).toBe(400);
  });
});

describe('aging and worklist downloads', () => {
  test('aging CSV rows are agingReport.bySalesperson, then the total', async () => {
    const { agingReport } = await manager.client.agingReport({ asOf: AS_OF });
    const response = await get(`/reports/aging.csv?asOf=${AS_OF}`, manager.token);
    expect(response.status).toBe(200);
    const [header, ...rows] = parseCsv((await response.text()).replace(/^\uFEFF/, ''));
    const pick = (row: string[]) =>
      Object.fromEntries(['total', 'current', 'd1to30', 'd31to60', 'd61to90', 'over90', 'disputed'].map((k) => [k, row[header.indexOf(k)]]));
    expect(rows.map((r) => r[header.indexOf('salespersonId')])).toEqual([...agingReport.bySalesperson.map((r) => r.salesperson.id), '']);
    expect(rows.map(pick)).toEqual([...agingReport.bySalesperson, agingReport].map(pick2));
    expect(rows.map((r) => r[header.indexOf('salesperson')])).toEqual(['Li Na', 'Wang Wei', 'TOTAL']);
    function pick2(r: Record<string, unknown>) {
      return Object.fromEntries(['total', 'current', 'd1to30', 'd31to60', 'd61to90', 'over90', 'disputed'].map((k) => [k, r[k]]));
    }
  });

  test('aging XLSX opens with exceljs and has the same numbers', async () => {
    const { agingReport } = await manager.client.agingReport({ asOf: AS_OF });
    const response = await get(`/reports/aging.xlsx?asOf=${AS_OF}`, manager.token);
    expect(response.status).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await response.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const header = (sheet.getRow(1).values as unknown[]).slice(1);
    const totals = [...agingReport.bySalesperson, agingReport].map((r) => Number(r.total));
    const column = header.indexOf('total') + 1;
    expect(Array.from({ length: totals.length }, (_, i) => sheet.getRow(i + 2).getCell(column).value)).toEqual(totals);
    expect(sheet.getColumn(column).numFmt).toBe('#,##0.00');
  });

  test('worklist CSV and XLSX: the items of collectionWorklist, with SALES limited to their own', async () => {
    const { collectionWorklist } = await li.client.collectionWorklist({ date: TODAY, first: 200 });
    const expected = collectionWorklist.edges.map((e) => [e.node.customerCode, e.node.outstanding, e.node.overdueAmount]);
    expect(expected.length).toBeGreaterThan(0);
    const csv = parseCsv((await (await get(`/reports/worklist.csv?date=${TODAY}`, li.token)).text()).replace(/^\uFEFF/, ''));
    const [header, ...rows] = csv;
    expect(rows.map((r) => ['customerCode', 'outstanding', 'overdueAmount'].map((k) => r[header.indexOf(k)]))).toEqual(expected);
    const xlsx = await get(`/reports/worklist.xlsx?date=${TODAY}`, li.token);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(await xlsx.arrayBuffer()) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const names = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(sheet.getRow(2).getCell(names.indexOf('outstanding') + 1).value).toBe(Number(expected[0][1]));
    expect((await get(`/reports/worklist.csv?salespersonId=${wang.id}`, li.token)).status).toBe(403);
  });

  test('without a token every download is 401', async () => {
    for (const path of [
      `/customers/${customerId}/statement.csv`,
      '/reports/aging.csv',
      '/reports/aging.xlsx',
      '/reports/worklist.csv',
      '/reports/worklist.xlsx',
    ]) {
      expect((await get(path)).status).toBe(401);
    }
  });
});
