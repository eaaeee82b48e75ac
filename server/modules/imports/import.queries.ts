/**
 * The imports area's SQL. Rows of a batch travel as parallel arrays and are read and
 * written with one statement per step (`unnest`), never one statement per row: a batch of
 * 1,000 rows costs a handful of statements.
 */
import { type Cents } from '../../core/money';
import { type LocalDate } from '../../core/local-date';
import { defineQuery, defineStatement, type SqlRow } from '../../db/sql';
import { type BankMatch, type ImportKind, type ImportMode } from './import.types';

// ── Lookups ─────────────────────────────────────────────────────────────────────

export interface CustomerRef {
  id: string;
  code: string;
  ownerId: string;
  creditTermDays: number;
}

const customerRef = (row: SqlRow): CustomerRef => ({
  id: row.text('id'),
  code: row.text('code'),
  ownerId: row.text('owner_id'),
  creditTermDays: row.int('credit_term_days'),
});

export const CUSTOMERS_BY_CODE = defineQuery<{ codes: string[] }, CustomerRef>({
  text: 'select id, code, owner_id, credit_term_days from customer where code = any(cast(:codes as text[]))',
  decode: customerRef,
});

export const CUSTOMERS_BY_ID = defineQuery<{ ids: string[] }, CustomerRef>({
  text: 'select id, code, owner_id, credit_term_days from customer where id = any(cast(:ids as uuid[]))',
  decode: customerRef,
});

export interface UserRef {
  id: string;
  email: string;
  role: string;
  active: boolean;
}

export const USERS_BY_EMAIL = defineQuery<{ emails: string[] }, UserRef>({
  text: 'select id, lower(email) as email, role, active from app_user where lower(email) = any(cast(:emails as text[]))',
  decode: (row) => ({ id: row.text('id'), email: row.text('email'), role: row.text('role'), active: row.bool('active') }),
});

export interface KeyRow {
  externalId: string;
  targetId: string;
}

export const KEYS_BY_EXTERNAL_ID = defineQuery<{ kind: string; source: string; externalIds: string[] }, KeyRow>({
  text: `select external_id, target_id from import_key
          where kind = :kind and source = :source and external_id = any(cast(:externalIds as text[]))`,
  decode: (row) => ({ externalId: row.text('external_id'), targetId: row.text('target_id') }),
});

export const KEYS_BY_TARGET = defineQuery<{ kind: string; source: string; targetIds: string[] }, KeyRow>({
  text: `select external_id, target_id from import_key
          where kind = :kind and source = :source and target_id = any(cast(:targetIds as uuid[]))`,
  decode: (row) => ({ externalId: row.text('external_id'), targetId: row.text('target_id') }),
});

export const INSERT_KEYS = defineStatement<{ kind: string; source: string; externalIds: string[]; targetIds: string[] }>({
  text: `insert into import_key (kind, source, external_id, target_id)
         select :kind, :source, t.external_id, t.target_id
           from unnest(cast(:externalIds as text[]), cast(:targetIds as uuid[])) as t(external_id, target_id)`,
});

// ── Customers ───────────────────────────────────────────────────────────────────

export interface CustomerState {
  id: string;
  code: string;
  name: string;
  ownerId: string;
  creditTermDays: number;
  creditLimit: Cents;
  payerAccounts: string[];
}

const CUSTOMER_STATE_COLUMNS = `c.id, c.code, c.name, c.owner_id, c.credit_term_days, c.credit_limit,
  array(select a.account from customer_payer_account a where a.customer_id = c.id order by a.account) as payer_accounts`;

const customerState = (row: SqlRow): CustomerState => ({
  id: row.text('id'),
  code: row.text('code'),
  name: row.text('name'),
  ownerId: row.text('owner_id'),
  creditTermDays: row.int('credit_term_days'),
  creditLimit: row.cents('credit_limit'),
  payerAccounts: row.raw.payer_accounts as string[],
});

/** Customers by id or by code, locked for the batch's transaction. */
export const CUSTOMER_STATES = defineQuery<{ ids: string[]; codes: string[] }, CustomerState>({
  text: `select ${CUSTOMER_STATE_COLUMNS} from customer c
          where c.id = any(cast(:ids as uuid[])) or c.code = any(cast(:codes as text[]))
          order by c.id for update of c`,
  decode: customerState,
});

