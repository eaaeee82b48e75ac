/**
 * A payment received from a customer. `receivedOn` is the date the money actually
 * arrived (supplied by the person booking it) and drives every analysis; `bookedAt` is
 * when it was recorded. Payments are voided, never deleted.
 */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

export enum PaymentMethod {
  BANK_TRANSFER = 'BANK_TRANSFER',
  CASH = 'CASH',
  CHECK = 'CHECK',
  CARD = 'CARD',
  MOBILE = 'MOBILE',
  OTHER = 'OTHER',
}
registerEnumType(PaymentMethod, { name: 'PaymentMethod' });

@ObjectType()
@Entity({ tableName: 'payment' })
export class Payment {
  [OptionalProps]?: 'bookedAt' | 'lagReason' | 'reference' | 'idempotencyKey' | 'voidedAt' | 'voidReason' | 'voidedById' | 'voided';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  customerId!: string;

  @Field(() => MoneyScalar)
  @Property({ type: MoneyType })
  amount!: Cents;

  @Field(() => MoneyScalar, { description: 'Part of the amount not allocated: customer credit.' })
  @Property({ type: MoneyType })
  unallocated!: Cents;

  @Field(() => LocalDateScalar, { description: 'The date the money actually arrived.' })
  @Property({ type: 'date' })
  receivedOn!: LocalDate;

  @Field(() => Date, { description: 'When the payment was booked (set by the server).' })
  @Property({ type: 'timestamptz' })
  bookedAt: Date = new Date();

  @Property({ type: 'uuid' })
  bookedById!: string;

  @Field(() => Int, { description: 'Working days from receivedOn to the booking date.' })
  @Property({ type: 'integer' })
  bookingLagDays!: number;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  lagReason: string | null = null;

  @Field(() => PaymentMethod)
  @Enum({ items: () => PaymentMethod, type: 'text' })
  method!: PaymentMethod;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  reference: string | null = null;

  @Property({ type: 'text', nullable: true, unique: true })
  idempotencyKey: string | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  voidedAt: Date | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  voidReason: string | null = null;

  @Property({ type: 'uuid', nullable: true })
  voidedById: string | null = null;

  @Field()
  get voided(): boolean {
    return this.voidedAt !== null;
  }
}
