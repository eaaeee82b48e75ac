/**
 * Inputs and answers of bulk import. Amounts and dates of rows travel as strings and are
 * checked per row with the API's own Money and LocalDate rules, so one bad cell refuses
 * its row (with its line, field and reason), not the whole batch.
 */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { LocalDateScalar, MoneyScalar } from '../../core/scalars';
import { connectionType } from '../../core/pagination';

export enum ImportMode {
  DRY_RUN = 'DRY_RUN',
  APPLY = 'APPLY',
}
registerEnumType(ImportMode, {
  name: 'ImportMode',
  valuesConfig: {
    DRY_RUN: { description: 'Check every row and report what APPLY would do; nothing changes.' },
    APPLY: { description: 'Write the valid rows in one transaction (none when `atomic` and a row fails).' },
  },
});

export enum ImportKind {
  CUSTOMERS = 'CUSTOMERS',
  RECEIVABLES = 'RECEIVABLES',
  PAYMENTS = 'PAYMENTS',
}
registerEnumType(ImportKind, { name: 'ImportKind' });

export enum ImportRowStatus {
  CREATED = 'CREATED',
  UPDATED = 'UPDATED',
  UNCHANGED = 'UNCHANGED',
  ERROR = 'ERROR',
}
registerEnumType(ImportRowStatus, { name: 'ImportRowStatus' });

/** How a bank line found its customer (docs/import.md, "Matching bank lines"). */
export enum BankMatch {
  INVOICE_REFERENCE = 'INVOICE_REFERENCE',
  CUSTOMER_CODE = 'CUSTOMER_CODE',
  PAYER_ACCOUNT = 'PAYER_ACCOUNT',
  CUSTOMER_GIVEN = 'CUSTOMER_GIVEN',
  MANUAL = 'MANUAL',
}
registerEnumType(BankMatch, {
  name: 'BankMatch',
  valuesConfig: {
    INVOICE_REFERENCE: { description: 'The remittance text names an invoice (receivable reference) of exactly one customer.' },
    CUSTOMER_CODE: { description: 'The remittance text names a customer code.' },
    PAYER_ACCOUNT: { description: 'The payer account is a known account of one customer (Customer.payerAccounts).' },
    CUSTOMER_GIVEN: { description: 'The row named the customer (customerCode).' },
    MANUAL: { description: 'Applied by FINANCE with applyBankLine.' },
  },
});

@InputType()
export class CustomerImportRow {
  @Field(() => Int, { nullable: true, description: 'The row’s line in the caller’s file, echoed in the result (default: its position in the batch, from 1).' })
  line?: number;

  @Field({ description: 'The row’s id in the source system; with `source` it identifies the customer across imports.' })
  externalId!: string;

  @Field()
  code!: string;

  @Field()
  name!: string;

  @Field({ description: 'E-mail address of the SALES user who owns the customer.' })
  ownerEmail!: string;

  @Field(() => Int)
  creditTermDays!: number;

  @Field({ description: 'Money as a decimal string ("50000.00").' })
  creditLimit!: string;

  @Field(() => [String], { nullable: true, description: 'Bank accounts the customer pays from (matched against bank lines).' })
  payerAccounts?: string[];
}

@InputType()
export class ReceivableImportRow {
  @Field(() => Int, { nullable: true, description: 'The row’s line in the caller’s file (default: its position in the batch, from 1).' })
  line?: number;

  @Field()
  externalId!: string;

  @Field({ description: 'Code of the customer (Customer.code).' })
  customerCode!: string;

  @Field({ description: 'Invoice or order number, unique per customer (1–60 characters).' })
  reference!: string;

  @Field({ description: 'Money as a decimal string ("1234.50").' })
  amount!: string;

  @Field({ description: 'YYYY-MM-DD.' })
  issuedOn!: string;

  @Field(() => String, { nullable: true, description: 'YYYY-MM-DD; default: issuedOn + the customer’s credit term.' })
  dueOn?: string | null;
}

@InputType()
export class PaymentImportRow {
  @Field(() => Int, { nullable: true, description: 'The row’s line in the caller’s file (default: its position in the batch, from 1).' })
  line?: number;

  @Field({ description: 'The bank’s id of the statement line (unique per source).' })
  externalId!: string;

  @Field({ description: 'The value date, YYYY-MM-DD: the day the money arrived. It becomes the payment’s receivedOn.' })
  valueDate!: string;

  @Field({ description: 'Money as a decimal string ("1234.50").' })
  amount!: string;

  @Field(() => String, { nullable: true })
  payerName?: string | null;

  @Field(() => String, { nullable: true })
  payerAccount?: string | null;

