/** GraphQL types of the contact log. */
import { ArgsType, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { connectionType, PageArgs } from '../../core/pagination';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';

export enum ActivityKind {
  CALL = 'CALL',
  VISIT = 'VISIT',
  MESSAGE = 'MESSAGE',
  EMAIL = 'EMAIL',
}
registerEnumType(ActivityKind, { name: 'ActivityKind', description: 'How the customer was contacted.' });

export enum ActivityOutcome {
  REACHED = 'REACHED',
  NO_ANSWER = 'NO_ANSWER',
  PROMISED = 'PROMISED',
  DISPUTED = 'DISPUTED',
  CLAIMS_PAID = 'CLAIMS_PAID',
  REFUSED = 'REFUSED',
}
registerEnumType(ActivityOutcome, {
  name: 'ActivityOutcome',
  description:
    'What the customer said. PROMISED records a promise to pay in the same call (input.promise); DISPUTED may open a dispute (input.dispute); CLAIMS_PAID holds the alarm of its receivables like reportPaymentNotice (which records a CLAIMS_PAID activity too).',
});

/** One logged contact with a customer (a row of `collection_activity`). */
@ObjectType({ description: 'A logged contact with a customer: a call, visit, message or e-mail, and what came of it.' })
export class CollectionActivity {
  customerId!: string;
  recordedById!: string;
  receivableIds!: string[];

  @Field(() => ID)
  id!: string;

  @Field(() => ActivityKind, { nullable: true, description: 'Null for an activity recorded by reportPaymentNotice.' })
  kind!: ActivityKind | null;

  @Field(() => ActivityOutcome)
  outcome!: ActivityOutcome;

  @Field()
  note!: string;

  @Field(() => Date, { description: 'When it happened, as captured on the phone.' })
  occurredAt!: Date;

  @Field(() => LocalDateScalar, { description: 'The business date it happened on (company time zone).' })
  occurredOn!: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: 'When the next step with this customer is due.' })
  nextActionOn!: LocalDate | null;

  @Field(() => Date, { description: 'When the server stored it (later than occurredAt for a phone that was offline).' })
  recordedAt!: Date;
}

@InputType({ description: 'The promise a PROMISED activity records (see recordPromiseToPay).' })
export class ActivityPromiseInput {
  @Field(() => MoneyScalar, { description: "Promised amount: not above what is outstanding on the activity's receivables." })
  amount!: Cents;

  @Field(() => LocalDateScalar, { description: 'The date the customer promised to pay by: not before the day the activity happened.' })
  promisedOn!: LocalDate;
}

// The disputes area (above this one) handles DISPUTED through ACTIVITY_OUTCOME_HANDLERS.
// `category` stays a string here, since this area may not import the disputes area's
// DisputeCategory; the handler checks it (OUT_OF_RANGE on input.dispute.category).
@InputType({ description: 'The dispute a DISPUTED activity opens (see openDispute).' })
export class ActivityDisputeInput {
  @Field(() => ID)
  receivableId!: string;

  @Field(() => MoneyScalar)
  amount!: Cents;

  @Field({ description: 'A DisputeCategory, as openDispute takes it: PRICE, QUANTITY, QUALITY, DELIVERY, NOT_ORDERED or OTHER.' })
  category!: string;

  @Field()
  reason!: string;
}

@InputType()
export class LogCollectionActivityInput {
  @Field(() => ID)
  customerId!: string;

  @Field(() => [ID], { nullable: true, description: 'Receivables the contact was about (of the same customer), at most 50.' })
  receivableIds?: string[];

  @Field(() => ActivityKind)
  kind!: ActivityKind;

  @Field(() => ActivityOutcome)
  outcome!: ActivityOutcome;

  @Field({ nullable: true, description: 'At most 2000 characters.' })
  note?: string;

  @Field(() => Date, {
    description:
      'When it happened, as captured on the phone: not in the future (5 minutes of clock skew allowed), at most ACTIVITY_BACKDATE_DAYS (7) days back.',
  })
  occurredAt!: Date;

  @Field(() => LocalDateScalar, { nullable: true, description: 'When the next step is due; not before the day it happened.' })
  nextActionOn?: LocalDate;

  @Field({
    nullable: true,
    description:
      'Chosen by the phone, 1–200 characters, unique per user: a retry with the same key answers the activity stored first and stores nothing; the same key with other content is a CONFLICT (IDEMPOTENCY_KEY_REUSED).',
  })
  idempotencyKey?: string;

  @Field(() => LocalDateScalar, {
    nullable: true,
    description:
      'Only with outcome CLAIMS_PAID: the date the customer says they paid (not in the future; default: the day the activity occurred). A CLAIMS_PAID activity stores a payment notice for each of its receivables with money outstanding, holding the alarm exactly as reportPaymentNotice does.',
  })
  claimedPaidOn?: LocalDate;

  @Field(() => ActivityPromiseInput, { nullable: true, description: 'Required with outcome PROMISED, refused with any other.' })
  promise?: ActivityPromiseInput;

  @Field(() => ActivityDisputeInput, { nullable: true, description: 'Only with outcome DISPUTED: opens the dispute in the same call.' })
  dispute?: ActivityDisputeInput;
}

@ArgsType()
export class ActivitiesArgs extends PageArgs {
  @Field(() => ID, { nullable: true, description: 'One customer; omitted: every customer the caller may see.' })
  customerId?: string;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only activities that occurred on or after this business date.' })
  from?: LocalDate;

  @Field(() => LocalDateScalar, { nullable: true, description: 'Only activities that occurred on or before this business date.' })
  to?: LocalDate;
}

export const CollectionActivityConnection = connectionType('CollectionActivity', CollectionActivity);
export type CollectionActivityConnection = InstanceType<typeof CollectionActivityConnection>;
