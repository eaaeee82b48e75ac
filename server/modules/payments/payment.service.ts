/**
 * Payments and their allocation to receivables. Every booking runs in one transaction
 * that first locks the customer row, so concurrent bookings for a customer are applied
 * one after another against fresh balances: allocations never exceed the payment nor a
 * receivable's outstanding (the database checks both again).
 */
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Principal } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { Clock } from '../../core/clock';
import { isAfter, type LocalDate, localDateAt } from '../../core/local-date';
import { type BusinessCalendar } from '../../core/business-calendar';
import { badInput, conflict, notFound, CoreErrorReason } from '../../core/errors';
import { type Cents, minCents, sumCents } from '../../core/money';
import { Page, pageSize } from '../../core/pagination';
import { isUuid } from '../../db/sql';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { Customer } from '../customers/customer.entity';
import { CustomerService } from '../customers/customer.service';
import { Receivable } from '../receivables/receivable.entity';
import type { LedgerEvents } from '../../core/ledger-events';
import { Allocation } from './allocation.entity';
import { Payment } from './payment.entity';
import { AllocationInput, PaymentFilter, RecordPaymentInput } from './payment.types';
import { paymentPage, RECEIVABLES_OF_PAYMENT } from './payment.queries';
import { findVisible, getVisible } from '../../db/find';
import { isUniqueViolation } from '../../db/unique';
import { PaymentErrorReason } from './payment.errors';

export interface PaymentRules {
  bookingLagLimitDays: number;
  timeZone: string;
}

const MAX_TEXT = 200;
const MAX_REASON_LENGTH = 1000;