  @Field(() => String, {
    nullable: true,
    description: 'Reference or remittance text (at most 200 characters): searched for invoice references and customer codes.',
  })
  reference?: string | null;

  @Field(() => String, { nullable: true, description: 'The customer, when the source knows it (skips matching).' })
  customerCode?: string | null;
}

@InputType()
export class ImportOptions {
  @Field({ description: 'The system the rows come from, e.g. "ERP" or "BANK-ICBC" (1–40 characters).' })
  source!: string;

  @Field(() => ImportMode)
  mode!: ImportMode;

  @Field({ nullable: true, defaultValue: false, description: 'APPLY commits nothing when any row fails.' })
  atomic?: boolean;

  @Field(() => String, {
    nullable: true,
    description: 'importPayments: one reason for the whole batch when lines are booked more than BOOKING_LAG_LIMIT_DAYS working days after their value date.',
  })
  lagReason?: string | null;
}

@ObjectType({ description: 'What happened to one row.' })
export class ImportRowResult {
  @Field(() => Int)
  line!: number;

  @Field(() => String, { nullable: true })
  externalId!: string | null;

  @Field(() => ImportRowStatus)
  status!: ImportRowStatus;

  @Field(() => ID, {
    nullable: true,
    description: 'The customer, receivable or bank line the row is (null for ERROR; for DRY_RUN only when it exists already).',
  })
  id!: string | null;

  @Field(() => String, { nullable: true, description: 'ERROR: the offending field of the row (e.g. "issuedOn").' })
  field!: string | null;

  @Field(() => String, { nullable: true, description: 'ERROR: a value of ErrorReason, the same as the single-row mutation would give.' })
  reason!: string | null;

  @Field(() => String, { nullable: true })
  message!: string | null;

  @Field(() => BankMatch, { nullable: true, description: 'importPayments: how the line found its customer; null: unmatched (in unappliedBankLines).' })
  matchedBy!: BankMatch | null;

  @Field(() => ID, { nullable: true, description: 'importPayments: the payment the line was booked as.' })
  paymentId!: string | null;
}

@ObjectType()
export class ImportResult {
  @Field(() => ID)
  runId!: string;

  @Field(() => ImportMode)
  mode!: ImportMode;

  @Field({ description: 'Whether the rows were written (APPLY, and not atomic with a failed row).' })
  committed!: boolean;

  @Field(() => Int) total!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) failed!: number;

  @Field(() => [ImportRowResult], { description: 'One per row, in the order sent.' })
  rows!: ImportRowResult[];
}

@ObjectType({ description: 'One recorded import: who, what, when, how long, and its counts.' })
export class ImportRun {
  @Field(() => ID) id!: string;
  @Field(() => ImportKind) kind!: ImportKind;
  @Field() source!: string;
  @Field(() => ImportMode) mode!: ImportMode;
  @Field() atomic!: boolean;
  @Field() committed!: boolean;
  @Field(() => ID) runById!: string;
  @Field(() => Date) startedAt!: Date;
  @Field(() => Int) durationMs!: number;
  @Field(() => Int) total!: number;
  @Field(() => Int) created!: number;
  @Field(() => Int) updated!: number;
  @Field(() => Int) unchanged!: number;
  @Field(() => Int) failed!: number;

  @Field({ description: 'GET this path (same bearer token) for the run’s refused rows as CSV.' })
  errorsCsvPath!: string;
}

@ObjectType({ description: 'A line of an imported bank statement.' })
export class BankLine {
  @Field(() => ID) id!: string;
  @Field() source!: string;
  @Field() externalId!: string;
  @Field(() => LocalDateScalar, { description: 'The day the money arrived: the receivedOn of its payment, however late it is applied.' })
  valueDate!: LocalDate;
  @Field(() => MoneyScalar) amount!: Cents;
  @Field(() => String, { nullable: true }) payerName!: string | null;
  @Field(() => String, { nullable: true }) payerAccount!: string | null;
  @Field(() => String, { nullable: true }) reference!: string | null;
  @Field(() => ID, { nullable: true }) paymentId!: string | null;
  @Field(() => BankMatch, { nullable: true }) matchedBy!: BankMatch | null;
  @Field(() => Date) importedAt!: Date;
  @Field(() => Date, { nullable: true }) appliedAt!: Date | null;
}

@InputType()
export class BankLineAllocationInput {
  @Field(() => ID)
  receivableId!: string;

  @Field(() => MoneyScalar)
  amount!: Cents;
}

export const ImportRunConnection = connectionType('ImportRun', ImportRun);
export type ImportRunConnection = InstanceType<typeof ImportRunConnection>;
export const BankLineConnection = connectionType('BankLine', BankLine);
export type BankLineConnection = InstanceType<typeof BankLineConnection>;
