/**
 * A credit: a part of a receivable the company no longer claims (a dispute found valid,
 * in whole or in part), granted on a business date. It lowers `outstanding` like a
 * write-off, but of a part only, and every money figure counts it from `creditedOn`
 * (server/db/positions.ts). Credits are never changed or deleted.
 */
import { randomUUID } from 'node:crypto';
import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { type LocalDate } from '../../core/local-date';
import { type Cents } from '../../core/money';
import { MoneyType } from '../../db/money.type';

@Entity({ tableName: 'receivable_credit' })
export class ReceivableCredit {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'uuid' })
  id: string = randomUUID();

  @Property({ type: 'uuid' })
  receivableId!: string;

  @Property({ type: MoneyType })
  amount!: Cents;

  /** The business date from which every figure counts it. */
  @Property({ type: 'date' })
  creditedOn!: LocalDate;

  @Property({ type: 'text' })
  reason!: string;

  @Property({ type: 'uuid' })
  creditedById!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