/** An amount above zero that arrived on `receivedOn`, not after today: shared by `recordPayment` and bulk import. */
export function checkPaymentArrival(amount: Cents, receivedOn: LocalDate, today: LocalDate, prefix: string): void {
  if (amount <= 0n) throw badInput(`${prefix}.amount`, 'amount must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
  if (isAfter(receivedOn, today)) {
    throw badInput(`${prefix}.receivedOn`, `receivedOn ${receivedOn} is in the future (today is ${today})`, CoreErrorReason.DATE_IN_FUTURE);
  }
}

/**
 * The booking-lag rule, the same for every booking (recordPayment, bulk import, a bank
 * line applied later): booked on `bookedOn` more than BOOKING_LAG_LIMIT_DAYS working days
 * after the money arrived needs a reason; `lagField` names where the reason comes from.
 */
export function checkBookingLag(
  calendar: BusinessCalendar,
  receivedOn: LocalDate,
  bookedOn: LocalDate,
  givenReason: string | null | undefined,
  rules: Pick<PaymentRules, 'bookingLagLimitDays'>,
  prefix: string,
  lagField = `${prefix}.lagReason`,
): { bookingLagDays: number; lagReason: string | null } {
  const bookingLagDays = calendar.workingDaysAfter(receivedOn, bookedOn);
  const lagReason = givenReason?.trim() || null;
  if (bookingLagDays > rules.bookingLagLimitDays && !lagReason) {
    throw badInput(
      lagField,
      `booked ${bookingLagDays} working days after the money arrived (limit ${rules.bookingLagLimitDays}): say why in lagReason`,
      PaymentErrorReason.LAG_REASON_REQUIRED,
    );
  }
  if (lagReason && lagReason.length > MAX_REASON_LENGTH) throw badInput(lagField, 'lagReason must have at most 1000 characters', CoreErrorReason.TEXT_LENGTH);
  return { bookingLagDays, lagReason };
}

export class PaymentService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly events: LedgerEvents,
    private readonly rules: PaymentRules,
  ) {}

  findVisible(principal: Principal, id: string): Promise<Payment | null> {
    return findVisible(this.em, Payment, id, (p) => this.customers.canSee(principal, p.customerId));
  }

  getVisible(principal: Principal, id: string, field = 'id'): Promise<Payment> {
    return getVisible(this.em, Payment, id, (p) => this.customers.canSee(principal, p.customerId), 'Payment', field);
  }

  /** A page of the payments the caller may see; `count` when totalCount is asked for. */
  list(principal: Principal, filter: PaymentFilter | undefined, first: number | undefined, after: string | undefined, count = true): Promise<Page<Payment>> {
    return paymentPage(this.em, { ownerScope: ownerScope(principal), filter, first: pageSize(first), after, count });
  }

  /**
   * Books a payment. `alsoInTransaction` (an area above, e.g. a bank line being applied)
   * writes its own rows about the payment in the payment's transaction: both commit or
   * neither does. It does not run when an idempotency key answers an earlier payment.
   */
  async record(principal: Principal, input: RecordPaymentInput, alsoInTransaction?: (em: EntityManager, payment: Payment) => Promise<void>): Promise<Payment> {
    checkPaymentArrival(input.amount, input.receivedOn, this.clock.today(), 'input');
    const reference = input.reference?.trim() || null;
    if (reference && reference.length > MAX_TEXT)
      throw badInput('input.reference', `reference must have at most ${MAX_TEXT} characters`, CoreErrorReason.TEXT_LENGTH);
    const idempotencyKey = input.idempotencyKey?.trim() || null;
    if (idempotencyKey && idempotencyKey.length > MAX_TEXT)
      throw badInput('input.idempotencyKey', `idempotencyKey must have at most ${MAX_TEXT} characters`, CoreErrorReason.TEXT_LENGTH);
    this.validateAllocationInputs(input.allocations, input.amount, 'input.allocations');

    if (idempotencyKey) {
      const earlier = await this.findByIdempotencyKey(idempotencyKey, input);
      if (earlier) return earlier;
    }
    await this.customers.getVisible(principal, input.customerId, 'input.customerId');

    const calendar = await loadBusinessCalendar(this.em);
    const bookedAt = this.clock.now();
    const { bookingLagDays, lagReason } = checkBookingLag(
      calendar,
      input.receivedOn,
      localDateAt(bookedAt, this.rules.timeZone),
      input.lagReason,
      this.rules,
      'input',
    );

    try {
      const payment = await this.em.transactional(async (em) => {
        await em.findOneOrFail(Customer, { id: input.customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
        const payment = em.create(Payment, {
          customerId: input.customerId,
          amount: input.amount,
          unallocated: input.amount,
          receivedOn: input.receivedOn,
          bookedAt,
          bookedById: principal.userId,
          bookingLagDays,
          lagReason,
          method: input.method,
          reference,
          idempotencyKey,
        });
        await this.allocate(em, payment, input.allocations, 'input.allocations');
        if (alsoInTransaction) {
          await em.flush();
          await alsoInTransaction(em, payment);
        }
        return payment;
      });
      await this.reevaluateOverdue(payment.id);
      return payment;
    } catch (e) {
      // A concurrent retry with the same key won the race: answer with its payment.
      if (idempotencyKey && isUniqueViolation(e)) {
        const earlier = await this.findByIdempotencyKey(idempotencyKey, input);
        if (earlier) return earlier;
      }
      throw e;
    }
  }

  /** Applies a payment's customer credit to receivables (explicit, or oldest due first). */
  async allocateCredit(principal: Principal, id: string, allocations: AllocationInput[] | undefined): Promise<Payment> {
    const visible = await this.getVisible(principal, id);
    const allocated = await this.em.transactional(async (em) => {
      await em.findOneOrFail(Customer, { id: visible.customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const payment = await em.findOneOrFail(Payment, { id }, { refresh: true });
      if (payment.voidedAt) throw conflict('The payment is voided', PaymentErrorReason.PAYMENT_VOIDED);
      if (payment.unallocated === 0n) throw conflict('The payment has no unallocated credit', PaymentErrorReason.NO_CREDIT);
      this.validateAllocationInputs(allocations, payment.unallocated, 'allocations');
      await this.allocate(em, payment, allocations, 'allocations');
      return payment;
    });
    await this.reevaluateOverdue(id);
    return allocated;
  }

  /** Voids a payment: its allocations no longer count and what it paid is outstanding again. */
  async void(principal: Principal, id: string, reason: string): Promise<Payment> {
    const trimmed = reason.trim();
    if (!trimmed || trimmed.length > MAX_REASON_LENGTH)
      throw badInput('reason', `a reason of 1 to ${MAX_REASON_LENGTH} characters is required to void a payment`, CoreErrorReason.TEXT_LENGTH);
    const visible = await this.getVisible(principal, id);
    const voided = await this.em.transactional(async (em) => {
      await em.findOneOrFail(Customer, { id: visible.customerId }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      const payment = await em.findOneOrFail(Payment, { id }, { refresh: true });
      if (payment.voidedAt) throw conflict('The payment is already voided', PaymentErrorReason.ALREADY_VOIDED);
      const allocations = await em.find(Allocation, { paymentId: id });
      const receivables = await em.find(
        Receivable,
        { id: { $in: allocations.map((a) => a.receivableId) } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
      );
      const byId = new Map(receivables.map((r) => [r.id, r]));
      for (const allocation of allocations) {
        byId.get(allocation.receivableId)!.outstanding += allocation.amount;
        allocation.voided = true;
      }
      payment.voidedAt = this.clock.now();
      payment.voidReason = trimmed;
      payment.voidedById = principal.userId;
      return payment;
    });
    await this.reevaluateOverdue(id);
    return voided;
  }

  /**
   * After the booking commits, the overdue engine judges the receivables the payment
   * touched again: money that arrived in time clears an alarm, a void can raise one.
   */
  private async reevaluateOverdue(paymentId: string): Promise<void> {
    await this.events.receivablesChanged(await RECEIVABLES_OF_PAYMENT.all(this.em, { paymentId }));
  }

  private async findByIdempotencyKey(key: string, input: RecordPaymentInput): Promise<Payment | null> {
    const earlier = await this.em.fork().findOne(Payment, { idempotencyKey: key });
    if (!earlier) return null;
    if (
      earlier.customerId !== input.customerId ||
      earlier.amount !== input.amount ||
      earlier.receivedOn !== input.receivedOn ||
      earlier.method !== input.method
    ) {
      throw conflict('This idempotencyKey was used for a different payment', PaymentErrorReason.IDEMPOTENCY_KEY_REUSED, 'input.idempotencyKey');
    }
    return earlier;
  }

  private validateAllocationInputs(allocations: AllocationInput[] | undefined | null, available: Cents, field: string): void {
    if (!allocations) return;
    const seen = new Set<string>();
    allocations.forEach((a, i) => {
      if (a.amount <= 0n) throw badInput(`${field}.${i}.amount`, 'allocation amounts must be greater than zero', CoreErrorReason.OUT_OF_RANGE);
      if (seen.has(a.receivableId)) throw badInput(`${field}.${i}.receivableId`, 'a receivable may appear once per payment', CoreErrorReason.DUPLICATE_ENTRY);
      seen.add(a.receivableId);
    });
    if (sumCents(allocations.map((a) => a.amount)) > available) {
      throw badInput(field, 'allocations add up to more than the amount available', PaymentErrorReason.ALLOCATIONS_EXCEED_PAYMENT);
    }
  }

  /**
   * Allocates from `payment.unallocated` inside the caller's transaction, which holds the
   * customer lock. Receivables are locked and re-read, so their outstanding is current.
   */
  private async allocate(em: EntityManager, payment: Payment, explicit: AllocationInput[] | undefined | null, field: string): Promise<void> {
    const plan: { receivable: Receivable; amount: Cents }[] = [];
    if (explicit) {
      const receivables = await em.find(
        Receivable,
        { id: { $in: explicit.map((a) => a.receivableId).filter(isUuid) } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { id: 'asc' } },
      );
      const byId = new Map(receivables.map((r) => [r.id, r]));
      explicit.forEach((a, i) => {
        const receivable = byId.get(a.receivableId);
        if (!receivable || receivable.customerId !== payment.customerId) {
          throw notFound('Receivable of this customer', a.receivableId, `${field}.${i}.receivableId`);
        }
        if (receivable.writtenOffAt && receivable.outstanding === 0n)
          throw badInput(`${field}.${i}.receivableId`, `receivable ${receivable.reference} is written off`, PaymentErrorReason.WRITTEN_OFF);
        if (a.amount > receivable.outstanding) {
          throw badInput(
            `${field}.${i}.amount`,
            `allocation exceeds the outstanding amount of receivable ${receivable.reference}`,
            PaymentErrorReason.EXCEEDS_OUTSTANDING,
          );
        }
        plan.push({ receivable, amount: a.amount });
      });
    } else {
      const open = await em.find(
        Receivable,
        { customerId: payment.customerId, outstanding: { $gt: 0n } },
        { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true, orderBy: { dueOn: 'asc', issuedOn: 'asc', id: 'asc' } },
      );
      let left = payment.unallocated;
      for (const receivable of open) {
        if (left === 0n) break;
        const amount = minCents(left, receivable.outstanding);
        plan.push({ receivable, amount });
        left -= amount;
      }
    }
    const existing = new Map((await em.find(Allocation, { paymentId: payment.id })).map((a) => [a.receivableId, a]));
    for (const { receivable, amount } of plan) {
      receivable.outstanding -= amount;
      payment.unallocated -= amount;
      const earlier = existing.get(receivable.id);
      if (earlier) earlier.amount += amount;
      else {
        em.create(Allocation, {
          paymentId: payment.id,
          receivableId: receivable.id,
          amount,
          receivedOn: payment.receivedOn,
          issuedOn: receivable.issuedOn,
        });
      }
    }
  }
}
