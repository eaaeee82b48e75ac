/** GraphQL types of the credit area: the status, why it is what it is, overrides and the history. */
import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';

export enum CreditStatus {
  OK = 'OK',
  WARN = 'WARN',
  HOLD = 'HOLD',
}
registerEnumType(CreditStatus, {
  name: 'CreditStatus',
  description: 'OK: ship. WARN: ship, but look at the customer. HOLD: stop shipping on credit (docs/metrics.md, "Credit status").',
});

export enum CreditStatusSource {
  RULES = 'RULES',
  OVERRIDE = 'OVERRIDE',
}
registerEnumType(CreditStatusSource, { name: 'CreditStatusSource', description: 'RULES: derived from the rules; OVERRIDE: set by a manager until a date.' });

export enum CreditRule {
  OVERDUE_STAGE = 'OVERDUE_STAGE',
  OVERDUE_AMOUNT = 'OVERDUE_AMOUNT',
  BROKEN_PROMISES = 'BROKEN_PROMISES',
}
registerEnumType(CreditRule, {
  name: 'CreditRule',
  description:
    'OVERDUE_STAGE: the highest overdue stage the customer’s receivables hold; OVERDUE_AMOUNT: overdue money against the credit limit; BROKEN_PROMISES: promises to pay broken in the last CREDIT_BROKEN_PROMISE_DAYS days.',
});

export enum CreditStatusChangeKind {
  RULES = 'RULES',
  OVERRIDE_SET = 'OVERRIDE_SET',
  OVERRIDE_CLEARED = 'OVERRIDE_CLEARED',
  OVERRIDE_EXPIRED = 'OVERRIDE_EXPIRED',
}
registerEnumType(CreditStatusChangeKind, {
  name: 'CreditStatusChangeKind',
  description:
    'RULES: the rules’ status changed (no override in force); OVERRIDE_SET: a manager set (or replaced) an override; OVERRIDE_CLEARED: a manager ended it early; OVERRIDE_EXPIRED: its until date came and the rules apply again.',
});

@ObjectType({ simpleResolvers: true, description: 'A rule that fired: what it calls for and why.' })
export class CreditStatusReason {
  @Field(() => CreditRule)
  rule!: CreditRule;

  @Field(() => CreditStatus, { description: 'What the rule calls for: WARN or HOLD.' })
  status!: CreditStatus;

  @Field({ description: 'The figure, as the rule saw it, e.g. "60" (a stage), "9000.00" (overdue money), "2" (broken promises).' })
  actual!: string;

  @Field({ description: 'The threshold it reached, e.g. "60", "8000.00" (80% of a limit of 10000.00), "2".' })
  threshold!: string;

  @Field({ description: 'The same in a sentence, e.g. "highest overdue stage 60 reached (HOLD from stage 60)".' })
  description!: string;
}

/** A manual status in force (or once in force). */
@ObjectType({ description: 'A manual credit status set by a manager, in force until the day before `until`.' })
export class CreditOverride {
  @Field(() => ID)
  id!: string;

  @Field(() => CreditStatus)
  status!: CreditStatus;

  @Field()
  reason!: string;

  @Field(() => LocalDateScalar, { description: 'The rules apply again from this business date on.' })
  until!: LocalDate;

  setById!: string;

  @Field(() => Date)
  setAt!: Date;

  @Field(() => LocalDateScalar, { description: 'The business date it was set.' })
  setOn!: LocalDate;
}

/** The last evaluation of one customer, as stored. */
@ObjectType({
  description:
    'Why the customer’s credit status is what it is: the last evaluation (as of `asOf`), the figures the rules saw, the rules that fired and the override in force.',
})
export class CreditStatusDetail {
  customerId!: string;
  overrideId!: string | null;
  reasonCodes!: readonly string[];

  @Field(() => CreditStatus, { description: 'The effective status: Customer.creditStatus, and what the last CREDIT_STATUS_CHANGED event said.' })
  status!: CreditStatus;

  @Field(() => CreditStatus, { description: 'What the rules call for (the effective status unless an override is in force).' })
  derivedStatus!: CreditStatus;

  @Field(() => CreditStatusSource)
  source!: CreditStatusSource;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The business date the status was evaluated as of; null: never evaluated (OK).' })
  asOf!: LocalDate | null;

  @Field(() => Date, { nullable: true })
  evaluatedAt!: Date | null;

  @Field(() => Int, { nullable: true, description: 'The highest overdue stage the customer’s receivables held (alarm state); null: none.' })
  highestStage!: number | null;

  @Field(() => MoneyScalar, { description: 'Overdue money as of asOf (positions, by the date money arrived).' })
  overdueAmount!: Cents;

  @Field(() => MoneyScalar, { description: 'The credit limit the rule compared it with.' })
  creditLimit!: Cents;

  @Field(() => Int, { description: 'Promises to pay broken in the window of CREDIT_BROKEN_PROMISE_DAYS days ending on asOf.' })
  brokenPromises!: number;
}

@ObjectType({ description: 'One entry of a customer’s credit status history.' })
export class CreditStatusChange {
  customerId!: string;
  actorId!: string | null;

  @Field(() => ID)
  id!: string;

  @Field(() => CreditStatusChangeKind)
  kind!: CreditStatusChangeKind;

  @Field(() => CreditStatus, { description: 'The effective status before.' })
  from!: CreditStatus;

  @Field(() => CreditStatus, { description: 'The effective status after (the same as from when an override confirmed it).' })
  to!: CreditStatus;

  @Field(() => String, { nullable: true, description: 'The override’s reason, or for RULES the rules that fired.' })
  reason!: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'OVERRIDE_SET: the date the override ends.' })
  until!: LocalDate | null;

  @Field(() => LocalDateScalar, { description: 'The business date of the evaluation.' })
  asOf!: LocalDate;

  @Field(() => Date)
  occurredAt!: Date;
}

export const CreditStatusChangeConnection = connectionType('CreditStatusChange', CreditStatusChange);
export type CreditStatusChangeConnection = InstanceType<typeof CreditStatusChangeConnection>;
