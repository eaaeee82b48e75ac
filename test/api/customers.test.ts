/**
 * Customers, black-box through the SDK: creation rules and validation, updates,
 * reassignment, SALES visibility, cursor pagination, filters and computed balances.
 */
import { randomUUID } from 'node:crypto';
import { addDays } from '../../server/core/local-date';
import { Client, CreateCustomerInput } from '../../sdk/index.js';
import { companyToday, factories, uniqueCode, uniqueLetters, type Factories } from '../helpers/factories';
import { expectApiError, startTestServer, TestServer, TestUser } from '../helpers/server';

let server: TestServer;
let salesA: TestUser;
let salesB: TestUser;
let salesC: TestUser;
let finance: TestUser;
let manager: TestUser;
let today: string;
let make: Factories;

beforeAll(async () => {
  server = await startTestServer();
  [salesA, salesB, salesC, finance, manager] = await Promise.all([
    server.createUser('SALES', 'Sales A'),
    server.createUser('SALES', 'Sales B'),
    server.createUser('SALES', 'Sales C'),
    server.createUser('FINANCE', 'Finance'),
    server.createUser('MANAGER', 'Manager'),
  ]);
  today = companyToday();
  make = factories(server, { as: finance.client, today, defaults: { customer: { creditLimit: '10000.00' } } });
});
afterAll(() => server.close());

async function customerCount(): Promise<number> {
  const [row] = await server.sql<{ n: string }>('select count(*)::text as n from customer');
  return Number(row.n);
}

async function customerRow(id: string) {
  const [row] = await server.sql<Record<string, unknown>>(
    'select code, name, owner_id, credit_term_days, credit_limit::text as credit_limit, updated_at from customer where id = $1',
    [id],
  );
  return row;
}

