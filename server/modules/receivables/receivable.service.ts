/** Receivables: issuing, writing off, payment notices and visibility-scoped reads. */
import { EntityManager, LockMode } from '@mikro-orm/postgresql';
import { Principal, Role } from '../../core/auth';
import { ownerScope } from '../../core/access';
import { Clock } from '../../core/clock';
import { addDays, isAfter, isBefore, type LocalDate } from '../../core/local-date';
import { badInput, conflict, forbidden, notFound } from '../../core/errors';
import { Page, pageSize } from '../../core/pagination';
import { keysetPage } from '../../db/keyset';
import { Where } from '../../db/sql';
import { loadBusinessCalendar } from '../calendar/calendar.service';
import { CustomerService } from '../customers/customer.service';
import { OverdueService } from '../overdue/overdue.service';
import { Receivable } from './receivable.entity';
import { CreateReceivableInput, PaymentNoticeInput, ReceivableFilter } from './receivable.inputs';
import { receivableFilterWhere } from './receivable.queries';
import { PaymentNotice, PaymentNoticeStatus } from './payment-notice.entity';
import { findById } from '../../db/find';

const MAX_REASON_LENGTH = 1000;

export class ReceivableService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly customers: CustomerService,
    private readonly overdue: OverdueService,
    private readonly rules: { graceWorkingDays: number; paymentNoticeHoldDays: number },
  ) {}

  async findVisible(principal: Principal, id: string): Promise<Receivable | null> {
    const receivable = await findById(this.em, Receivable, id);
    if (!receivable) return null;
    return (await this.customers.findVisible(principal, receivable.customerId)) ? receivable : null;
  }

  async getVisible(principal: Principal, id: string, field = 'id'): Promise<Receivable> {
    const receivable = await this.findVisible(principal, id);
    if (!receivable) throw notFound('Receivable', id, field);
    return receivable;
  }

  list(principal: Principal, filter: ReceivableFilter | undefined, first: number | undefined, after: string | undefined): Promise<Page<Receivable>> {
    const where = receivableFilterWhere(new Where(), filter);
    const scope = ownerScope(principal);
    if (scope) where.add('c.owner_id = ?', scope);
    return keysetPage(this.em, {
      entity: Receivable,
      from: 'from receivable r join customer c on c.id = r.customer_id',
      alias: 'r',
      where,
      keys: [
        { column: 'r.due_on', cast: 'date', value: (r) => r.dueOn },
        { column: 'r.id', cast: 'uuid', value: (r) => r.id },
      ],
      first: pageSize(first),
      after,
    });
  }

  async create(principal: Principal, input: CreateReceivableInput): Promise<Receivable> {
    const customer = await this.customers.getVisible(principal, input.customerId, 'input.customerId');
    const reference = input.reference.trim();
    if (reference.length < 1 || reference.length > 60) throw badInput('input.reference', 'reference must have 1 to 60 characters');
    if (input.amount <= 0n) throw badInput('input.amount', 'amount must be greater than zero');
    const dueOn: LocalDate = input.dueOn ?? addDays(input.issuedOn, customer.creditTermDays);
    if (isBefore(dueOn, input.issuedOn)) throw badInput('input.dueOn', 'dueOn must not be before issuedOn');
    if (await this.em.count(Receivable, { customerId: customer.id, reference })) {
      throw conflict(`Customer ${customer.code} already has a receivable ${reference}`, 'REFERENCE_TAKEN', 'input.reference');
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
    try {
      await this.em.flush();
    } catch (e) {
      if ((e as Error).name === 'UniqueConstraintViolationException') {
        throw conflict(`Customer ${customer.code} already has a receivable ${reference}`, 'REFERENCE_TAKEN', 'input.reference');
      }
      throw e;
    }
    return receivable;
  }

  /** Writes off what is still outstanding; the receivable stops counting as owed. */
  async writeOff(principal: Principal, id: string, reason: string): Promise<Receivable> {
    const trimmed = reason.trim();
    if (!trimmed) throw badInput('reason', 'a reason is required to write off');
    if (trimmed.length > MAX_REASON_LENGTH) throw badInput('reason', `reason must have at most ${MAX_REASON_LENGTH} characters`, 'STRING_TOO_LONG');
    await this.getVisible(principal, id);
    const writtenOff = await this.em.transactional(async (em) => {
      const receivable = await em.findOneOrFail(Receivable, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true });
      if (receivable.outstanding === 0n) {
        throw receivable.writtenOffAt
          ? conflict('The receivable is already written off', 'ALREADY_WRITTEN_OFF')
          : conflict('Nothing is outstanding on this receivable', 'NOTHING_OUTSTANDING');
      }
      // Adds up: money made outstanding again by a void can be written off once more.
      receivable.writtenOffAmount += receivable.outstanding;
      receivable.outstanding = 0n;
      receivable.writtenOffAt = this.clock.now();
      receivable.writeOffReason = trimmed;
      receivable.writtenOffById = principal.userId;
      return receivable;
    });
    await this.overdue.reevaluate([id]);
    return writtenOff;
  }

  async reportPaymentNotice(principal: Principal, input: PaymentNoticeInput): Promise<PaymentNotice> {
    if (principal.role !== Role.SALES && principal.role !== Role.ADMIN) throw forbidden('Only salespeople report payment notices');
    const receivable = await this.getVisible(principal, input.receivableId, 'input.receivableId');
    const note = input.note.trim();
    if (!note || note.length > 2000) throw badInput('input.note', 'note must have 1 to 2000 characters');
    if (isAfter(input.claimedPaidOn, this.clock.today())) throw badInput('input.claimedPaidOn', 'claimedPaidOn must not be in the future', 'DATE_IN_FUTURE');
    if (receivable.outstanding === 0n) throw conflict('Nothing is outstanding on this receivable', 'NOTHING_OUTSTANDING', 'input.receivableId');
    const today = this.clock.today();
    const calendar = await loadBusinessCalendar(this.em);
    const notice = this.em.create(PaymentNotice, {
      receivableId: receivable.id,
      reportedById: principal.userId,
      claimedPaidOn: input.claimedPaidOn,
      note,
      status: PaymentNoticeStatus.OPEN,
      createdOn: today,
      // The alarm is held back today and for the next PAYMENT_NOTICE_HOLD_DAYS working days.
      holdUntil: calendar.addWorkingDays(today, this.rules.paymentNoticeHoldDays),
    });
    await this.em.flush();
    await this.overdue.reevaluate([receivable.id]);
    return notice;
  }
}
