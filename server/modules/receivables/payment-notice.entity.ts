/** A salesperson's report that the customer says they paid: holds back the overdue alarm. */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { LocalDateScalar } from '../../core/scalars';

export enum PaymentNoticeStatus {
  OPEN = 'OPEN',
  CONFIRMED = 'CONFIRMED',
  EXPIRED = 'EXPIRED',
  WITHDRAWN = 'WITHDRAWN',
}
registerEnumType(PaymentNoticeStatus, { name: 'PaymentNoticeStatus' });

@ObjectType()
@Entity({ tableName: 'payment_notice' })
export class PaymentNotice {
  [OptionalProps]?: 'status' | 'createdAt';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  receivableId!: string;

  @Property({ type: 'uuid' })
  reportedById!: string;

  @Field(() => LocalDateScalar, { description: 'The date the customer says the money was paid.' })
  @Property({ type: 'date' })
  claimedPaidOn!: LocalDate;

  @Field()
  @Property({ type: 'text' })
  note!: string;

  @Field(() => PaymentNoticeStatus)
  @Enum({ items: () => PaymentNoticeStatus, type: 'text' })
  status: PaymentNoticeStatus = PaymentNoticeStatus.OPEN;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Field(() => LocalDateScalar, { description: 'The business date the notice was reported.' })
  @Property({ type: 'date' })
  createdOn!: LocalDate;

  @Field(() => LocalDateScalar, { description: 'The overdue alarm is held back up to and including this date.' })
  @Property({ type: 'date' })
  holdUntil!: LocalDate;
}
