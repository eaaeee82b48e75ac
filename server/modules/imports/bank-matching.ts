/**
 * The documented rule that finds the customer of a bank-statement line (docs/import.md,
 * "Matching bank lines"), as a pure function over what the batch looked up:
 *
 * 1. the customer the row names (`customerCode`), when the source knows it;
 * 2. an invoice reference in the remittance text: a word of the text equal (ignoring
 *    letter case) to the reference of receivables of exactly one customer; the money goes
 *    to those invoices first;
 * 3. a customer code in the remittance text, naming exactly one customer;
 * 4. the payer account, when it is a known account of a customer (Customer.payerAccounts).
 *
 * Anything else (no hit, or a word naming invoices of several customers and nothing
 * further) leaves the line unmatched, for FINANCE to apply (`applyBankLine`).
 */
import { BankMatch } from './import.types';

/** Words of a remittance text, upper-cased: split at white space and punctuation that never occurs in a reference. */
export function remittanceTokens(text: string | null | undefined): string[] {
  if (!text) return [];
  const words = text
    .toUpperCase()
    .split(/[\s,;:，；：。、()（）[\]【】<>《》"'“”‘’!?！？|+*=#]+/u)
    .map((w) => w.replace(/^[./\\_-]+|[./\\_-]+$/g, ''))
    .filter((w) => w.length > 0 && w.length <= 60);
  return [...new Set(words)];
}

export interface MatchLookups {
  /** Customer id by upper-cased code. */
  customerByCode: ReadonlyMap<string, string>;
  /** Receivables by upper-cased reference. */
  receivablesByReference: ReadonlyMap<string, readonly { id: string; customerId: string }[]>;
  /** Customer id by payer account. */
  customerByAccount: ReadonlyMap<string, string>;
}

export interface BankLineMatch {
  customerId: string;
  matchedBy: BankMatch;
  /** Receivables the text names (allocated first). */
  referenced: string[];
}

export function matchBankLine(
  line: { givenCustomerId?: string; reference: string | null; payerAccount: string | null },
  lookups: MatchLookups,
): BankLineMatch | undefined {
  if (line.givenCustomerId) return { customerId: line.givenCustomerId, matchedBy: BankMatch.CUSTOMER_GIVEN, referenced: [] };
  const tokens = remittanceTokens(line.reference);
  const invoiceCustomers = new Map<string, string[]>();
  for (const token of tokens) {
    for (const r of lookups.receivablesByReference.get(token) ?? []) {
      invoiceCustomers.set(r.customerId, [...(invoiceCustomers.get(r.customerId) ?? []), r.id]);
    }
  }
  if (invoiceCustomers.size === 1) {
    const [[customerId, referenced]] = [...invoiceCustomers];
    return { customerId, matchedBy: BankMatch.INVOICE_REFERENCE, referenced };
  }
  const codeCustomers = new Set(tokens.map((t) => lookups.customerByCode.get(t)).filter((id): id is string => id !== undefined));
  if (codeCustomers.size === 1) return { customerId: [...codeCustomers][0], matchedBy: BankMatch.CUSTOMER_CODE, referenced: [] };
  const byAccount = line.payerAccount ? lookups.customerByAccount.get(normalizeAccount(line.payerAccount)) : undefined;
  if (byAccount) return { customerId: byAccount, matchedBy: BankMatch.PAYER_ACCOUNT, referenced: [] };
  return undefined;
}

/** A bank account as stored and compared: without spaces and dashes, upper-cased. */
export function normalizeAccount(account: string): string {
  return account.replace(/[\s-]+/g, '').toUpperCase();
}