describe('createCustomer', () => {
  test('FINANCE creates a customer for a SALES owner; balances start at zero', async () => {
    const code = uniqueCode('FIN');
    const { createCustomer } = await finance.client.createCustomer({
      input: { code: `  ${code} `, name: '  Shanghai Trading Ltd ', ownerId: salesA.id, creditTermDays: 45, creditLimit: '5000' },
    });
    expect(createCustomer).toMatchObject({
      code,
      name: 'Shanghai Trading Ltd',
      creditTermDays: 45,
      creditLimit: '5000.00',
      outstanding: '0.00',
      overdueAmount: '0.00',
      creditBalance: '0.00',
      owner: { id: salesA.id, name: 'Sales A', email: salesA.email },
    });
    expect(new Date(createCustomer.createdAt).getTime()).toBeGreaterThan(Date.now() - 60_000);

    const row = await customerRow(createCustomer.id);
    expect(row).toMatchObject({ code, name: 'Shanghai Trading Ltd', owner_id: salesA.id, credit_term_days: 45, credit_limit: '5000.00' });

    const { customer } = await salesA.client.customer({ id: createCustomer.id });
    expect(customer).toMatchObject({ id: createCustomer.id, code, owner: { id: salesA.id } });
    expect(customer!.receivables).toEqual({ totalCount: 0, nodes: [] });
  });

  test('ADMIN creates a customer for any SALES owner', async () => {
    const customer = await make.as(server.admin).customer({ ownerId: salesB.id, creditTermDays: 0, creditLimit: '0.00' });
    expect(customer).toMatchObject({ owner: { id: salesB.id }, creditTermDays: 0, creditLimit: '0.00' });
  });

  test('SALES creates customers for themselves only; otherwise FORBIDDEN and nothing written', async () => {
    const own = await make.as(salesA.client).customer({ ownerId: salesA.id, creditTermDays: 3650 });
    expect(own).toMatchObject({ owner: { id: salesA.id }, creditTermDays: 3650 });

    const before = await customerCount();
    const code = uniqueCode('SNEAK');
    await expectApiError(
      salesA.client.createCustomer({ input: { code, name: 'For B', ownerId: salesB.id, creditTermDays: 30, creditLimit: '1.00' } }),
      'FORBIDDEN',
    );
    await expectApiError(
      manager.client.createCustomer({ input: { code, name: 'By manager', ownerId: salesB.id, creditTermDays: 30, creditLimit: '1.00' } }),
      'FORBIDDEN',
    );
    expect(await customerCount()).toBe(before);
    expect(await server.sql('select id from customer where code = $1', [code])).toEqual([]);
  });

  test('invalid input is BAD_USER_INPUT on the field and writes nothing', async () => {
    const before = await customerCount();
    const base: CreateCustomerInput = { code: uniqueCode('V'), name: 'Valid Name', ownerId: salesA.id, creditTermDays: 30, creditLimit: '100.00' };
    const cases: [Partial<CreateCustomerInput>, string][] = [
      [{ code: '' }, 'input.code'],
      [{ code: '   ' }, 'input.code'],
      [{ code: 'X'.repeat(41) }, 'input.code'],
      [{ name: '' }, 'input.name'],
      [{ name: '  ' }, 'input.name'],
      [{ creditTermDays: -1 }, 'input.creditTermDays'],
      [{ creditTermDays: 3651 }, 'input.creditTermDays'],
      [{ creditTermDays: 5000 }, 'input.creditTermDays'],
      [{ ownerId: finance.id }, 'input.ownerId'],
      [{ ownerId: manager.id }, 'input.ownerId'],
      [{ creditLimit: '-1.00' }, 'input.creditLimit'],
      [{ creditLimit: '1.234' }, 'input.creditLimit'],
      [{ creditLimit: '1e5' }, 'input.creditLimit'],
    ];
    for (const [override, field] of cases) {
      await expectApiError(finance.client.createCustomer({ input: { ...base, ...override } }), 'BAD_USER_INPUT', field);
    }
    // A JSON number is no Money.
    await expectApiError(finance.client.createCustomer({ input: { ...base, creditLimit: 100 as unknown as string } }), 'BAD_USER_INPUT', 'input.creditLimit');
    expect(await customerCount()).toBe(before);
  });

  test('an unknown owner is NOT_FOUND on input.ownerId; a duplicate code is CONFLICT on input.code', async () => {
    const before = await customerCount();
    await expectApiError(
      finance.client.createCustomer({ input: { code: uniqueCode('U'), name: 'X', ownerId: randomUUID(), creditTermDays: 30, creditLimit: '1.00' } }),
      'NOT_FOUND',
      'input.ownerId',
    );
    expect(await customerCount()).toBe(before);

    const existing = await make.customer({ ownerId: salesA.id, name: 'Original' });
    const afterFirst = await customerCount();
    await expectApiError(
      finance.client.createCustomer({ input: { code: existing.code, name: 'Copy', ownerId: salesB.id, creditTermDays: 30, creditLimit: '1.00' } }),
      'CONFLICT',
      'input.code',
    );
    await expectApiError(
      finance.client.createCustomer({ input: { code: ` ${existing.code} `, name: 'Copy', ownerId: salesB.id, creditTermDays: 30, creditLimit: '1.00' } }),
      'CONFLICT',
      'input.code',
    );
    expect(await customerCount()).toBe(afterFirst);
    expect(await server.sql('select name from customer where code = $1', [existing.code])).toEqual([{ name: 'Original' }]);
  });

  test('a malformed owner id is not an internal error', async () => {
    const before = await customerCount();
    const error = await finance.client
      .createCustomer({ input: { code: uniqueCode('M'), name: 'X', ownerId: 'not-a-uuid', creditTermDays: 30, creditLimit: '1.00' } })
      .then(
        () => undefined,
        (e) => e,
      );
    expect(error).toBeDefined();
    // An id that is no UUID names no user, exactly like an unknown one.
    expect(error.code).toBe('NOT_FOUND');
    expect(error.reason).toBe('NOT_FOUND');
    expect(error.field).toBe('input.ownerId');
    expect(await customerCount()).toBe(before);
  });
});

