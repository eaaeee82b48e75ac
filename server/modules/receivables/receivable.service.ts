/** Receivables: issuing, writing off, payment notices and visibility-scoped reads. */
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { Permission, ownerScope, requireAccess } from '../../core/access';
import { Clock } from '../../core/clock';
import { addDays, type LocalDate, isAfter, isBefore } from '../../core/local-date';
import { badInput, conflict, CoreErrorReason } from '../../core/errors';
import { Page, pageSize } from '../../core/pagination';
import { type BusinessCalendar } from '../../core/business-calendar';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { CustomerService } from '../customers/customer.service';
import type { LedgerEvents } from '../../core/ledger-events';
import { Receivable } from './receivable.entity';
import { ReceivableCredit } from './receivable-credit.entity';
import { type Cents } from '../../core/money';
import { CreateReceivableInput, PaymentNoticeInput, ReceivableFilter } from './receivable.types';
import { RECEIVABLES_BY_ID, receivablePage, type ReceivableRow } from './receivable.queries';
import { PaymentNotice, PaymentNoticeStatus } from './payment-notice.entity';
import { ExtensionPoint } from '../../core/extension-points';
import { getVisible } from '../../db/find';
import { isUuid } from '../../db/sql';
import { onUniqueViolation } from '../../db/unique';
import { ReceivableErrorReason } from './receivable.errors';

const MAX_REASON_LENGTH = 1000;

/** What a payment notice participant is given: the notice just stored, in its transaction. */
export interface PaymentNoticeRun {
  em: EntityManager;
  principal: Principal;
  notice: PaymentNotice;
  customerId: string;
}

/** Work a higher area does with every payment notice, in its transaction (the contact log records it as an activity). */
export interface PaymentNoticeParticipant {
  afterNotice(run: PaymentNoticeRun): Promise<void>;
}

/** Higher areas add their participants here in their `setup`. */
export const PAYMENT_NOTICE_PARTICIPANTS = new ExtensionPoint<PaymentNoticeParticipant>('receivables.paymentNoticeParticipants');

/**
 * Stores a payment notice inside the caller's transaction: the one alarm-holding rule of
 * `reportPaymentNotice` and of a CLAIMS_PAID collection activity. The alarm is held back
 * from `today` (the day it is reported) through the next PAYMENT_NOTICE_HOLD_DAYS working
 * days; the notice's trigger marks the receivable for the overdue engine, and the caller
 * announces the change (ledger events) after commit.
 */
export async function storePaymentNotice(
  em: EntityManager,
  calendar: BusinessCalendar,
  holdDays: number,
  notice: { receivableId: string; reportedById: string; claimedPaidOn: LocalDate; note: string; today: LocalDate },
): Promise<PaymentNotice> {
  const created = em.create(PaymentNotice, {
    receivableId: notice.receivableId,
    reportedById: notice.reportedById,
    claimedPaidOn: notice.claimedPaidOn,
    note: notice.note,
    status: PaymentNoticeStatus.OPEN,
    createdOn: notice.today,
    holdUntil: calendar.addWorkingDays(notice.today, holdDays),
  });
  await em.flush();
  return created;
}

/**
 * The field rules of a receivable, shared by `createReceivable` and bulk import: the
 * reference trimmed (1–60 characters), an amount above zero, the due date (issue date +
 * the customer's credit term when not given) not before the issue date. The first broken
 * rule is thrown as a DomainError naming `${prefix}.<field>`.
 */
