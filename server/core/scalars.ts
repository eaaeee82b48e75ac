/**
 * The API's custom scalars (API.md): Money as an exact decimal string, LocalDate as
 * `YYYY-MM-DD` within the supported years (INVALID_DATE, DATE_OUT_OF_RANGE). Invalid
 * values are rejected while the request is parsed, before any resolver runs, so bad
 * input never changes anything.
 */
import { GraphQLScalarType, Kind } from 'graphql';
import { type Cents, formatMoney, isMoneyText, MoneyFormatError, type MoneyValue, moneyTextFromNumeric, parseMoney } from './money';
import { checkLocalDate, isCalendarDate, type LocalDate, MAX_LOCAL_DATE, MIN_LOCAL_DATE } from './local-date';
import { badInput, CoreErrorReason } from './errors';

export const MoneyScalar = new GraphQLScalarType<Cents | MoneyValue, string>({
  name: 'Money',
  description:
    'An exact, non-negative amount of money as a decimal string with two fraction digits, e.g. "1234.50". ' +
    'Numbers, exponents, signs and more than two decimals are rejected.',
  serialize(value) {
    if (typeof value === 'bigint') return formatMoney(value);
    // Money read as text (MoneyText) is the wire form already; any other numeric text is made exact first.
    if (typeof value === 'string') return isMoneyText(value) ? value : moneyTextFromNumeric(value);
    throw new TypeError('Money must be serialised from bigint cents or numeric text');
  },
  parseValue(value) {
    try {
      return parseMoney(value);
    } catch (e) {
      throw badInput('', e instanceof MoneyFormatError ? e.message : 'Invalid amount', CoreErrorReason.INVALID_FORMAT);
    }
  },
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw badInput('', 'Money must be a decimal string such as "1234.50", not a number', CoreErrorReason.INVALID_FORMAT);
    }
    try {
      return parseMoney(ast.value);
    } catch (e) {
      throw badInput('', e instanceof MoneyFormatError ? e.message : 'Invalid amount', CoreErrorReason.INVALID_FORMAT);
    }
  },
});

function parseDate(value: unknown): LocalDate {
  const problem = checkLocalDate(value);
  if (problem === 'DATE_OUT_OF_RANGE') {
    throw badInput('', `${String(value)} is outside the supported dates ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE}`, CoreErrorReason.DATE_OUT_OF_RANGE);
  }
  if (problem) throw badInput('', `${JSON.stringify(value)?.slice(0, 40)} is not a valid date: use YYYY-MM-DD`, CoreErrorReason.INVALID_DATE);
  return value as LocalDate;
}

export const LocalDateScalar = new GraphQLScalarType<LocalDate, string>({
  name: 'LocalDate',
  description: `A calendar date without time or zone, YYYY-MM-DD, in the company time zone; inputs from ${MIN_LOCAL_DATE} to ${MAX_LOCAL_DATE}.`,
  serialize(value) {
    // Stored dates derived from accepted ones (a due date years after an issue date) may lie past the input range.
    if (typeof value === 'string' && isCalendarDate(value)) return value;
    throw new TypeError(`LocalDate cannot represent ${String(value)}`);
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    return parseDate(ast.kind === Kind.STRING ? ast.value : undefined);
  },
});