export const PAYER_ACCOUNTS = defineQuery<{ accounts: string[] }, { account: string; customerId: string }>({
  text: 'select account, customer_id from customer_payer_account where account = any(cast(:accounts as text[]))',
  decode: (row) => ({ account: row.text('account'), customerId: row.text('customer_id') }),
});

/** A batch of customers' columns, one array per column, in the same order. */
interface CustomerColumns {
  ids: string[];
  codes: string[];
  names: string[];
  ownerIds: string[];
  terms: number[];
  limits: string[];
}

export const INSERT_CUSTOMERS = defineStatement<CustomerColumns>({
  text: `insert into customer (id, code, name, owner_id, credit_term_days, credit_limit)
         select * from unnest(cast(:ids as uuid[]), cast(:codes as text[]), cast(:names as text[]), cast(:ownerIds as uuid[]),
                              cast(:terms as integer[]), cast(:limits as numeric[]))`,
});

export const UPDATE_CUSTOMERS = defineStatement<CustomerColumns>({
  text: `update customer c
            set code = t.code, name = t.name, owner_id = t.owner_id, credit_term_days = t.term, credit_limit = t.credit_limit, updated_at = now()
           from unnest(cast(:ids as uuid[]), cast(:codes as text[]), cast(:names as text[]), cast(:ownerIds as uuid[]),
                       cast(:terms as integer[]), cast(:limits as numeric[])) as t(id, code, name, owner_id, term, credit_limit)
          where c.id = t.id`,
});

export const INSERT_PAYER_ACCOUNTS = defineStatement<{ accounts: string[]; customerIds: string[] }>({
  text: `insert into customer_payer_account (account, customer_id)
         select * from unnest(cast(:accounts as text[]), cast(:customerIds as uuid[]))
         on conflict (account) do nothing`,
});

// ── Receivables ─────────────────────────────────────────────────────────────────

export interface ReceivableState {
  id: string;
  customerId: string;
  salespersonId: string;
  reference: string;
  amount: Cents;
  issuedOn: LocalDate;
  dueOn: LocalDate;
  outstanding: Cents;
  /** Money touched it: paid (also by a payment voided since), credited or written off. */
  touched: boolean;
}

const RECEIVABLE_STATE_COLUMNS = `r.id, r.customer_id, r.salesperson_id, r.reference, r.amount, r.issued_on, r.due_on, r.outstanding,
  (r.outstanding <> r.amount or r.written_off_amount > 0 or r.credited_amount > 0
   or exists (select 1 from payment_allocation a where a.receivable_id = r.id)) as touched`;

const receivableState = (row: SqlRow): ReceivableState => ({
  id: row.text('id'),
  customerId: row.text('customer_id'),
  salespersonId: row.text('salesperson_id'),
  reference: row.text('reference'),
  amount: row.cents('amount'),
  issuedOn: row.date('issued_on'),
  dueOn: row.date('due_on'),
  outstanding: row.cents('outstanding'),
  touched: row.bool('touched'),
});

/**
 * Receivables by id, or by (customer, reference) pairs, read without a lock: a file sent
 * again reads and writes nothing else. Those a batch changes are locked and read again
 * (LOCK_RECEIVABLE_STATES). Both lookups go through a unique index (an OR of the two would
 * read the whole table).
 */
export const RECEIVABLE_STATES = defineQuery<{ ids: string[]; customerIds: string[]; references: string[] }, ReceivableState>({
  text: `select ${RECEIVABLE_STATE_COLUMNS} from receivable r
          where r.id in (select unnest(cast(:ids as uuid[]))
                         union
                         select p.id from unnest(cast(:customerIds as uuid[]), cast(:references as text[])) as t(customer_id, reference)
                           join receivable p on p.customer_id = t.customer_id and p.reference = t.reference)`,
  decode: receivableState,
});

export const LOCK_RECEIVABLE_STATES = defineQuery<{ ids: string[] }, ReceivableState>({
  text: `select ${RECEIVABLE_STATE_COLUMNS} from receivable r where r.id = any(cast(:ids as uuid[])) order by r.id for update of r`,
  decode: receivableState,
});

