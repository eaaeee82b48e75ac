/** MikroORM mapping of `numeric(16,2)` columns to exact bigint cents. */
import { Type } from '@mikro-orm/core';
import { type Cents, centsFromNumeric, formatMoney } from '../core/money';

export class MoneyType extends Type<Cents, string> {
  convertToDatabaseValue(value: Cents | string): string {
    return typeof value === 'bigint' ? formatMoney(value) : value;
  }

  convertToJSValue(value: string | Cents): Cents {
    return centsFromNumeric(value);
  }

  compareAsType(): string {
    return 'string';
  }

  getColumnType(): string {
    return 'numeric(16,2)';
  }
}