export function validateReceivableFields(
  input: { reference: string; amount: Cents; issuedOn: LocalDate; dueOn?: LocalDate | null },
  creditTermDays: number,
  prefix: string,
): { reference: string; dueOn: LocalDate } {
  const reference = input.reference.trim();
  if (reference.length < 1 || reference.length > 60)
    throw badInput(`${prefix}.reference`, 'reference must have 1 to 60 characters', CoreErrorReason.TEXT_LENGTH);
  if (input.amount <= 0n) throw badInput(`${prefix}.amount`, 'amount must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
  const dueOn: LocalDate = input.dueOn ?? addDays(input.issuedOn, creditTermDays);
  if (isBefore(dueOn, input.issuedOn)) throw badInput(`${prefix}.dueOn`, 'dueOn must not be before issuedOn', ReceivableErrorReason.DUE_BEFORE_ISSUE);
  return { reference, dueOn };
}

export class ReceivableService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly events: LedgerEvents,
    private readonly rules: { graceWorkingDays: number; paymentNoticeHoldDays: number; timeZone: string },
    private readonly noticeParticipants: readonly PaymentNoticeParticipant[] = [],
  ) {}

  /** A receivable the caller may see, as a read row (no entity), or null: the `receivable(id)` query. */
  async readVisible(principal: Principal, id: string): Promise<ReceivableRow | null> {
    if (!isUuid(id)) return null;
    const row = await RECEIVABLES_BY_ID.maybeOne(this.em, { ids: [id] });
    return row && (await this.customers.canSee(principal, row.customerId)) ? row : null;
  }

  getVisible(principal: Principal, id: string, field = 'id'): Promise<Receivable> {
    return getVisible(this.em, Receivable, id, (r) => this.customers.canSee(principal, r.customerId), 'Receivable', field);
  }

  /** A page of the receivables the caller may see; `count` when totalCount is asked for. */
  list(
    principal: Principal,
    filter: ReceivableFilter | undefined,
    first: number | undefined,
    after: string | undefined,
    count = true,
  ): Promise<Page<ReceivableRow>> {
    return receivablePage(this.em, {
      ownerScope: ownerScope(principal),
      filter,
      today: { today: this.clock.today(), tz: this.rules.timeZone },
      first: pageSize(first),
      after,
      count,
    });
  }

  async create(principal: Principal, input: CreateReceivableInput): Promise<Receivable> {
    const customer = await this.customers.getVisible(principal, input.customerId, 'input.customerId');
    const { reference, dueOn } = validateReceivableFields(input, customer.creditTermDays, 'input');
    if (await this.em.count(Receivable, { customerId: customer.id, reference })) {
      throw conflict(`Customer ${customer.code} already has a receivable ${reference}`, ReceivableErrorReason.REFERENCE_TAKEN, 'input.reference');
    }
    const calendar = await loadBusinessCalendar(this.em);
    const receivable = this.em.create(Receivable, {
      customerId: customer.id,
      salespersonId: customer.ownerId,
      reference,
      amount: input.amount,
      issuedOn: input.issuedOn,
      dueOn,
      effectiveDueOn: calendar.effectiveDueOn(dueOn, this.rules.graceWorkingDays),
      outstanding: input.amount,
    });
    await onUniqueViolation(
      () => this.em.flush(),
      () => {
        throw conflict(`Customer ${customer.code} already has a receivable ${reference}`, ReceivableErrorReason.REFERENCE_TAKEN, 'input.reference');
      },
    );
    return receivable;
  }

  /** Writes off what is still outstanding; the receivable stops counting as owed. */
  async writeOff(principal: Principal, id: string, reason: string): Promise<Receivable> {
    const trimmed = reason.trim();
    if (!trimmed || trimmed.length > MAX_REASON_LENGTH)
      throw badInput('reason', `a reason of 1 to ${MAX_REASON_LENGTH} characters is required to write off`, CoreErrorReason.TEXT_LENGTH);
    await this.getVisible(principal, id);
    const writtenOff = await this.em.transactional(async (em) => {
      const receivable = await em.findOneOrFail(Receivable, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (receivable.outstanding === 0n) {
        throw receivable.writtenOffAt
          ? conflict('The receivable is already written off', ReceivableErrorReason.ALREADY_WRITTEN_OFF)
          : conflict('Nothing is outstanding on this receivable', ReceivableErrorReason.NOTHING_OUTSTANDING);
      }
      // Adds up: money made outstanding again by a void can be written off once more.
      receivable.writtenOffAmount += receivable.outstanding;
      receivable.outstanding = 0n;
      receivable.writtenOffAt = this.clock.now();
      receivable.writeOffReason = trimmed;
      receivable.writtenOffById = principal.userId;
      return receivable;
    });
    await this.events.receivablesChanged([id]);
    return writtenOff;
  }

  /**
   * Grants a credit of `amount` on a receivable inside the caller's transaction (`em`),
   * dated today: the receivable is locked and re-read, and the credit may not exceed what
   * is outstanding now. The caller announces the change (ledger events) after commit.
   */
  async grantCredit(em: EntityManager, receivableId: string, amount: Cents, reason: string, byId: string): Promise<ReceivableCredit> {
    const receivable = await em.findOneOrFail(Receivable, { id: receivableId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
    if (amount <= 0n) throw badInput('amount', 'a credit must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
    if (amount > receivable.outstanding)
      throw conflict('The credit exceeds what is outstanding on this receivable', ReceivableErrorReason.CREDIT_EXCEEDS_OUTSTANDING, 'amount');
    receivable.outstanding -= amount;
    receivable.creditedAmount += amount;
    return em.create(ReceivableCredit, { receivableId, amount, creditedOn: this.clock.today(), reason, creditedById: byId });
  }

  async reportPaymentNotice(principal: Principal, input: PaymentNoticeInput): Promise<PaymentNotice> {
    requireAccess(principal, Permission.PAYMENT_NOTICE_REPORT, 'Only salespeople report payment notices');
    const receivable = await this.getVisible(principal, input.receivableId, 'input.receivableId');
    const note = input.note.trim();
    if (!note || note.length > 2000) throw badInput('input.note', 'note must have 1 to 2000 characters', CoreErrorReason.TEXT_LENGTH);
    if (isAfter(input.claimedPaidOn, this.clock.today()))
      throw badInput('input.claimedPaidOn', 'claimedPaidOn must not be in the future', CoreErrorReason.DATE_IN_FUTURE);
    if (receivable.outstanding === 0n)
      throw conflict('Nothing is outstanding on this receivable', ReceivableErrorReason.NOTHING_OUTSTANDING, 'input.receivableId');
    const today = this.clock.today();
    const calendar = await loadBusinessCalendar(this.em);
    const notice = await this.em.transactional(async (em) => {
      const created = await storePaymentNotice(em, calendar, this.rules.paymentNoticeHoldDays, {
        receivableId: receivable.id,
        reportedById: principal.userId,
        claimedPaidOn: input.claimedPaidOn,
        note,
        today,
      });
      for (const participant of this.noticeParticipants) await participant.afterNotice({ em, principal, notice: created, customerId: receivable.customerId });
      return created;
    });
    await this.events.receivablesChanged([receivable.id]);
    return notice;
  }
}