export const INSERT_RECEIVABLES = defineStatement<{
  ids: string[];
  customerIds: string[];
  references: string[];
  amounts: string[];
  issued: string[];
  due: string[];
  effective: string[];
}>({
  text: `insert into receivable (id, customer_id, salesperson_id, reference, amount, issued_on, due_on, effective_due_on, outstanding)
         select t.id, t.customer_id, c.owner_id, t.reference, t.amount, t.issued_on, t.due_on, t.effective_due_on, t.amount
           from unnest(cast(:ids as uuid[]), cast(:customerIds as uuid[]), cast(:references as text[]), cast(:amounts as numeric[]),
                       cast(:issued as date[]), cast(:due as date[]), cast(:effective as date[]))
                as t(id, customer_id, reference, amount, issued_on, due_on, effective_due_on)
           join customer c on c.id = t.customer_id`,
});

/** Every column given (unchanged ones with their current value); `outstanding` follows a changed amount of an untouched receivable. */
export const UPDATE_RECEIVABLES = defineStatement<{
  ids: string[];
  customerIds: string[];
  salespersonIds: string[];
  references: string[];
  amounts: string[];
  outstandings: string[];
  issued: string[];
  due: string[];
  effective: string[];
}>({
  text: `update receivable r
            set customer_id = t.customer_id, salesperson_id = t.salesperson_id, reference = t.reference, amount = t.amount,
                outstanding = t.outstanding, issued_on = t.issued_on, due_on = t.due_on, effective_due_on = t.effective_due_on
           from unnest(cast(:ids as uuid[]), cast(:customerIds as uuid[]), cast(:salespersonIds as uuid[]), cast(:references as text[]),
                       cast(:amounts as numeric[]), cast(:outstandings as numeric[]), cast(:issued as date[]), cast(:due as date[]),
                       cast(:effective as date[]))
                as t(id, customer_id, salesperson_id, reference, amount, outstanding, issued_on, due_on, effective_due_on)
          where r.id = t.id`,
});

// ── Bank lines and payments ─────────────────────────────────────────────────────

export interface BankLineRow {
  id: string;
  source: string;
  externalId: string;
  valueDate: LocalDate;
  amount: Cents;
  payerName: string | null;
  payerAccount: string | null;
  reference: string | null;
  paymentId: string | null;
  matchedBy: BankMatch | null;
  importedAt: Date;
  appliedAt: Date | null;
}

export const BANK_LINE_COLUMNS = `l.id, l.source, l.external_id, l.value_date, l.amount, l.payer_name, l.payer_account, l.reference,
  l.payment_id, l.matched_by, l.imported_at, l.applied_at`;

export const bankLineRow = (row: SqlRow): BankLineRow => ({
  id: row.text('id'),
  source: row.text('source'),
  externalId: row.text('external_id'),
  valueDate: row.date('value_date'),
  amount: row.cents('amount'),
  payerName: row.textOrNull('payer_name'),
  payerAccount: row.textOrNull('payer_account'),
  reference: row.textOrNull('reference'),
  paymentId: row.textOrNull('payment_id'),
  matchedBy: row.textOrNull('matched_by') as BankMatch | null,
  importedAt: row.timestamp('imported_at'),
  appliedAt: row.isNull('applied_at') ? null : row.timestamp('applied_at'),
});

export const BANK_LINES_BY_EXTERNAL_ID = defineQuery<{ source: string; externalIds: string[] }, BankLineRow>({
  text: `select ${BANK_LINE_COLUMNS} from bank_line l where l.source = :source and l.external_id = any(cast(:externalIds as text[]))`,
  decode: bankLineRow,
});

export const BANK_LINE_BY_ID = defineQuery<{ id: string }, BankLineRow>({
  text: `select ${BANK_LINE_COLUMNS} from bank_line l where l.id = :id`,
  decode: bankLineRow,
});

/** Receivables whose reference (case-insensitive) is one of the tokens of the batch's remittance texts. */
export const RECEIVABLES_BY_REFERENCE_TOKEN = defineQuery<{ tokens: string[] }, { token: string; id: string; customerId: string }>({
  text: `select upper(r.reference) as token, r.id, r.customer_id from receivable r where upper(r.reference) = any(cast(:tokens as text[]))`,
  decode: (row) => ({ token: row.text('token'), id: row.text('id'), customerId: row.text('customer_id') }),
});

