/**
 * Shared factories for the black-box tests: they build data through the API with the
 * SDK, as a client would, with defaults that keep a test to what it is about and
 * overrides for what it checks. Codes and references are unique within the test
 * database, so a search for one finds it alone. Also what every test file needs to
 * name dates and codes: "today" in the company time zone, unique codes.
 */
import { randomUUID } from 'node:crypto';
import { addDays, localDateAt, type LocalDate } from '../../server/core/local-date';
import type {
  Client,
  CreateCustomerInput,
  CreateReceivableInput,
  CustomerFieldsFragment,
  DayKind,
  PaymentFieldsFragment,
  ReceivableFieldsFragment,
  RecordPaymentInput,
  RunOverdueScanMutation,
  SetCalendarDayMutation,
} from '../../sdk/index.js';
import type { TestServer, TestUser } from './server';

/** The company time zone the test servers run in (TIME_ZONE's default). */
const COMPANY_TIME_ZONE = 'Asia/Shanghai';

/** Today's business date in the company time zone (what a server without CLOCK_DATE takes as today). */
export function companyToday(): LocalDate {
  return localDateAt(new Date(), COMPANY_TIME_ZONE);
}

/** A customer's code or a receivable's reference that no other in the database contains. */
export function uniqueCode(prefix: string): string {
  return `${prefix}-${randomUUID().replace(/-/g, '').slice(0, 8).toUpperCase()}`;
}

/** Eight letters from G to V: no hex digit, word or number a search could match by chance. */
export function uniqueLetters(): string {
  return uniqueCode('X')
    .slice(2)
    .replace(/[0-9A-F]/g, (c) => String.fromCharCode(71 + parseInt(c, 16)));
}

export type ReceivableOverrides = Partial<Omit<CreateReceivableInput, 'customerId'>>;
export type PaymentOverrides = Partial<Omit<RecordPaymentInput, 'customerId'>>;
export type OverdueScanResult = RunOverdueScanMutation['runOverdueScan'];

export interface FactoryOptions {
  /** Who makes the data; the server's first ADMIN unless given. */
  as?: Client;
  /** The server's business date, when it runs with CLOCK_DATE. */
  today?: LocalDate;
  /** The owner of new customers; a salesperson made on first use unless given. */
  ownerId?: string;
  /** File-wide defaults, under each call's own overrides. */
  defaults?: {
    customer?: Partial<CreateCustomerInput>;
    receivable?: ReceivableOverrides;
    payment?: PaymentOverrides;
  };
}

export interface Factories {
  /** The business date the factories take as today. */
  readonly today: LocalDate;
  /** The same factories (defaults, counters, owner) acting as another client. */
  as(client: Client): Factories;
  /** A SALES user, created by the admin and signed in. */
  salesperson(name?: string): Promise<TestUser>;
  /** A customer: a unique code, 30 credit term days, a credit limit of 100000.00. */
  customer(overrides?: Partial<CreateCustomerInput>): Promise<CustomerFieldsFragment>;
  /**
   * A receivable of 100.00 with a unique reference, issued 30 days before today; `dueOn`
   * is left to the server (issue date + credit term) unless given.
   */
  receivable(customerId: string, overrides?: ReceivableOverrides): Promise<ReceivableFieldsFragment>;
  /** A new customer with one receivable. */
  customerWithReceivable(
    receivable?: ReceivableOverrides,
    customer?: Partial<CreateCustomerInput>,
  ): Promise<{ customer: CustomerFieldsFragment; receivable: ReceivableFieldsFragment }>;
  /**
   * A payment of 100.00 by bank transfer that arrived today; with `allocations` it is
   * split as given, without them the server applies it oldest due first.
   */
  payment(customerId: string, overrides?: PaymentOverrides): Promise<PaymentFieldsFragment>;
  /** A HOLIDAY or WORKDAY (ADMIN). */
  calendarDay(date: LocalDate, kind: DayKind, name?: string): Promise<SetCalendarDayMutation['setCalendarDay']>;
  /**
   * Runs the overdue scan (as of `asOf`, default the server's today) and waits for it:
   * a scheduled scan holding the lock makes an on-demand one answer `ran: false`.
   */
  overdueScan(asOf?: LocalDate): Promise<OverdueScanResult>;
}

interface Shared {
  server: TestServer;
  today: LocalDate;
  defaults: NonNullable<FactoryOptions['defaults']>;
  ownerId?: string;
  owner?: Promise<TestUser>;
  references: number;
}

export function factories(server: TestServer, options: FactoryOptions = {}): Factories {
  const shared: Shared = {
    server,
    today: options.today ?? companyToday(),
    defaults: options.defaults ?? {},
    ownerId: options.ownerId,
    references: 0,
  };
  return actingAs(options.as ?? server.admin, shared);
}

function actingAs(client: Client, shared: Shared): Factories {
  const { server, today, defaults } = shared;
  const defaultOwnerId = async (): Promise<string> => {
    if (shared.ownerId) return shared.ownerId;
    shared.owner ??= make.salesperson('Factory Sales');
    return (await shared.owner).id;
  };

  const make: Factories = {
    today,
    as: (other) => actingAs(other, shared),
    salesperson: (name) => server.createUser('SALES', name),

    async customer(overrides = {}) {
      const input: CreateCustomerInput = {
        code: uniqueCode('C'),
        name: 'Customer Co',
        creditTermDays: 30,
        creditLimit: '100000.00',
        ...defaults.customer,
        ...overrides,
        ownerId: overrides.ownerId ?? defaults.customer?.ownerId ?? (await defaultOwnerId()),
      };
      return (await client.createCustomer({ input })).createCustomer;
    },

    async receivable(customerId, overrides = {}) {
      shared.references += 1;
      const input: CreateReceivableInput = {
        reference: `INV-${shared.references}`,
        amount: '100.00',
        issuedOn: addDays(today, -30),
        ...defaults.receivable,
        ...overrides,
        customerId,
      };
      return (await client.createReceivable({ input })).createReceivable;
    },

    async customerWithReceivable(receivable, customer) {
      const created = await make.customer(customer);
      return { customer: created, receivable: await make.receivable(created.id, receivable) };
    },

    async payment(customerId, overrides = {}) {
      const input: RecordPaymentInput = {
        amount: '100.00',
        receivedOn: today,
        method: 'BANK_TRANSFER',
        ...defaults.payment,
        ...overrides,
        customerId,
      };
      return (await client.recordPayment({ input })).recordPayment;
    },

    async calendarDay(date, kind, name) {
      return (await client.setCalendarDay({ date, kind, name })).setCalendarDay;
    },

    async overdueScan(asOf) {
      for (let attempt = 0; attempt < 5; attempt++) {
        const { runOverdueScan } = await client.runOverdueScan(asOf ? { asOf } : {});
        if (runOverdueScan.ran) return runOverdueScan;
      }
      throw new Error('the overdue scan did not run');
    },
  };
  return make;
}