describe('updateCustomer', () => {
  test('FINANCE changes fields; omitted fields stay', async () => {
    const customer = await make.customer({ ownerId: salesA.id, name: 'Before', creditTermDays: 30, creditLimit: '100.00' });
    const newCode = uniqueCode('UPD');
    const { updateCustomer } = await finance.client.updateCustomer({
      id: customer.id,
      input: { code: newCode, name: ' After ', creditTermDays: 60 },
    });
    expect(updateCustomer).toMatchObject({
      id: customer.id,
      code: newCode,
      name: 'After',
      creditTermDays: 60,
      creditLimit: '100.00',
      owner: { id: salesA.id },
    });
    expect(new Date(updateCustomer.updatedAt).getTime()).toBeGreaterThanOrEqual(new Date(customer.updatedAt).getTime());

    const { updateCustomer: again } = await finance.client.updateCustomer({ id: customer.id, input: { creditLimit: '250.50' } });
    expect(again).toMatchObject({ code: newCode, name: 'After', creditTermDays: 60, creditLimit: '250.50' });
    expect(await customerRow(customer.id)).toMatchObject({ code: newCode, name: 'After', credit_term_days: 60, credit_limit: '250.50' });

    // The new credit term applies to receivables issued afterwards.
    const receivable = await make.receivable(customer.id, { reference: 'INV-TERM', amount: '10.00', issuedOn: '2027-03-01' });
    expect(receivable.dueOn).toBe('2027-04-30');
  });

  test('SALES updates their own customer; validation and code conflicts change nothing', async () => {
    const customer = await make.as(salesA.client).customer({ ownerId: salesA.id, name: 'Mine' });
    const other = await make.customer({ ownerId: salesB.id });
    const { updateCustomer } = await salesA.client.updateCustomer({ id: customer.id, input: { name: 'Still mine' } });
    expect(updateCustomer.name).toBe('Still mine');

    const before = await customerRow(customer.id);
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { code: other.code, name: 'Renamed' } }), 'CONFLICT', 'input.code');
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { creditTermDays: 5000 } }), 'BAD_USER_INPUT', 'input.creditTermDays');
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { creditTermDays: -1 } }), 'BAD_USER_INPUT', 'input.creditTermDays');
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { name: ' ' } }), 'BAD_USER_INPUT', 'input.name');
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { code: '' } }), 'BAD_USER_INPUT', 'input.code');
    expect(await customerRow(customer.id)).toEqual(before);

    // Keeping its own code is no conflict.
    const { updateCustomer: same } = await salesA.client.updateCustomer({ id: customer.id, input: { code: customer.code } });
    expect(same.code).toBe(customer.code);

    await expectApiError(finance.client.updateCustomer({ id: randomUUID(), input: { name: 'Ghost' } }), 'NOT_FOUND');
    await expectApiError(manager.client.updateCustomer({ id: customer.id, input: { name: 'Manager' } }), 'FORBIDDEN');
  });
});

