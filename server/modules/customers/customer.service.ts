/** Customers: creation, changes, reassignment and visibility-scoped reads. */
import { EntityManager } from '@mikro-orm/postgresql';
import { Principal, Role } from '../../core/auth';
import type { Clock } from '../../core/clock';
import type { LedgerEvents } from '../../core/ledger-events';
import { canSeeCustomerOwnedBy, ownerScope } from '../../core/access';
import { badInput, conflict, forbidden, notFound, CoreErrorReason } from '../../core/errors';
import { Page, pageSize } from '../../core/pagination';
import { User } from '../users/user.entity';
import { Customer } from './customer.entity';
import { CreateCustomerInput, CustomerFilter, UpdateCustomerInput } from './customer.types';
import { customerPage, type CustomerReads, customersById, type CustomerRow } from './customer.queries';
import { findById, findVisible, getVisible } from '../../db/find';
import { onUniqueViolation } from '../../db/unique';
import { type Today } from '../../db/positions';
import { isUuid } from '../../db/sql';
import { CustomerErrorReason } from './customer.errors';

const MAX_CREDIT_TERM_DAYS = 3650;

/** What a read of customers brings along (the reader's selection), and whether to count a list. */
export interface CustomerReadOptions {
  reads?: CustomerReads;
  count?: boolean;
}

/**
 * The field rules of a customer (code, name, credit term), shared by the single-row
 * mutations and bulk import: the first broken rule is thrown as a DomainError naming
 * `${prefix}.<field>`.
 */
export function validateCustomerFields(input: Partial<CreateCustomerInput>, prefix: string): void {
  if (input.code !== undefined && input.code !== null) {
    const code = input.code.trim();
    if (code.length < 1 || code.length > 40) throw badInput(`${prefix}.code`, 'code must have 1 to 40 characters', CoreErrorReason.TEXT_LENGTH);
  }
  if (input.name !== undefined && input.name !== null) {
    const name = input.name.trim();
    if (name.length < 1 || name.length > 200) throw badInput(`${prefix}.name`, 'name must have 1 to 200 characters', CoreErrorReason.TEXT_LENGTH);
  }
  if (input.creditTermDays !== undefined && input.creditTermDays !== null) {
    if (input.creditTermDays < 0 || input.creditTermDays > MAX_CREDIT_TERM_DAYS) {
      throw badInput(`${prefix}.creditTermDays`, `creditTermDays must be from 0 to ${MAX_CREDIT_TERM_DAYS}`, CoreErrorReason.OUT_OF_RANGE);
    }
  }
}

export class CustomerService {
  constructor(
    private readonly em: EntityManager,
    private readonly clock: Clock,
    private readonly timeZone: string,
    private readonly events: LedgerEvents,
  ) {}

  /** What "today" means to the figures as of today. */
  private today(): Today {
    return { today: this.clock.today(), tz: this.timeZone };
  }

  /** A customer the caller may see, or NOT_FOUND (existence is not disclosed). */
  getVisible(principal: Principal, id: string, field = 'id'): Promise<Customer> {
    return getVisible(this.em, Customer, id, (c) => canSeeCustomerOwnedBy(principal, c.ownerId), 'Customer', field);
  }

  findVisible(principal: Principal, id: string): Promise<Customer | null> {
    return findVisible(this.em, Customer, id, (c) => canSeeCustomerOwnedBy(principal, c.ownerId));
  }

  /**
   * A customer the caller may see, as a read row (no entity) with what `reads` asks for
   * in the same statement, or null: the `customer(id)` query.
   */
  async readVisible(principal: Principal, id: string, reads?: CustomerReads): Promise<CustomerRow | null> {
    if (!isUuid(id)) return null;
    const [row] = await customersById(this.em, [id], this.today(), reads);
    return row && canSeeCustomerOwnedBy(principal, row.ownerId) ? row : null;
  }

  /** Whether the caller sees the customer, and so everything under it (receivables, payments). */
  async canSee(principal: Principal, customerId: string): Promise<boolean> {
    return (await this.readVisible(principal, customerId)) !== null;
  }

  list(
    principal: Principal,
    filter: CustomerFilter | undefined,
    first: number | undefined,
    after: string | undefined,
    { reads = { balances: false, owner: false }, count = true }: CustomerReadOptions = {},
  ): Promise<Page<CustomerRow>> {
    return customerPage(this.em, { ownerScope: ownerScope(principal), filter, first: pageSize(first), after, today: this.today(), count, reads });
  }

  private async assertSalesOwner(ownerId: string, field: string): Promise<void> {
    const owner = await findById(this.em, User, ownerId);
    if (!owner) throw notFound('User', ownerId, field);
    if (owner.role !== Role.SALES || !owner.active) {
      throw badInput(field, 'the owner must be an active SALES user', CustomerErrorReason.OWNER_NOT_SALES);
    }
  }

  private validateFields(input: Partial<CreateCustomerInput>, prefix: string): void {
    validateCustomerFields(input, prefix);
  }

  private async assertCodeFree(code: string, exceptId?: string): Promise<void> {
    const existing = await this.em.findOne(Customer, { code });
    if (existing && existing.id !== exceptId) throw conflict(`Customer code ${code} is taken`, CustomerErrorReason.CODE_TAKEN, 'input.code');
  }

  async create(principal: Principal, input: CreateCustomerInput): Promise<Customer> {
    this.validateFields(input, 'input');
    const scope = ownerScope(principal);
    if (scope && input.ownerId !== scope) {
      throw forbidden('A salesperson creates customers for themselves only');
    }
    await this.assertSalesOwner(input.ownerId, 'input.ownerId');
    const code = input.code.trim();
    await this.assertCodeFree(code);
    const customer = this.em.create(Customer, {
      code,
      name: input.name.trim(),
      ownerId: input.ownerId,
      creditTermDays: input.creditTermDays,
      creditLimit: input.creditLimit,
    });
    await this.flushUnique();
    return customer;
  }

  async update(principal: Principal, id: string, input: UpdateCustomerInput): Promise<Customer> {
    const customer = await this.getVisible(principal, id);
    this.validateFields(input, 'input');
    if (input.code !== undefined && input.code !== null) {
      const code = input.code.trim();
      await this.assertCodeFree(code, customer.id);
      customer.code = code;
    }
    if (input.name !== undefined && input.name !== null) customer.name = input.name.trim();
    if (input.creditTermDays !== undefined && input.creditTermDays !== null) customer.creditTermDays = input.creditTermDays;
    const limitChanged = input.creditLimit !== undefined && input.creditLimit !== null && input.creditLimit !== customer.creditLimit;
    if (input.creditLimit !== undefined && input.creditLimit !== null) customer.creditLimit = input.creditLimit;
    await this.flushUnique();
    // The credit status compares overdue money with the limit: judged again at once.
    if (limitChanged) await this.events.customersChanged([customer.id]);
    return customer;
  }

  /** Moves the customer to another salesperson; existing receivables keep their salesperson. */
  async reassign(principal: Principal, id: string, ownerId: string): Promise<Customer> {
    const customer = await this.getVisible(principal, id);
    await this.assertSalesOwner(ownerId, 'ownerId');
    customer.ownerId = ownerId;
    await this.em.flush();
    return customer;
  }

  /** A concurrent insert of the same code loses at the unique index: report it as CONFLICT. */
  private flushUnique(): Promise<void> {
    return onUniqueViolation(
      () => this.em.flush(),
      () => {
        throw conflict('Customer code is taken', CustomerErrorReason.CODE_TAKEN, 'input.code');
      },
    );
  }
}
