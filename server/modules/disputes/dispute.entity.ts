/**
 * A dispute: the customer contests `amount` of a receivable. While open, the disputed
 * amount leaves the chase (a fully disputed receivable does not escalate) but stays in
 * every money figure, shown as the `disputed` slice. It is resolved once: VALID (the
 * disputed amount is credited), INVALID (back into the chase) or PARTIAL (a part is
 * credited, the rest goes back into the chase). The row keeps the whole history.
 */
import { randomUUID } from 'node:crypto';
import { Entity, Enum, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { MoneyType } from '../../db/money.type';

export enum DisputeCategory {
  PRICE = 'PRICE',
  QUANTITY = 'QUANTITY',
  QUALITY = 'QUALITY',
  DELIVERY = 'DELIVERY',
  NOT_ORDERED = 'NOT_ORDERED',
  OTHER = 'OTHER',
}
registerEnumType(DisputeCategory, {
  name: 'DisputeCategory',
  description: 'What the customer contests.',
  valuesConfig: {
    PRICE: { description: 'The price or a discount is wrong.' },
    QUANTITY: { description: 'Fewer goods arrived than invoiced.' },
    QUALITY: { description: 'Goods damaged or not as agreed.' },
    DELIVERY: { description: 'Not delivered, late or to the wrong place.' },
    NOT_ORDERED: { description: 'The customer says they never ordered it.' },
    OTHER: { description: 'Anything else (say what in the reason).' },
  },
});

export enum DisputeState {
  OPEN = 'OPEN',
  RESOLVED = 'RESOLVED',
}
registerEnumType(DisputeState, { name: 'DisputeState' });

export enum DisputeOutcome {
  VALID = 'VALID',
  INVALID = 'INVALID',
  PARTIAL = 'PARTIAL',
}
registerEnumType(DisputeOutcome, {
  name: 'DisputeOutcome',
  valuesConfig: {
    VALID: { description: 'The customer is right: the disputed amount (at most what is still outstanding) is credited.' },
    INVALID: { description: 'The customer owes it: the amount goes back into the chase at the stage the overdue engine reaches.' },
    PARTIAL: { description: 'Partly right: `amount` is credited, the rest goes back into the chase.' },
  },
});

@ObjectType({ description: 'A customer’s dispute of (part of) a receivable, with its whole history.' })
@Entity({ tableName: 'dispute' })
export class Dispute {
  [OptionalProps]?: 'state' | 'openedAt' | 'outcome' | 'creditedAmount' | 'creditId' | 'resolutionNote' | 'resolvedOn' | 'resolvedAt' | 'resolvedById';

  @Field(() => ID)
  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  receivableId!: string;

  @Property({ type: 'uuid' })
  customerId!: string;

  @Field(() => MoneyScalar, { description: 'The amount the customer disputes.' })
  @Property({ type: MoneyType })
  amount!: Cents;

  @Field(() => DisputeCategory)
  @Enum({ items: () => DisputeCategory, type: 'text' })
  category!: DisputeCategory;

  @Field({ description: 'What the customer says, as recorded when the dispute was opened.' })
  @Property({ type: 'text' })
  reason!: string;

  @Field(() => DisputeState)
  @Enum({ items: () => DisputeState, type: 'text' })
  state: DisputeState = DisputeState.OPEN;

  @Field(() => LocalDateScalar, { description: 'The business date it was opened: from this day the amount is disputed.' })
  @Property({ type: 'date' })
  openedOn!: LocalDate;

  @Field(() => Date)
  @Property({ type: 'timestamptz' })
  openedAt: Date = new Date();

  @Property({ type: 'uuid' })
  openedById!: string;

  @Field(() => DisputeOutcome, { nullable: true })
  @Enum({ items: () => DisputeOutcome, type: 'text', nullable: true })
  outcome: DisputeOutcome | null = null;

  @Field(() => MoneyScalar, { description: 'The credit granted at resolution (0 while open and for INVALID).' })
  @Property({ type: MoneyType })
  creditedAmount: Cents = 0n;

  @Property({ type: 'uuid', nullable: true })
  creditId: string | null = null;

  @Field(() => String, { nullable: true })
  @Property({ type: 'text', nullable: true })
  resolutionNote: string | null = null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The business date it was resolved: from this day nothing of it is disputed.' })
  @Property({ type: 'date', nullable: true })
  resolvedOn: LocalDate | null = null;

  @Field(() => Date, { nullable: true })
  @Property({ type: 'timestamptz', nullable: true })
  resolvedAt: Date | null = null;

  @Property({ type: 'uuid', nullable: true })
  resolvedById: string | null = null;
}