describe('reassignCustomer', () => {
  test('receivables keep their salesperson, new ones get the new owner, the old owner loses sight', async () => {
    const customer = await make.as(salesA.client).customer({ ownerId: salesA.id, name: 'Moving Co' });
    const old = await make.as(salesA.client).receivable(customer.id, { reference: 'INV-OLD', amount: '100.00', issuedOn: '2027-02-01' });
    expect(old.salesperson.id).toBe(salesA.id);

    const { reassignCustomer } = await finance.client.reassignCustomer({ id: customer.id, ownerId: salesC.id });
    expect(reassignCustomer).toMatchObject({ id: customer.id, owner: { id: salesC.id, name: 'Sales C' } });

    const fresh = await make.receivable(customer.id, { reference: 'INV-NEW', amount: '200.00', issuedOn: '2027-02-02' });
    expect(fresh.salesperson).toEqual({ id: salesC.id, name: 'Sales C' });

    const { receivables } = await finance.client.receivables({ first: 10, filter: { customerId: customer.id } });
    const byRef = Object.fromEntries(receivables.edges.map((e) => [e.node.reference, e.node.salesperson.id]));
    expect(byRef).toEqual({ 'INV-OLD': salesA.id, 'INV-NEW': salesC.id });
    const { receivables: ofA } = await finance.client.receivables({ first: 10, filter: { customerId: customer.id, salespersonId: salesA.id } });
    expect(ofA.edges.map((e) => e.node.reference)).toEqual(['INV-OLD']);

    // The old owner no longer sees the customer.
    expect((await salesA.client.customer({ id: customer.id })).customer).toBeNull();
    const listA = await salesA.client.customers({ first: 200, filter: { search: customer.code } });
    expect(listA.customers.totalCount).toBe(0);
    await expectApiError(salesA.client.updateCustomer({ id: customer.id, input: { name: 'Took it back' } }), 'NOT_FOUND');
    await expectApiError(
      salesA.client.createReceivable({ input: { customerId: customer.id, reference: 'INV-A-LATE', amount: '1.00', issuedOn: '2027-02-03' } }),
      'NOT_FOUND',
      'input.customerId',
    );

    // The new owner sees it with both receivables.
    const { customer: seenByC } = await salesC.client.customer({ id: customer.id });
    expect(seenByC).toMatchObject({ owner: { id: salesC.id }, outstanding: '300.00' });
    expect(seenByC!.receivables.nodes.map((r) => r.reference)).toEqual(['INV-OLD', 'INV-NEW']);
    expect(await server.sql('select count(*)::int as n from receivable where customer_id = $1', [customer.id])).toEqual([{ n: 2 }]);
  });

  test('MANAGER and ADMIN may reassign; SALES may not; the new owner must be an existing SALES user', async () => {
    const customer = await make.customer({ ownerId: salesA.id });
    const { reassignCustomer: byManager } = await manager.client.reassignCustomer({ id: customer.id, ownerId: salesB.id });
    expect(byManager.owner.id).toBe(salesB.id);
    const { reassignCustomer: byAdmin } = await server.admin.reassignCustomer({ id: customer.id, ownerId: salesA.id });
    expect(byAdmin.owner.id).toBe(salesA.id);

    await expectApiError(salesA.client.reassignCustomer({ id: customer.id, ownerId: salesB.id }), 'FORBIDDEN');
    await expectApiError(finance.client.reassignCustomer({ id: customer.id, ownerId: manager.id }), 'BAD_USER_INPUT', 'ownerId');
    await expectApiError(finance.client.reassignCustomer({ id: customer.id, ownerId: randomUUID() }), 'NOT_FOUND', 'ownerId');
    await expectApiError(finance.client.reassignCustomer({ id: randomUUID(), ownerId: salesB.id }), 'NOT_FOUND');
    expect((await customerRow(customer.id)).owner_id).toBe(salesA.id);
  });
});