export const CUSTOMERS_BY_CODE_TOKEN = defineQuery<{ tokens: string[] }, { token: string; id: string }>({
  text: `select upper(c.code) as token, c.id from customer c where upper(c.code) = any(cast(:tokens as text[]))`,
  decode: (row) => ({ token: row.text('token'), id: row.text('id') }),
});

export const LOCK_CUSTOMERS = defineQuery<{ ids: string[] }, string>({
  text: 'select id from customer where id = any(cast(:ids as uuid[])) order by id for update',
  decode: (row) => row.text('id'),
});

export interface OpenReceivable {
  id: string;
  customerId: string;
  issuedOn: LocalDate;
  outstanding: Cents;
}

/**
 * The open receivables a batch of lines may pay, oldest due first per customer (the
 * allocation order of recordPayment): per customer only as many as its lines' money
 * (`needs`) reaches, plus the invoices the lines name. Read without a lock (a window
 * function cannot lock); LOCK_RECEIVABLES locks the chosen ones and reads them again.
 */
export const OPEN_RECEIVABLES = defineQuery<{ customerIds: string[]; needs: string[]; referenced: string[] }, string>({
  text: `select x.id from (
           select r.id, r.customer_id,
                  sum(r.outstanding) over (partition by r.customer_id order by r.due_on, r.issued_on, r.id) - r.outstanding as before
             from receivable r
            where r.customer_id = any(cast(:customerIds as uuid[])) and r.outstanding > 0
         ) x
         join unnest(cast(:customerIds as uuid[]), cast(:needs as numeric[])) as n(customer_id, need) on n.customer_id = x.customer_id
        where x.before < n.need or x.id = any(cast(:referenced as uuid[]))`,
  decode: (row) => row.text('id'),
});

/** The chosen receivables, locked and read fresh, oldest due first per customer. */
export const LOCK_RECEIVABLES = defineQuery<{ ids: string[] }, OpenReceivable>({
  text: `select r.id, r.customer_id, r.issued_on, r.outstanding from receivable r
          where r.id = any(cast(:ids as uuid[])) and r.outstanding > 0
          order by r.customer_id, r.due_on, r.issued_on, r.id for update of r`,
  decode: (row) => ({ id: row.text('id'), customerId: row.text('customer_id'), issuedOn: row.date('issued_on'), outstanding: row.cents('outstanding') }),
});

export const INSERT_PAYMENTS = defineStatement<{
  ids: string[];
  customerIds: string[];
  amounts: string[];
  unallocated: string[];
  receivedOn: string[];
  lagDays: number[];
  references: string[];
  lagReasons: string[];
  bookedAt: Date;
  bookedById: string;
}>({
  text: `insert into payment (id, customer_id, amount, unallocated, received_on, booked_at, booked_by_id, booking_lag_days, lag_reason, method, reference)
         select t.id, t.customer_id, t.amount, t.unallocated, t.received_on, :bookedAt, :bookedById, t.lag_days,
                nullif(t.lag_reason, ''), 'BANK_TRANSFER', nullif(t.reference, '')
           from unnest(cast(:ids as uuid[]), cast(:customerIds as uuid[]), cast(:amounts as numeric[]), cast(:unallocated as numeric[]),
                       cast(:receivedOn as date[]), cast(:lagDays as integer[]), cast(:references as text[]), cast(:lagReasons as text[]))
                as t(id, customer_id, amount, unallocated, received_on, lag_days, reference, lag_reason)`,
});

export const INSERT_ALLOCATIONS = defineStatement<{
  paymentIds: string[];
  receivableIds: string[];
  amounts: string[];
  receivedOn: string[];
  issuedOn: string[];
}>({
  text: `insert into payment_allocation (id, payment_id, receivable_id, amount, received_on, issued_on, voided)
         select gen_random_uuid(), t.payment_id, t.receivable_id, t.amount, t.received_on, t.issued_on, false
           from unnest(cast(:paymentIds as uuid[]), cast(:receivableIds as uuid[]), cast(:amounts as numeric[]),
                       cast(:receivedOn as date[]), cast(:issuedOn as date[]))
                as t(payment_id, receivable_id, amount, received_on, issued_on)`,
});

