/**
 * A receivable: money a customer owes for one invoice. `outstanding` is kept equal to
 * amount − allocations of non-void payments − write-off − credits, in the same transaction as every
 * change to those, under a row lock; the database checks 0 ≤ outstanding ≤ amount.
 */
import { randomUUID } from 'node:crypto';
import { Entity, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

export enum ReceivableStatus {
  OPEN = 'OPEN',
  PARTIALLY_PAID = 'PARTIALLY_PAID',
  PAID = 'PAID',
  CREDITED = 'CREDITED',
  WRITTEN_OFF = 'WRITTEN_OFF',
}
registerEnumType(ReceivableStatus, {
  name: 'ReceivableStatus',
  valuesConfig: {
    OPEN: { description: 'Nothing paid, credited or written off: the whole amount is outstanding.' },
    PARTIALLY_PAID: { description: 'Some of it is settled (paid, credited or written off), some still outstanding.' },
    PAID: { description: 'Nothing outstanding, settled by payments alone.' },
    CREDITED: { description: 'Nothing outstanding, not written off, and closed at least partly by a credit (e.g. a dispute resolved VALID or PARTIAL).' },
    WRITTEN_OFF: { description: 'Nothing outstanding, and (the rest) written off.' },
  },
});

/** A receivable's status from its amounts: one rule for the entity, read rows and the SQL of STATUS_SQL and the projection. */
export function receivableStatus(amount: Cents, outstanding: Cents, writtenOffAt: Date | null, creditedAmount: Cents): ReceivableStatus {
  // A void after a write-off can make money outstanding again: then it is owed, whatever was written off.
  if (outstanding === 0n) return writtenOffAt ? ReceivableStatus.WRITTEN_OFF : creditedAmount > 0n ? ReceivableStatus.CREDITED : ReceivableStatus.PAID;
  return outstanding < amount ? ReceivableStatus.PARTIALLY_PAID : ReceivableStatus.OPEN;
}

// Plain fields read straight from the object: no per-field middleware, nothing here needs authorization.
@ObjectType({ simpleResolvers: true })
@Entity({ tableName: 'receivable' })
export class Receivable {
  [OptionalProps]?: 'writtenOffAmount' | 'creditedAmount' | 'writtenOffAt' | 'writeOffReason' | 'writtenOffById' | 'createdAt' | 'status';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  customerId!: string;

  /** Owner of the customer when the receivable was issued; reassignment does not change it. */
  @Property({ type: 'uuid' })
  salespersonId!: string;

  @Field({ description: 'Invoice or order number, unique per customer.' })
  @Property({ type: 'text' })
  reference!: string;

  @Field(() => MoneyScalar)
  @Property({ type: MoneyType })
  amount!: Cents;

  @Field(() => LocalDateScalar)
  @Property({ type: 'date' })
  issuedOn!: LocalDate;

  @Field(() => LocalDateScalar)
  @Property({ type: 'date' })
  dueOn!: LocalDate;

  @Field(() => LocalDateScalar, {
    description: 'Due date rolled forward to the next working day, plus the grace working days.',
  })
  @Property({ type: 'date' })
  effectiveDueOn!: LocalDate;

  @Field(() => MoneyScalar, { description: 'amount − allocations of non-void payments − write-off − credits' })
  @Property({ type: MoneyType })
  outstanding!: Cents;

  @Field(() => MoneyScalar)
  @Property({ type: MoneyType })
  writtenOffAmount: Cents = 0n;

  @Field(() => MoneyScalar, {
    description: 'Σ credits granted on this receivable (e.g. disputes resolved VALID or PARTIAL): parts no longer claimed, each counting from its date.',
  })
  @Property({ type: MoneyType })
  creditedAmount: Cents = 0n;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  writtenOffAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  writeOffReason: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  writtenOffById: string | null = null;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  get status(): ReceivableStatus {
    return receivableStatus(this.amount, this.outstanding, this.writtenOffAt, this.creditedAmount);
  }
}