describe('visibility between salespeople', () => {
  test("SALES A never sees or changes B's customers, receivables and payments", async () => {
    const ofA = await make.as(salesA.client).customer({ ownerId: salesA.id, name: 'A Visible' });
    const ofB = await make.as(salesB.client).customer({ ownerId: salesB.id, name: 'B Hidden' });
    const recA = await make.as(salesA.client).receivable(ofA.id, { reference: 'INV-VIS-A', amount: '100.00', issuedOn: addDays(today, -5) });
    const recB = await make.as(salesB.client).receivable(ofB.id, { reference: 'INV-VIS-B', amount: '300.00', issuedOn: addDays(today, -5) });
    const { recordPayment: payB } = await finance.client.recordPayment({
      input: { customerId: ofB.id, amount: '50.00', receivedOn: today, method: 'BANK_TRANSFER', reference: 'VIS-PAY-B' },
    });
    const { recordPayment: payA } = await finance.client.recordPayment({
      input: { customerId: ofA.id, amount: '10.00', receivedOn: today, method: 'CASH' },
    });

    // Lists: only own customers.
    const { customers } = await salesA.client.customers({ first: 200 });
    expect(customers.totalCount).toBe(customers.edges.length);
    expect(customers.edges.length).toBeGreaterThan(0);
    expect(customers.edges.every((e) => e.node.owner.id === salesA.id)).toBe(true);
    expect(customers.edges.map((e) => e.node.id)).toContain(ofA.id);
    expect(customers.edges.map((e) => e.node.id)).not.toContain(ofB.id);
    expect((await salesA.client.customers({ first: 10, filter: { ownerId: salesB.id } })).customers.totalCount).toBe(0);
    expect((await salesA.client.customers({ first: 10, filter: { search: ofB.code } })).customers.totalCount).toBe(0);
    const [{ n: ownCount }] = await server.sql<{ n: number }>('select count(*)::int as n from customer where owner_id = $1', [salesA.id]);
    expect(customers.totalCount).toBe(ownCount);

    // Single reads: null.
    expect((await salesA.client.customer({ id: ofB.id })).customer).toBeNull();
    expect((await salesA.client.receivable({ id: recB.id })).receivable).toBeNull();
    expect((await salesA.client.payment({ id: payB.id })).payment).toBeNull();
    expect((await salesA.client.customer({ id: ofA.id })).customer?.id).toBe(ofA.id);
    expect((await salesA.client.receivable({ id: recA.id })).receivable?.id).toBe(recA.id);
    expect((await salesA.client.payment({ id: payA.id })).payment?.id).toBe(payA.id);

    // Receivables and payments lists.
    const { receivables } = await salesA.client.receivables({ first: 200 });
    expect(receivables.edges.map((e) => e.node.id)).toContain(recA.id);
    expect(receivables.edges.map((e) => e.node.id)).not.toContain(recB.id);
    expect((await salesA.client.receivables({ first: 10, filter: { customerId: ofB.id } })).receivables.totalCount).toBe(0);
    expect((await salesA.client.receivables({ first: 10, filter: { salespersonId: salesB.id } })).receivables.totalCount).toBe(0);
    const { payments } = await salesA.client.payments({ first: 200 });
    expect(payments.edges.map((e) => e.node.id)).toContain(payA.id);
    expect(payments.edges.map((e) => e.node.id)).not.toContain(payB.id);
    expect(payments.edges.every((e) => e.node.customer.id !== ofB.id)).toBe(true);
    expect((await salesA.client.payments({ first: 10, filter: { customerId: ofB.id } })).payments.totalCount).toBe(0);

    // Mutations on B's objects fail and change nothing.
    await expectApiError(salesA.client.updateCustomer({ id: ofB.id, input: { name: 'Hijacked' } }), 'NOT_FOUND');
    await expectApiError(
      salesA.client.createReceivable({ input: { customerId: ofB.id, reference: 'INV-HIJACK', amount: '1.00', issuedOn: today } }),
      'NOT_FOUND',
      'input.customerId',
    );
    await expectApiError(
      salesA.client.reportPaymentNotice({ input: { receivableId: recB.id, claimedPaidOn: today, note: 'paid' } }),
      'NOT_FOUND',
      'input.receivableId',
    );
    await expectApiError(salesA.client.reassignCustomer({ id: ofB.id, ownerId: salesA.id }), 'FORBIDDEN');
    await expectApiError(salesA.client.writeOffReceivable({ id: recB.id, reason: 'gone' }), 'FORBIDDEN');
    await expectApiError(salesA.client.voidPayment({ id: payB.id, reason: 'mistake' }), 'FORBIDDEN');

    const { customer: bAfter } = await finance.client.customer({ id: ofB.id });
    expect(bAfter).toMatchObject({ name: 'B Hidden', owner: { id: salesB.id }, outstanding: '250.00' });
    expect(bAfter!.receivables.nodes.map((r) => r.reference)).toEqual(['INV-VIS-B']);
    const { receivable: recBAfter } = await finance.client.receivable({ id: recB.id });
    expect(recBAfter).toMatchObject({ status: 'PARTIALLY_PAID', outstanding: '250.00', writtenOffAmount: '0.00', paymentNotices: [] });
    const { payment: payBAfter } = await finance.client.payment({ id: payB.id });
    expect(payBAfter?.voided).toBe(false);

    // B, of course, sees their own.
    expect((await salesB.client.customer({ id: ofB.id })).customer?.id).toBe(ofB.id);
    expect((await salesB.client.customer({ id: ofA.id })).customer).toBeNull();
  });
});

