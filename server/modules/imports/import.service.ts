/**
 * Bulk import (issue 12): customers, receivables and bank-statement lines from a source
 * system, up to 1,000 rows per call, upserted by (source, externalId).
 *
 * Each row is checked with the rules the single-row mutations use (their exported
 * validators and the Money / LocalDate scalars), so a row is refused with the same
 * reason `createReceivable` or `recordPayment` would give, plus its line and field. The
 * batch is then written set-based, one statement per step, in one transaction: with
 * `atomic`, nothing when any row failed. Ledger history is never rewritten: once money
 * touched a receivable only its due date may change; an imported bank line never changes.
 * Every call is recorded as an import run with its refused rows.
 */
import { randomUUID } from 'node:crypto';
import { EntityManager } from '@mikro-orm/postgresql';
import { type Principal, Role } from '../../core/auth';
import { Permission, requireAccess } from '../../core/access';
import { type Clock } from '../../core/clock';
import { badInput, conflict, CoreErrorReason, DomainError, type ErrorReasonValue, notFound } from '../../core/errors';
import { type LedgerEvents } from '../../core/ledger-events';
import { type LocalDate } from '../../core/local-date';
import { type Cents, formatMoney, minCents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { type Page, pageSize } from '../../core/pagination';
import { type BusinessCalendar } from '../../core/business-calendar';
import { keysetPage } from '../../db/keyset';
import { isUuid, Where } from '../../db/sql';
import { isRetryableConflict } from '../../db/unique';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { CustomerErrorReason } from '../customers/customer.errors';
import { validateCustomerFields } from '../customers/customer.service';
import { ReceivableErrorReason } from '../receivables/receivable.errors';
import { validateReceivableFields } from '../receivables/receivable.service';
import { checkBookingLag, checkPaymentArrival, type PaymentService } from '../payments/payment.service';
import { PaymentMethod } from '../payments/payment.entity';
import { matchBankLine, normalizeAccount, remittanceTokens } from './bank-matching';
import { ImportErrorReason } from './import.errors';
import {
  BANK_LINE_BY_ID,
  BANK_LINE_COLUMNS,
  BANK_LINES_BY_EXTERNAL_ID,
  type BankLineRow,
  bankLineRow,
  CUSTOMER_STATES,
  CUSTOMERS_BY_CODE,
  CUSTOMERS_BY_CODE_TOKEN,
  type CustomerRef,
  type CustomerState,
  INSERT_ALLOCATIONS,
  INSERT_BANK_LINES,
  INSERT_CUSTOMERS,
  INSERT_KEYS,
  INSERT_PAYER_ACCOUNTS,
  INSERT_PAYMENTS,
  INSERT_RECEIVABLES,
  INSERT_ROW_ERRORS,
  INSERT_RUN,
  KEYS_BY_EXTERNAL_ID,
  KEYS_BY_TARGET,
  LOCK_CUSTOMERS,
  LOCK_RECEIVABLES,
  LOCK_RECEIVABLE_STATES,
  MARK_BANK_LINE_APPLIED,
  OPEN_RECEIVABLES,
  PAYER_ACCOUNTS,
  RECEIVABLE_STATES,
  RECEIVABLES_BY_REFERENCE_TOKEN,
  type ReceivableState,
  RUN_ERRORS,
  RUN_EXISTS,
  SET_OUTSTANDING,
  UPDATE_CUSTOMERS,
  UPDATE_RECEIVABLES,
  USERS_BY_EMAIL,
} from './import.queries';
import {
  type BankLine,
  type BankLineAllocationInput,
  type CustomerImportRow,
  ImportKind,
  ImportMode,
  type ImportOptions,
  type ImportResult,
  type ImportRowResult,
  ImportRowStatus,
  type ImportRun,
  type PaymentImportRow,
  type ReceivableImportRow,
} from './import.types';

/** Transactions a batch may take when it loses races at unique indexes or deadlocks. */
const MAX_ATTEMPTS = 3;
/** Rows one call may carry. */
export const MAX_IMPORT_ROWS = 1000;
const MAX_EXTERNAL_ID = 200;
const MAX_SOURCE = 40;
const MAX_BANK_TEXT = 200;
const MAX_ACCOUNT = 100;
/** As recordPayment's lagReason. */
const MAX_LAG_REASON = 1000;
/** Row fields are named relative to the row (`issuedOn`), the validators' prefix is cut off. */
const ROW = 'row';

export interface ImportRules {
  graceWorkingDays: number;
  bookingLagLimitDays: number;
  timeZone: string;
}

/** A row refused: its field and reason, as the single-row mutation would give them. */
class RowRefusal extends Error {
  constructor(
    readonly field: string | null,
    readonly reason: ErrorReasonValue,
    message: string,
  ) {
    super(message);
  }

  static of(error: unknown): RowRefusal {
    if (error instanceof RowRefusal) return error;
    if (error instanceof DomainError) {
      const field = error.field ? error.field.replace(/^row\./, '') : null;
      return new RowRefusal(field || null, error.reason, error.message);
    }
    throw error;
  }
}

/** One row on its way through a batch. */
interface Slot<T> {
  line: number;
  externalId: string;
  row: T;
  result: ImportRowResult;
}

function refuse(slot: Slot<unknown>, error: unknown): void {
  const refusal = RowRefusal.of(error);
  Object.assign(slot.result, { status: ImportRowStatus.ERROR, id: null, field: refusal.field, reason: refusal.reason, message: refusal.message });
}

const isOpen = (slot: Slot<unknown>) => slot.result.status !== ImportRowStatus.ERROR;

/** A cell parsed with the API's own scalar, its refusal naming the row's field. */
function parseCell<T>(parse: (value: unknown) => T, value: unknown, field: string): T {
  try {
    return parse(value);
  } catch (e) {
    if (e instanceof DomainError) throw new RowRefusal(field, e.reason, e.message);
    throw e;
  }
}
const money = (value: string, field: string): Cents => parseCell((v) => MoneyScalar.parseValue(v) as Cents, value, field);
const date = (value: string, field: string): LocalDate => parseCell((v) => LocalDateScalar.parseValue(v), value, field);

function optionalText(value: string | null | undefined, max: number, field: string): string | null {
  const text = value?.trim() || null;
  if (text && text.length > max) throw new RowRefusal(field, CoreErrorReason.TEXT_LENGTH, `${field} must have at most ${max} characters`);
  return text;
}

/** Batch-level arguments: refused as a whole (nothing runs) when wrong. */
function checkBatch(options: ImportOptions, rowCount: number): string {
  const source = options.source.trim();
  if (source.length < 1 || source.length > MAX_SOURCE)
    throw badInput('options.source', `source must have 1 to ${MAX_SOURCE} characters`, CoreErrorReason.TEXT_LENGTH);
  if (rowCount > MAX_IMPORT_ROWS) throw badInput('rows', `at most ${MAX_IMPORT_ROWS} rows per call; send the file in batches`, CoreErrorReason.OUT_OF_RANGE);
  // The batch's one lag reason is checked as recordPayment checks its own, whether a line needs it or not.
  if ((options.lagReason?.trim().length ?? 0) > MAX_LAG_REASON)
    throw badInput('options.lagReason', `lagReason must have at most ${MAX_LAG_REASON} characters`, CoreErrorReason.TEXT_LENGTH);
  return source;
}

/** Slots for the rows, each with its line and a trimmed externalId; a repeated externalId is refused (DUPLICATE_ENTRY). */
function slotsOf<T extends { line?: number | null; externalId: string }>(rows: readonly T[]): Slot<T>[] {
  const seen = new Set<string>();
  return rows.map((row, i) => {
    const externalId = row.externalId.trim();
    const slot: Slot<T> = {
      line: row.line ?? i + 1,
      externalId,
      row,
      result: {
        line: row.line ?? i + 1,
        externalId,
        status: ImportRowStatus.CREATED,
        id: null,
        field: null,
        reason: null,
        message: null,
        matchedBy: null,
        paymentId: null,
      },
    };
    if (externalId.length < 1 || externalId.length > MAX_EXTERNAL_ID) {
      refuse(slot, new RowRefusal('externalId', CoreErrorReason.TEXT_LENGTH, `externalId must have 1 to ${MAX_EXTERNAL_ID} characters`));
    } else if (seen.has(externalId)) {
      refuse(slot, new RowRefusal('externalId', CoreErrorReason.DUPLICATE_ENTRY, `externalId ${externalId} appears more than once in the batch`));
    }
    seen.add(externalId);
    return slot;
  });
}

/** Runs `check` for each open slot, turning its DomainError into the row's refusal. */
function eachOpen<T, S extends Slot<T>>(slots: S[], check: (slot: S) => void): void {
  for (const slot of slots) {
    if (!isOpen(slot)) continue;
    try {
      check(slot);
    } catch (e) {
      refuse(slot, e);
    }
  }
}

const lockedField = (field: string, what: string) =>
  new RowRefusal(field, ImportErrorReason.IMPORT_FIELD_LOCKED, `${field} may no longer change: ${what}; ledger history is never rewritten`);

export class ImportService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly events: LedgerEvents,
    private readonly payments: PaymentService,
    private readonly rules: ImportRules,
  ) {}

  // ── Customers ──────────────────────────────────────────────────────────────

  async importCustomers(principal: Principal, options: ImportOptions, rows: CustomerImportRow[]): Promise<ImportResult> {
    requireAccess(principal, Permission.IMPORT, 'Your role may not import');
    const source = checkBatch(options, rows.length);
    type Plan = Slot<CustomerImportRow> & { code?: string; name?: string; ownerId?: string; creditLimit?: Cents; accounts?: string[]; target?: CustomerState };
    let slots: Plan[] = [];
    let limitChanged: string[] = [];
    return this.runBatch(
      principal,
      ImportKind.CUSTOMERS,
      source,
      options,
      () => slots,
      async (em) => {
        slots = slotsOf(rows);
        limitChanged = [];
        const owners = new Map(
          (await USERS_BY_EMAIL.all(em, { emails: [...new Set(slots.map((s) => s.row.ownerEmail.trim().toLowerCase()))] })).map((u) => [u.email, u]),
        );
        eachOpen(slots, (slot) => {
          validateCustomerFields({ code: slot.row.code, name: slot.row.name, creditTermDays: slot.row.creditTermDays }, ROW);
          slot.code = slot.row.code.trim();
          slot.name = slot.row.name.trim();
          slot.creditLimit = money(slot.row.creditLimit, 'creditLimit');
          const owner = owners.get(slot.row.ownerEmail.trim().toLowerCase());
          if (!owner) throw notFound('User', slot.row.ownerEmail, 'ownerEmail');
          if (owner.role !== (Role.SALES as string) || !owner.active)
            throw badInput('ownerEmail', 'the owner must be an active SALES user', CustomerErrorReason.OWNER_NOT_SALES);
          slot.ownerId = owner.id;
          slot.accounts = [
            ...new Set(
              (slot.row.payerAccounts ?? [])
                .map((a) => optionalText(a, MAX_ACCOUNT, 'payerAccounts'))
                .filter((a): a is string => !!a)
                .map(normalizeAccount),
            ),
          ];
        });
        const open = slots.filter(isOpen);
        const keys = new Map(
          (await KEYS_BY_EXTERNAL_ID.all(em, { kind: 'CUSTOMER', source, externalIds: open.map((s) => s.externalId) })).map((k) => [k.externalId, k.targetId]),
        );
        const states = await CUSTOMER_STATES.all(em, { ids: [...keys.values()], codes: open.map((s) => s.code!) });
        const byId = new Map(states.map((c) => [c.id, c]));
        const byCode = new Map(states.map((c) => [c.code, c]));
        const linked = new Map(
          (await KEYS_BY_TARGET.all(em, { kind: 'CUSTOMER', source, targetIds: states.map((c) => c.id) })).map((k) => [k.targetId, k.externalId]),
        );
        const accounts = new Map((await PAYER_ACCOUNTS.all(em, { accounts: open.flatMap((s) => s.accounts!) })).map((a) => [a.account, a.customerId]));
        const codesInBatch = new Map<string, Plan>();
        const accountsInBatch = new Map<string, Plan>();
        eachOpen(open, (slot) => {
          const keyed = keys.get(slot.externalId);
          // A customer of this code not yet linked to this source is adopted: the first import of a ledger kept by hand.
          const sameCode = byCode.get(slot.code!);
          slot.target = keyed ? byId.get(keyed) : sameCode && !linked.has(sameCode.id) ? sameCode : undefined;
          if (!keyed && sameCode && linked.has(sameCode.id)) {
            throw conflict(`Customer code ${slot.code} is taken (externalId ${linked.get(sameCode.id)} of ${source})`, CustomerErrorReason.CODE_TAKEN, 'code');
          }
          if (sameCode && slot.target && sameCode.id !== slot.target.id)
            throw conflict(`Customer code ${slot.code} is taken`, CustomerErrorReason.CODE_TAKEN, 'code');
          const earlier = codesInBatch.get(slot.code!);
          if (earlier) throw conflict(`Customer code ${slot.code} is taken by line ${earlier.line}`, CustomerErrorReason.CODE_TAKEN, 'code');
          codesInBatch.set(slot.code!, slot);
          for (const account of slot.accounts!) {
            const owner = accounts.get(account);
            const batchOwner = accountsInBatch.get(account);
            if ((owner && owner !== slot.target?.id) || (batchOwner && batchOwner !== slot)) {
              throw conflict(`Payer account ${account} belongs to another customer`, ImportErrorReason.PAYER_ACCOUNT_TAKEN, 'payerAccounts');
            }
            accountsInBatch.set(account, slot);
          }
          const t = slot.target;
          if (!t) return;
          slot.result.id = t.id;
          const known = new Set(t.payerAccounts);
          const same =
            t.code === slot.code &&
            t.name === slot.name &&
            t.ownerId === slot.ownerId &&
            t.creditTermDays === slot.row.creditTermDays &&
            t.creditLimit === slot.creditLimit &&
            slot.accounts!.every((a) => known.has(a)) &&
            keyed !== undefined;
          slot.result.status = same ? ImportRowStatus.UNCHANGED : ImportRowStatus.UPDATED;
          if (t.creditLimit !== slot.creditLimit) limitChanged.push(t.id);
        });
        return async () => {
          const created = open.filter((s) => s.result.status === ImportRowStatus.CREATED);
          for (const slot of created) slot.result.id = randomUUID();
          const updated = open.filter((s) => s.result.status === ImportRowStatus.UPDATED);
          const columns = (list: Plan[]) => ({
            ids: list.map((s) => s.result.id!),
            codes: list.map((s) => s.code!),
            names: list.map((s) => s.name!),
            ownerIds: list.map((s) => s.ownerId!),
            terms: list.map((s) => s.row.creditTermDays),
            limits: list.map((s) => formatMoney(s.creditLimit!)),
          });
          if (created.length) await INSERT_CUSTOMERS.run(em, columns(created));
          if (updated.length) await UPDATE_CUSTOMERS.run(em, columns(updated));
          const newKeys = open.filter(
            (s) => s.result.status === ImportRowStatus.CREATED || (s.result.status === ImportRowStatus.UPDATED && !keys.has(s.externalId)),
          );
          if (newKeys.length)
            await INSERT_KEYS.run(em, { kind: 'CUSTOMER', source, externalIds: newKeys.map((s) => s.externalId), targetIds: newKeys.map((s) => s.result.id!) });
          const pairs = open.filter((s) => s.result.status !== ImportRowStatus.UNCHANGED).flatMap((s) => s.accounts!.map((a) => [a, s.result.id!]));
          if (pairs.length) await INSERT_PAYER_ACCOUNTS.run(em, { accounts: pairs.map((p) => p[0]), customerIds: pairs.map((p) => p[1]) });
          return async () => {
            // The credit status compares overdue money with the limit: judged again at once.
            await this.events.customersChanged(limitChanged);
          };
        };
      },
    );
  }

  // ── Receivables ────────────────────────────────────────────────────────────

  async importReceivables(principal: Principal, options: ImportOptions, rows: ReceivableImportRow[]): Promise<ImportResult> {
    requireAccess(principal, Permission.IMPORT, 'Your role may not import');
    const source = checkBatch(options, rows.length);
    type Plan = Slot<ReceivableImportRow> & {
      customer?: CustomerRef;
      reference?: string;
      amount?: Cents;
      issuedOn?: LocalDate;
      dueOn?: LocalDate;
      target?: ReceivableState;
    };
    let slots: Plan[] = [];
    return this.runBatch(
      principal,
      ImportKind.RECEIVABLES,
      source,
      options,
      () => slots,
      async (em) => {
        slots = slotsOf(rows);
        const customers = new Map(
          (await CUSTOMERS_BY_CODE.all(em, { codes: [...new Set(slots.map((s) => s.row.customerCode.trim()))] })).map((c) => [c.code, c]),
        );
        eachOpen(slots, (slot) => {
          const { row } = slot;
          slot.amount = money(row.amount, 'amount');
          slot.issuedOn = date(row.issuedOn, 'issuedOn');
          const dueOn = row.dueOn?.trim() ? date(row.dueOn.trim(), 'dueOn') : undefined;
          const customer = customers.get(row.customerCode.trim());
          if (!customer) throw notFound('Customer', row.customerCode, 'customerCode');
          slot.customer = customer;
          const valid = validateReceivableFields(
            { reference: row.reference, amount: slot.amount, issuedOn: slot.issuedOn, dueOn },
            customer.creditTermDays,
            ROW,
          );
          slot.reference = valid.reference;
          slot.dueOn = valid.dueOn;
        });
        const open = slots.filter(isOpen);
        const keys = new Map(
          (await KEYS_BY_EXTERNAL_ID.all(em, { kind: 'RECEIVABLE', source, externalIds: open.map((s) => s.externalId) })).map((k) => [
            k.externalId,
            k.targetId,
          ]),
        );
        const states = await RECEIVABLE_STATES.all(em, {
          ids: [...keys.values()],
          customerIds: open.map((s) => s.customer!.id),
          references: open.map((s) => s.reference!),
        });
        const byId = new Map(states.map((r) => [r.id, r]));
        const byPair = new Map(states.map((r) => [`${r.customerId}\u0000${r.reference}`, r]));
        const linked = new Map(
          (await KEYS_BY_TARGET.all(em, { kind: 'RECEIVABLE', source, targetIds: states.map((r) => r.id) })).map((k) => [k.targetId, k.externalId]),
        );
        const pairsInBatch = new Map<string, Plan>();
        eachOpen(open, (slot) => {
          const pair = `${slot.customer!.id}\u0000${slot.reference}`;
          const keyed = keys.get(slot.externalId);
          const samePair = byPair.get(pair);
          const taken = () =>
            conflict(`Customer ${slot.customer!.code} already has a receivable ${slot.reference}`, ReceivableErrorReason.REFERENCE_TAKEN, 'reference');
          // A receivable of this customer and reference not yet linked to this source is adopted.
          slot.target = keyed ? byId.get(keyed) : samePair && !linked.has(samePair.id) ? samePair : undefined;
          if (samePair && samePair.id !== slot.target?.id) throw taken();
          if (pairsInBatch.has(pair)) throw taken();
          pairsInBatch.set(pair, slot);
          const t = slot.target;
          if (!t) return;
          slot.result.id = t.id;
          const changed = [
            t.customerId !== slot.customer!.id && 'customerCode',
            t.reference !== slot.reference && 'reference',
            t.amount !== slot.amount && 'amount',
            t.issuedOn !== slot.issuedOn && 'issuedOn',
            t.dueOn !== slot.dueOn && 'dueOn',
          ].filter((f): f is string => f !== false);
          if (changed.length === 0) {
            slot.result.status = keyed ? ImportRowStatus.UNCHANGED : ImportRowStatus.UPDATED;
            return;
          }
          if (t.outstanding === 0n) throw lockedField(changed[0], 'the receivable is settled');
          const locked = changed.find((f) => f !== 'dueOn');
          if (t.touched && locked) throw lockedField(locked, 'money was applied to the receivable (paid, credited or written off)');
          slot.result.status = ImportRowStatus.UPDATED;
        });
        return async () => {
          const calendar = await loadBusinessCalendar(em);
          const effective = (dueOn: LocalDate) => calendar.effectiveDueOn(dueOn, this.rules.graceWorkingDays);
          const created = open.filter((s) => s.result.status === ImportRowStatus.CREATED);
          for (const slot of created) slot.result.id = randomUUID();
          if (created.length) {
            await INSERT_RECEIVABLES.run(em, {
              ids: created.map((s) => s.result.id!),
              customerIds: created.map((s) => s.customer!.id),
              references: created.map((s) => s.reference!),
              amounts: created.map((s) => formatMoney(s.amount!)),
              issued: created.map((s) => s.issuedOn!),
              due: created.map((s) => s.dueOn!),
              effective: created.map((s) => effective(s.dueOn!)),
            });
          }
          // The receivables a batch changes, locked and read again: money applied since the
          // batch read them locks their fields as it would have then.
          const changing = open.filter((s) => s.result.status === ImportRowStatus.UPDATED);
          const locked = changing.length
            ? new Map((await LOCK_RECEIVABLE_STATES.all(em, { ids: changing.map((s) => s.target!.id) })).map((r) => [r.id, r]))
            : new Map<string, ReceivableState>();
          eachOpen(changing, (slot) => {
            const now = locked.get(slot.target!.id)!;
            const changedBeyondDue =
              now.customerId !== slot.customer!.id || now.reference !== slot.reference || now.amount !== slot.amount || now.issuedOn !== slot.issuedOn;
            if (now.outstanding === 0n && (changedBeyondDue || now.dueOn !== slot.dueOn)) throw lockedField('dueOn', 'the receivable was settled meanwhile');
            if (now.touched && changedBeyondDue) throw lockedField('amount', 'money was applied to the receivable meanwhile');
            slot.target = now;
          });
          const updated = changing.filter(isOpen);
          if (updated.length) {
            const salesperson = (s: Plan) => (s.target!.customerId === s.customer!.id ? s.target!.salespersonId : s.customer!.ownerId);
            await UPDATE_RECEIVABLES.run(em, {
              ids: updated.map((s) => s.target!.id),
              customerIds: updated.map((s) => s.customer!.id),
              salespersonIds: updated.map(salesperson),
              references: updated.map((s) => s.reference!),
              amounts: updated.map((s) => formatMoney(s.amount!)),
              // Only an untouched receivable may change its amount: then all of it is outstanding.
              outstandings: updated.map((s) => formatMoney(s.target!.touched ? s.target!.outstanding : s.amount!)),
              issued: updated.map((s) => s.issuedOn!),
              due: updated.map((s) => s.dueOn!),
              effective: updated.map((s) => effective(s.dueOn!)),
            });
          }
          const newKeys = open.filter(
            (s) => s.result.status === ImportRowStatus.CREATED || (s.result.status === ImportRowStatus.UPDATED && !keys.has(s.externalId)),
          );
          if (newKeys.length)
            await INSERT_KEYS.run(em, {
              kind: 'RECEIVABLE',
              source,
              externalIds: newKeys.map((s) => s.externalId),
              targetIds: newKeys.map((s) => s.result.id!),
            });
          // New and changed receivables are marked for the overdue engine by the table's triggers.
          return undefined;
        };
      },
    );
  }

  // ── Bank lines (importPayments) ────────────────────────────────────────────

  async importPayments(principal: Principal, options: ImportOptions, rows: PaymentImportRow[]): Promise<ImportResult> {
    requireAccess(principal, Permission.IMPORT, 'Your role may not import');
    const source = checkBatch(options, rows.length);
    type Plan = Slot<PaymentImportRow> & {
      valueDate?: LocalDate;
      amount?: Cents;
      payerName?: string | null;
      payerAccount?: string | null;
      reference?: string | null;
      givenCustomerId?: string;
      customerId?: string;
      referenced?: string[];
      lagDays?: number;
      lagReason?: string | null;
      allocations?: { receivableId: string; amount: Cents; issuedOn: LocalDate }[];
    };
    let slots: Plan[] = [];
    const today = this.clock.today();
    let touched = new Set<string>();
    return this.runBatch(
      principal,
      ImportKind.PAYMENTS,
      source,
      options,
      () => slots,
      async (em, runId) => {
        slots = slotsOf(rows);
        touched = new Set<string>();
        const calendar: BusinessCalendar = await loadBusinessCalendar(em);
        const given = new Map(
          (await CUSTOMERS_BY_CODE.all(em, { codes: [...new Set(slots.map((s) => s.row.customerCode?.trim()).filter((c): c is string => !!c))] })).map((c) => [
            c.code,
            c.id,
          ]),
        );
        eachOpen(slots, (slot) => {
          const { row } = slot;
          slot.amount = money(row.amount, 'amount');
          slot.valueDate = date(row.valueDate, 'valueDate');
          try {
            checkPaymentArrival(slot.amount, slot.valueDate, today, ROW);
          } catch (e) {
            const refusal = RowRefusal.of(e);
            throw new RowRefusal(refusal.field === 'receivedOn' ? 'valueDate' : refusal.field, refusal.reason, refusal.message);
          }
          slot.payerName = optionalText(row.payerName, MAX_BANK_TEXT, 'payerName');
          slot.payerAccount = optionalText(row.payerAccount, MAX_ACCOUNT, 'payerAccount');
          slot.reference = optionalText(row.reference, MAX_BANK_TEXT, 'reference');
          const code = row.customerCode?.trim();
          if (code) {
            slot.givenCustomerId = given.get(code);
            if (!slot.givenCustomerId) throw notFound('Customer', code, 'customerCode');
          }
        });
        // A line sent again is the same line: unchanged when equal, refused when it differs (bank lines are history).
        const open = slots.filter(isOpen);
        const existing = new Map(
          (await BANK_LINES_BY_EXTERNAL_ID.all(em, { source, externalIds: open.map((s) => s.externalId) })).map((l) => [l.externalId, l]),
        );
        eachOpen(open, (slot) => {
          const line = existing.get(slot.externalId);
          if (!line) return;
          const differs = [
            line.valueDate !== slot.valueDate && 'valueDate',
            line.amount !== slot.amount && 'amount',
            (line.payerAccount ?? null) !== (slot.payerAccount ? slot.payerAccount : null) && 'payerAccount',
            (line.reference ?? null) !== slot.reference && 'reference',
            (line.payerName ?? null) !== slot.payerName && 'payerName',
          ].find((f): f is string => f !== false);
          if (differs) throw lockedField(differs, `bank line ${slot.externalId} of ${source} is imported already`);
          Object.assign(slot.result, { status: ImportRowStatus.UNCHANGED, id: line.id, paymentId: line.paymentId, matchedBy: line.matchedBy });
        });
        const fresh = open.filter((s) => isOpen(s) && s.result.status === ImportRowStatus.CREATED);
        const tokens = [...new Set(fresh.flatMap((s) => remittanceTokens(s.reference)))];
        const receivablesByReference = new Map<string, { id: string; customerId: string }[]>();
        for (const r of tokens.length ? await RECEIVABLES_BY_REFERENCE_TOKEN.all(em, { tokens }) : []) {
          receivablesByReference.set(r.token, [...(receivablesByReference.get(r.token) ?? []), r]);
        }
        const customerByCode = new Map((tokens.length ? await CUSTOMERS_BY_CODE_TOKEN.all(em, { tokens }) : []).map((c) => [c.token, c.id]));
        const accounts = [...new Set(fresh.map((s) => s.payerAccount && normalizeAccount(s.payerAccount)).filter((a): a is string => !!a))];
        const customerByAccount = new Map((accounts.length ? await PAYER_ACCOUNTS.all(em, { accounts }) : []).map((a) => [a.account, a.customerId]));
        eachOpen(fresh, (slot) => {
          const match = matchBankLine(
            { givenCustomerId: slot.givenCustomerId, reference: slot.reference ?? null, payerAccount: slot.payerAccount ?? null },
            { customerByCode, receivablesByReference, customerByAccount },
          );
          if (!match) return;
          // Booking it now: the booking-lag rule of every payment, with the batch's one reason.
          const lag = checkBookingLag(calendar, slot.valueDate!, today, options.lagReason, this.rules, ROW, 'lagReason');
          slot.customerId = match.customerId;
          slot.referenced = match.referenced;
          slot.result.matchedBy = match.matchedBy;
          slot.lagDays = lag.bookingLagDays;
          slot.lagReason = lag.lagReason;
        });
        // Allocation, as recordPayment does it: the customers locked, their open receivables read fresh and locked.
        const matched = fresh.filter((s) => isOpen(s) && s.customerId);
        const customerIds = [...new Set(matched.map((s) => s.customerId!))].sort();
        if (customerIds.length) await LOCK_CUSTOMERS.all(em, { ids: customerIds });
        const needs = new Map<string, Cents>();
        for (const slot of matched) needs.set(slot.customerId!, (needs.get(slot.customerId!) ?? 0n) + slot.amount!);
        const chosen = customerIds.length
          ? await OPEN_RECEIVABLES.all(em, {
              customerIds,
              needs: customerIds.map((id) => formatMoney(needs.get(id)!)),
              referenced: [...new Set(matched.flatMap((s) => s.referenced!))],
            })
          : [];
        const openItems = chosen.length ? await LOCK_RECEIVABLES.all(em, { ids: chosen }) : [];
        const itemsOf = new Map<string, typeof openItems>();
        for (const item of openItems) itemsOf.set(item.customerId, [...(itemsOf.get(item.customerId) ?? []), item]);
        const outstanding = new Map(openItems.map((r) => [r.id, r.outstanding]));
        const original = new Map(outstanding);
        for (const slot of matched) {
          let left = slot.amount!;
          slot.allocations = [];
          const items = itemsOf.get(slot.customerId!) ?? [];
          const referenced = new Set(slot.referenced);
          // The invoices the text names first, then oldest due first.
          for (const item of [...items.filter((r) => referenced.has(r.id)), ...items.filter((r) => !referenced.has(r.id))]) {
            if (left === 0n) break;
            const amount = minCents(left, outstanding.get(item.id)!);
            if (amount === 0n) continue;
            outstanding.set(item.id, outstanding.get(item.id)! - amount);
            left -= amount;
            const earlier = slot.allocations.find((a) => a.receivableId === item.id);
            if (earlier) earlier.amount += amount;
            else slot.allocations.push({ receivableId: item.id, amount, issuedOn: item.issuedOn });
          }
        }
        return async () => {
          const lines = open.filter((s) => s.result.status === ImportRowStatus.CREATED);
          for (const slot of lines) slot.result.id = randomUUID();
          const booked = lines.filter((s) => s.customerId);
          for (const slot of booked) slot.result.paymentId = randomUUID();
          if (booked.length) {
            await INSERT_PAYMENTS.run(em, {
              ids: booked.map((s) => s.result.paymentId!),
              customerIds: booked.map((s) => s.customerId!),
              amounts: booked.map((s) => formatMoney(s.amount!)),
              unallocated: booked.map((s) => formatMoney(s.amount! - s.allocations!.reduce((sum, a) => sum + a.amount, 0n))),
              receivedOn: booked.map((s) => s.valueDate!),
              lagDays: booked.map((s) => s.lagDays!),
              references: booked.map((s) => s.reference ?? ''),
              lagReasons: booked.map((s) => (s.lagDays! > this.rules.bookingLagLimitDays ? (s.lagReason ?? '') : '')),
              bookedAt: this.clock.now(),
              bookedById: principal.userId,
            });
            const allocations = booked.flatMap((s) => s.allocations!.map((a) => ({ ...a, paymentId: s.result.paymentId!, receivedOn: s.valueDate! })));
            if (allocations.length) {
              await INSERT_ALLOCATIONS.run(em, {
                paymentIds: allocations.map((a) => a.paymentId),
                receivableIds: allocations.map((a) => a.receivableId),
                amounts: allocations.map((a) => formatMoney(a.amount)),
                receivedOn: allocations.map((a) => a.receivedOn),
                issuedOn: allocations.map((a) => a.issuedOn),
              });
              const changed = [...outstanding].filter(([id, value]) => value !== original.get(id));
              await SET_OUTSTANDING.run(em, { ids: changed.map(([id]) => id), outstandings: changed.map(([, value]) => formatMoney(value)) });
              for (const [id] of changed) touched.add(id);
            }
          }
          if (lines.length) {
            await INSERT_BANK_LINES.run(em, {
              ids: lines.map((s) => s.result.id!),
              externalIds: lines.map((s) => s.externalId),
              valueDates: lines.map((s) => s.valueDate!),
              amounts: lines.map((s) => formatMoney(s.amount!)),
              payerNames: lines.map((s) => s.payerName ?? ''),
              payerAccounts: lines.map((s) => s.payerAccount ?? ''),
              references: lines.map((s) => s.reference ?? ''),
              paymentIds: lines.map((s) => s.result.paymentId ?? ''),
              matchedBy: lines.map((s) => s.result.matchedBy ?? ''),
              source,
              runId,
              appliedById: principal.userId,
            });
          }
          return async () => {
            // The overdue engine judges the paid receivables again: money that arrived in time clears an alarm.
            await this.events.receivablesChanged([...touched]);
          };
        };
      },
    );
  }

  // ── The run ────────────────────────────────────────────────────────────────

  /**
   * One batch: `plan` reads and checks inside the transaction and answers the writer;
   * APPLY runs it unless `atomic` and a row failed. The run and its refused rows are
   * recorded afterwards (also when nothing was written); `after` runs after commit.
   *
   * Batches of one file may run side by side (the CLI sends two at a time). When one
   * loses a race at a unique index (the same row in both) or a deadlock, it is planned
   * again from the start, in a new transaction, and sees what the winner committed: so a
   * row is reported UNCHANGED or refused with its reason, never as an internal error.
   * `plan` builds the batch's slots afresh each time (`slotsOf`).
   */
  private async runBatch(
    principal: Principal,
    kind: ImportKind,
    source: string,
    options: ImportOptions,
    slotsOf: () => Slot<unknown>[],
    plan: (em: EntityManager, runId: string) => Promise<() => Promise<(() => Promise<void>) | undefined>>,
  ): Promise<ImportResult> {
    const startedAt = this.clock.now();
    const started = process.hrtime.bigint();
    const runId = randomUUID();
    let committed = false;
    let after: (() => Promise<void>) | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        after = await this.attempt(
          options,
          slotsOf,
          () => (committed = true),
          (em) => plan(em, runId),
        );
        break;
      } catch (error) {
        committed = false;
        if (attempt >= MAX_ATTEMPTS || !isRetryableConflict(error)) throw error;
      }
    }
    const slots = slotsOf();
    if (!committed) {
      // Ids of rows that were to be created do not exist: a dry run names only what exists.
      for (const slot of slots) if (slot.result.status === ImportRowStatus.CREATED) Object.assign(slot.result, { id: null, paymentId: null });
    }
    if (after) await after();
    return this.recordRun(principal, kind, source, options, runId, startedAt, started, committed, slots);
  }

  /** One transaction of a batch: plan, then write unless a dry run or an atomic batch with a refused row. */
  private attempt(
    options: ImportOptions,
    slotsOf: () => Slot<unknown>[],
    onCommit: () => void,
    plan: (em: EntityManager) => Promise<() => Promise<(() => Promise<void>) | undefined>>,
  ): Promise<(() => Promise<void>) | undefined> {
    return this.em.transactional(async (em) => {
      const write = await plan(em);
      const slots = slotsOf();
      const failed = slots.some((s) => !isOpen(s));
      if (options.mode !== ImportMode.APPLY) return undefined;
      if (options.atomic && failed) {
        for (const slot of slots.filter(isOpen)) {
          Object.assign(slot.result, {
            status: ImportRowStatus.ERROR,
            reason: ImportErrorReason.BATCH_NOT_APPLIED,
            message: 'not applied: another row of this atomic batch failed',
            paymentId: null,
          });
        }
        return undefined;
      }
      onCommit();
      return write();
    });
  }

  /** Records the run and its refused rows, and answers the batch's result. */
  private async recordRun(
    principal: Principal,
    kind: ImportKind,
    source: string,
    options: ImportOptions,
    runId: string,
    startedAt: Date,
    started: bigint,
    committed: boolean,
    slots: Slot<unknown>[],
  ): Promise<ImportResult> {
    const results = slots.map((s) => s.result);
    const count = (status: ImportRowStatus) => results.filter((r) => r.status === status).length;
    const summary = {
      total: results.length,
      created: count(ImportRowStatus.CREATED),
      updated: count(ImportRowStatus.UPDATED),
      unchanged: count(ImportRowStatus.UNCHANGED),
      failed: count(ImportRowStatus.ERROR),
    };
    const errors = results.filter((r) => r.status === ImportRowStatus.ERROR);
    await this.em.transactional(async (em) => {
      await INSERT_RUN.run(em, {
        id: runId,
        kind,
        source,
        mode: options.mode,
        atomic: options.atomic ?? false,
        committed,
        runById: principal.userId,
        startedAt,
        durationMs: Number((process.hrtime.bigint() - started) / 1_000_000n),
        ...summary,
      });
      if (errors.length) {
        await INSERT_ROW_ERRORS.run(em, {
          runId,
          lines: errors.map((r) => r.line),
          externalIds: errors.map((r) => r.externalId ?? ''),
          fields: errors.map((r) => r.field ?? ''),
          reasons: errors.map((r) => r.reason ?? ''),
          messages: errors.map((r) => r.message ?? ''),
        });
      }
    });
    return { runId, mode: options.mode, committed, ...summary, rows: results };
  }

  // ── Runs, suspense list, applying a line ───────────────────────────────────

  listRuns(principal: Principal, first: number | undefined, after: string | undefined, count: boolean): Promise<Page<ImportRun>> {
    requireAccess(principal, Permission.IMPORT, 'Your role may not read import runs');
    return keysetPage<ImportRun>(this.em, {
      columns:
        'r.id, r.kind, r.source, r.mode, r.atomic, r.committed, r.run_by_id, r.started_at, r.duration_ms, r.total, r.created, r.updated, r.unchanged, r.failed',
      decode: (row) => {
        const id = row.text('id');
        return {
          id,
          kind: row.text('kind') as ImportKind,
          source: row.text('source'),
          mode: row.text('mode') as ImportMode,
          atomic: row.bool('atomic'),
          committed: row.bool('committed'),
          runById: row.text('run_by_id'),
          startedAt: row.timestamp('started_at'),
          durationMs: row.int('duration_ms'),
          total: row.int('total'),
          created: row.int('created'),
          updated: row.int('updated'),
          unchanged: row.int('unchanged'),
          failed: row.int('failed'),
          errorsCsvPath: `/imports/${id}/errors.csv`,
        };
      },
      from: 'from import_run r',
      where: new Where(),
      keys: [
        { column: 'r.started_at', cast: 'timestamptz', value: (r) => r.startedAt.toISOString() },
        { column: 'r.id', cast: 'uuid', value: (r) => r.id },
      ],
      descending: true,
      first: pageSize(first),
      after,
      count,
    });
  }

  /** A run's refused rows as CSV (line, externalId, field, reason, message); NOT_FOUND for an unknown run. */
  async errorsCsv(principal: Principal, runId: string): Promise<string> {
    requireAccess(principal, Permission.IMPORT, 'Your role may not read import runs');
    if (!isUuid(runId) || !(await RUN_EXISTS.maybeOne(this.em, { id: runId }))) throw notFound('Import run', runId, 'id');
    const rows = await RUN_ERRORS.all(this.em, { runId });
    const cell = (value: string | number | null) => {
      const text = value === null ? '' : String(value);
      // Quoted when needed; a leading =, +, - or @ is defused for spreadsheets.
      const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
      return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
    };
    return (
      ['line,externalId,field,reason,message', ...rows.map((r) => [r.line, r.externalId, r.field, r.reason, r.message].map(cell).join(','))].join('\r\n') +
      '\r\n'
    );
  }

  unappliedBankLines(principal: Principal, first: number | undefined, after: string | undefined, count: boolean): Promise<Page<BankLine>> {
    requireAccess(principal, Permission.LEDGER_BOOK, 'Only finance applies bank lines');
    return keysetPage<BankLineRow>(this.em, {
      columns: BANK_LINE_COLUMNS,
      decode: bankLineRow,
      from: 'from bank_line l',
      where: new Where().add('l.payment_id is null'),
      keys: [
        { column: 'l.value_date', cast: 'date', value: (l) => l.valueDate },
        { column: 'l.id', cast: 'uuid', value: (l) => l.id },
      ],
      first: pageSize(first),
      after,
      count,
    });
  }

  /**
   * Books an unmatched bank line as a payment of the customer, through recordPayment's
   * own path (booking-lag rule, allocation, customer lock, overdue re-judgement): its
   * receivedOn is the line's value date, however late the line is applied, so an on-time
   * payment never looks late. The payer account is remembered for the customer.
   */
  async applyBankLine(
    principal: Principal,
    lineId: string,
    customerId: string,
    allocations: BankLineAllocationInput[] | undefined,
    lagReason: string | undefined,
  ): Promise<BankLineRow> {
    requireAccess(principal, Permission.LEDGER_BOOK, 'Only finance applies bank lines');
    const line = isUuid(lineId) ? await BANK_LINE_BY_ID.maybeOne(this.em, { id: lineId }) : undefined;
    if (!line) throw notFound('Bank line', lineId, 'lineId');
    if (line.paymentId) throw conflict('The bank line is already booked as a payment', ImportErrorReason.BANK_LINE_APPLIED, 'lineId');
    await this.payments
      .record(
        principal,
        {
          customerId,
          amount: line.amount,
          receivedOn: line.valueDate,
          method: PaymentMethod.BANK_TRANSFER,
          reference: line.reference ?? undefined,
          allocations,
          lagReason,
          // Two clerks applying the same line at once book it once.
          idempotencyKey: `bank-line:${line.id}`,
        },
        // The line is marked applied, and its payer account remembered, in the payment's transaction.
        async (em, booked) => {
          if ((await MARK_BANK_LINE_APPLIED.run(em, { id: line.id, paymentId: booked.id, appliedById: principal.userId })) !== 1)
            throw conflict('The bank line is already booked as a payment', ImportErrorReason.BANK_LINE_APPLIED, 'lineId');
          if (line.payerAccount) await INSERT_PAYER_ACCOUNTS.run(em, { accounts: [normalizeAccount(line.payerAccount)], customerIds: [customerId] });
        },
      )
      .catch((e: unknown) => {
        // recordPayment names its fields inside `input`; here they are arguments.
        if (e instanceof DomainError && e.field?.startsWith('input.')) throw new DomainError(e.code, e.message, e.reason, e.field.slice(6), e.details);
        throw e;
      });
    return BANK_LINE_BY_ID.one(this.em, { id: line.id });
  }
}