export const SET_OUTSTANDING = defineStatement<{ ids: string[]; outstandings: string[] }>({
  text: `update receivable r set outstanding = t.outstanding
           from unnest(cast(:ids as uuid[]), cast(:outstandings as numeric[])) as t(id, outstanding)
          where r.id = t.id`,
});

export const INSERT_BANK_LINES = defineStatement<{
  ids: string[];
  externalIds: string[];
  valueDates: string[];
  amounts: string[];
  payerNames: string[];
  payerAccounts: string[];
  references: string[];
  paymentIds: string[];
  matchedBy: string[];
  source: string;
  runId: string;
  appliedById: string;
}>({
  text: `insert into bank_line (id, source, external_id, value_date, amount, payer_name, payer_account, reference, payment_id, matched_by,
                             import_run_id, applied_at, applied_by_id)
         select t.id, :source, t.external_id, t.value_date, t.amount, nullif(t.payer_name, ''), nullif(t.payer_account, ''), nullif(t.reference, ''),
                cast(nullif(t.payment_id, '') as uuid), nullif(t.matched_by, ''), :runId,
                case when t.payment_id <> '' then now() end, case when t.payment_id <> '' then cast(:appliedById as uuid) end
           from unnest(cast(:ids as uuid[]), cast(:externalIds as text[]), cast(:valueDates as date[]), cast(:amounts as numeric[]),
                       cast(:payerNames as text[]), cast(:payerAccounts as text[]), cast(:references as text[]), cast(:paymentIds as text[]),
                       cast(:matchedBy as text[]))
                as t(id, external_id, value_date, amount, payer_name, payer_account, reference, payment_id, matched_by)`,
});

export const MARK_BANK_LINE_APPLIED = defineStatement<{ id: string; paymentId: string; appliedById: string }>({
  text: `update bank_line set payment_id = :paymentId, matched_by = 'MANUAL', applied_at = now(), applied_by_id = :appliedById
          where id = :id and payment_id is null`,
});

// ── Runs ────────────────────────────────────────────────────────────────────────

export const INSERT_RUN = defineStatement<{
  id: string;
  kind: ImportKind;
  source: string;
  mode: ImportMode;
  atomic: boolean;
  committed: boolean;
  runById: string;
  startedAt: Date;
  durationMs: number;
  total: number;
  created: number;
  updated: number;
  unchanged: number;
  failed: number;
}>({
  text: `insert into import_run (id, kind, source, mode, atomic, committed, run_by_id, started_at, duration_ms, total, created, updated, unchanged, failed)
         values (:id, :kind, :source, :mode, :atomic, :committed, :runById, :startedAt, :durationMs, :total, :created, :updated, :unchanged, :failed)`,
});

export const INSERT_ROW_ERRORS = defineStatement<{
  runId: string;
  lines: number[];
  externalIds: string[];
  fields: string[];
  reasons: string[];
  messages: string[];
}>({
  text: `insert into import_row_error (run_id, line, external_id, field, reason, message)
         select :runId, t.line, nullif(t.external_id, ''), nullif(t.field, ''), t.reason, t.message
           from unnest(cast(:lines as integer[]), cast(:externalIds as text[]), cast(:fields as text[]), cast(:reasons as text[]),
                       cast(:messages as text[])) as t(line, external_id, field, reason, message)`,
});

export const RUN_EXISTS = defineQuery<{ id: string }, string>({
  text: 'select id from import_run where id = :id',
  decode: (row) => row.text('id'),
});

export const RUN_ERRORS = defineQuery<{ runId: string }, { line: number; externalId: string | null; field: string | null; reason: string; message: string }>({
  text: 'select line, external_id, field, reason, message from import_row_error where run_id = :runId order by line',
  decode: (row) => ({
    line: row.int('line'),
    externalId: row.textOrNull('external_id'),
    field: row.textOrNull('field'),
    reason: row.text('reason'),
    message: row.text('message'),
  }),
});

export const PAYER_ACCOUNTS_OF_CUSTOMERS = defineQuery<{ customerIds: string[] }, { account: string; customerId: string }>({
  text: 'select account, customer_id from customer_payer_account where customer_id = any(cast(:customerIds as uuid[])) order by account',
  decode: (row) => ({ account: row.text('account'), customerId: row.text('customer_id') }),
});