describe('pagination of customers', () => {
  let owner: TestUser;
  let codes: string[];

  beforeAll(async () => {
    owner = await server.createUser('SALES', 'Pager');
    const prefix = uniqueCode('PG');
    codes = [1, 2, 3, 4, 5].map((i) => `${prefix}-${i}`);
    // Created out of order: the list is ordered by code, not by creation.
    for (const i of [3, 0, 4, 1, 2]) await make.customer({ ownerId: owner.id, code: codes[i], name: `Pager ${i}` });
  });

  test('pages of 2 over 5 customers, ordered by code, without gaps or duplicates', async () => {
    const seen: string[] = [];
    const pages: { codes: string[]; hasNextPage: boolean; totalCount: number }[] = [];
    let after: string | null | undefined = undefined;
    for (let guard = 0; guard < 10; guard++) {
      const { customers }: Awaited<ReturnType<Client['customers']>> = await finance.client.customers({ first: 2, after, filter: { ownerId: owner.id } });
      const pageCodes = customers.edges.map((e) => e.node.code);
      pages.push({ codes: pageCodes, hasNextPage: customers.pageInfo.hasNextPage, totalCount: customers.totalCount });
      seen.push(...pageCodes);
      expect(customers.pageInfo.endCursor).toBe(customers.edges[customers.edges.length - 1]?.cursor ?? null);
      if (!customers.pageInfo.hasNextPage) break;
      after = customers.pageInfo.endCursor;
    }
    expect(pages).toEqual([
      { codes: [codes[0], codes[1]], hasNextPage: true, totalCount: 5 },
      { codes: [codes[2], codes[3]], hasNextPage: true, totalCount: 5 },
      { codes: [codes[4]], hasNextPage: false, totalCount: 5 },
    ]);
    expect(seen).toEqual(codes);

    // The owner sees the same pages.
    const first = await owner.client.customers({ first: 2 });
    expect(first.customers.edges.map((e) => e.node.code)).toEqual([codes[0], codes[1]]);
    expect(first.customers.totalCount).toBe(5);
    const rest = await owner.client.customers({ first: 10, after: first.customers.pageInfo.endCursor });
    expect(rest.customers.edges.map((e) => e.node.code)).toEqual(codes.slice(2));
    expect(rest.customers.pageInfo).toEqual({ hasNextPage: false, endCursor: rest.customers.edges[2].cursor });
  });

  test('an exact last page has no next page; the default page size covers all 5', async () => {
    const page = await finance.client.customers({ first: 5, filter: { ownerId: owner.id } });
    expect(page.customers.edges.map((e) => e.node.code)).toEqual(codes);
    expect(page.customers.pageInfo.hasNextPage).toBe(false);
    const all = await finance.client.customers({ filter: { ownerId: owner.id } });
    expect(all.customers.edges.map((e) => e.node.code)).toEqual(codes);
    const afterLast = await finance.client.customers({ first: 2, after: page.customers.pageInfo.endCursor, filter: { ownerId: owner.id } });
    expect(afterLast.customers).toMatchObject({ edges: [], totalCount: 5, pageInfo: { hasNextPage: false, endCursor: null } });
  });

  test('first: 0 returns no edges but the count, and says more exist', async () => {
    const { customers } = await finance.client.customers({ first: 0, filter: { ownerId: owner.id } });
    expect(customers.edges).toEqual([]);
    expect(customers.totalCount).toBe(5);
    expect(customers.pageInfo.hasNextPage).toBe(true);
  });

  test('a malformed after, or a page size out of range, is BAD_USER_INPUT', async () => {
    await expectApiError(finance.client.customers({ first: 2, after: 'garbage' }), 'BAD_USER_INPUT', 'after');
    await expectApiError(finance.client.customers({ first: 2, after: Buffer.from('[1,2,3]').toString('base64url') }), 'BAD_USER_INPUT', 'after');
    await expectApiError(finance.client.customers({ first: 2, after: Buffer.from('{"a":1}').toString('base64url') }), 'BAD_USER_INPUT', 'after');
    await expectApiError(finance.client.customers({ first: 500 }), 'BAD_USER_INPUT', 'first');
    await expectApiError(finance.client.customers({ first: 201 }), 'BAD_USER_INPUT', 'first');
    await expectApiError(finance.client.customers({ first: -1 }), 'BAD_USER_INPUT', 'first');
    const max = await finance.client.customers({ first: 200, filter: { ownerId: owner.id } });
    expect(max.customers.totalCount).toBe(5);
  });
});

describe('filters', () => {
  test('ownerId', async () => {
    const owner = await server.createUser('SALES', 'Filter Owner');
    const a = await make.customer({ ownerId: owner.id, code: `${uniqueCode('OWN')}-A` });
    const b = await make.customer({ ownerId: owner.id, code: `${uniqueCode('OWN')}-B` });
    await make.customer({ ownerId: salesB.id });
    const { customers } = await finance.client.customers({ first: 50, filter: { ownerId: owner.id } });
    expect(customers.totalCount).toBe(2);
    expect(customers.edges.map((e) => e.node.id).sort()).toEqual([a.id, b.id].sort());
    expect(customers.edges.every((e) => e.node.owner.id === owner.id)).toBe(true);
  });

  test('search: case-insensitive on code and name, LIKE wildcards taken literally', async () => {
    const owner = await server.createUser('SALES', 'Search Owner');
    const u = uniqueLetters();
    const alpha = await make.customer({ ownerId: owner.id, code: `S${u}-ALPHA`, name: 'Alpha Trading' });
    const beta = await make.customer({ ownerId: owner.id, code: `S${u}-BETA`, name: '100% Beta Goods' });
    const gamma = await make.customer({ ownerId: owner.id, code: `S${u}-GAMMA`, name: '100 Gamma Supplies' });
    const under = await make.customer({ ownerId: owner.id, code: `T${u}_X`, name: 'Underscore Holdings' });

    const search = async (text: string) => {
      const { customers } = await finance.client.customers({ first: 50, filter: { ownerId: owner.id, search: text } });
      expect(customers.totalCount).toBe(customers.edges.length);
      return customers.edges.map((e) => e.node.id);
    };
    expect(await search(`s${u.toLowerCase()}-alpha`)).toEqual([alpha.id]);
    expect(await search('ALPHA trading')).toEqual([alpha.id]);
    expect(await search('  alpha  ')).toEqual([alpha.id]);
    expect(await search('gamma')).toEqual([gamma.id]);
    expect(await search(`S${u}`)).toEqual([alpha.id, beta.id, gamma.id]);
    expect(await search('100')).toEqual([beta.id, gamma.id]);
    expect(await search('100%')).toEqual([beta.id]);
    expect(await search('%')).toEqual([beta.id]);
    expect(await search('0% b')).toEqual([beta.id]);
    expect(await search(`${u}_`)).toEqual([under.id]);
    expect(await search(`${u}-_`)).toEqual([]);
    expect(await search('_')).toEqual([under.id]);
    expect(await search('nothing like this')).toEqual([]);
    // SALES search stays within their own customers.
    const { customers } = await owner.client.customers({ first: 50, filter: { search: '100' } });
    expect(customers.edges.map((e) => e.node.id)).toEqual([beta.id, gamma.id]);
  });

  test('hasOverdue', async () => {
    const owner = await server.createUser('SALES', 'Overdue Owner');
    const prefix = uniqueCode('OD');
    const late = await make.customer({ ownerId: owner.id, code: `${prefix}-1` });
    const onTime = await make.customer({ ownerId: owner.id, code: `${prefix}-2` });
    const paidUp = await make.customer({ ownerId: owner.id, code: `${prefix}-3` });
    const empty = await make.customer({ ownerId: owner.id, code: `${prefix}-4` });
    await make.receivable(late.id, { reference: 'LATE-1', amount: '100.00', issuedOn: addDays(today, -60), dueOn: addDays(today, -30) });
    await make.receivable(late.id, { reference: 'LATE-2', amount: '50.00', issuedOn: today });
    await make.receivable(onTime.id, { reference: 'SOON-1', amount: '100.00', issuedOn: today, dueOn: addDays(today, 10) });
    await make.receivable(paidUp.id, { reference: 'PAIDUP-1', amount: '70.00', issuedOn: addDays(today, -60), dueOn: addDays(today, -30) });
    await finance.client.recordPayment({ input: { customerId: paidUp.id, amount: '70.00', receivedOn: today, method: 'CASH' } });
    await make.overdueScan();

    const list = async (hasOverdue: boolean) => {
      const { customers } = await finance.client.customers({ first: 50, filter: { ownerId: owner.id, hasOverdue } });
      return customers.edges.map((e) => e.node.id);
    };
    expect(await list(true)).toEqual([late.id]);
    expect(await list(false)).toEqual([onTime.id, paidUp.id, empty.id]);
    const { customers } = await owner.client.customers({ first: 50, filter: { hasOverdue: true } });
    expect(customers.edges.map((e) => e.node.overdueAmount)).toEqual(['100.00']);
  });
});

describe('computed balances', () => {
  test('outstanding, overdueAmount and creditBalance follow receivables, payments and voids', async () => {
    const customer = await make.customer({ ownerId: salesA.id, creditTermDays: 30 });
    const overdue = await make.receivable(customer.id, { reference: 'BAL-1', amount: '1000.00', issuedOn: addDays(today, -60) });
    expect(overdue.dueOn).toBe(addDays(today, -30));
    const current = await make.receivable(customer.id, { reference: 'BAL-2', amount: '500.00', issuedOn: today });
    expect(current.dueOn).toBe(addDays(today, 30));

    const balances = async () => {
      await make.overdueScan();
      const { customer: c } = await finance.client.customer({ id: customer.id });
      return { outstanding: c!.outstanding, overdueAmount: c!.overdueAmount, creditBalance: c!.creditBalance };
    };
    expect(await balances()).toEqual({ outstanding: '1500.00', overdueAmount: '1000.00', creditBalance: '0.00' });

    // Oldest due first: 1000.00 to BAL-1, 200.00 to BAL-2.
    const { recordPayment: first } = await finance.client.recordPayment({
      input: { customerId: customer.id, amount: '1200.00', receivedOn: today, method: 'BANK_TRANSFER' },
    });
    expect(first.unallocated).toBe('0.00');
    expect(await balances()).toEqual({ outstanding: '300.00', overdueAmount: '0.00', creditBalance: '0.00' });

    // Explicit allocation of part of a payment: the rest is customer credit.
    const { recordPayment: second } = await finance.client.recordPayment({
      input: { customerId: customer.id, amount: '400.00', receivedOn: today, method: 'CASH', allocations: [{ receivableId: current.id, amount: '100.00' }] },
    });
    expect(second.unallocated).toBe('300.00');
    expect(await balances()).toEqual({ outstanding: '200.00', overdueAmount: '0.00', creditBalance: '300.00' });

    // Voiding the first payment makes what it paid outstanding again.
    await finance.client.voidPayment({ id: first.id, reason: 'bounced' });
    expect(await balances()).toEqual({ outstanding: '1400.00', overdueAmount: '1000.00', creditBalance: '300.00' });

    // The same numbers appear in the list, for the owner too.
    await make.overdueScan();
    const { customers } = await salesA.client.customers({ first: 5, filter: { search: customer.code } });
    expect(customers.edges).toHaveLength(1);
    expect(customers.edges[0].node).toMatchObject({ outstanding: '1400.00', overdueAmount: '1000.00', creditBalance: '300.00' });
    expect(customers.edges[0].node.receivables.nodes.map((r) => [r.reference, r.outstanding, r.status])).toEqual([
      ['BAL-1', '1000.00', 'OPEN'],
      ['BAL-2', '400.00', 'PARTIALLY_PAID'],
    ]);
    expect(customers.edges[0].node.receivables.totalCount).toBe(2);
  });
});
