/** An override of the default calendar: a holiday, or a weekend made a working day. */
import { Entity, Enum, PrimaryKey, Property, OptionalProps } from '@mikro-orm/core';
import { DayKind } from '../../core/business-calendar';
import { type LocalDate } from '../../core/local-date';

@Entity({ tableName: 'calendar_day' })
export class CalendarDayOverride {
  [OptionalProps]?: 'name' | 'updatedAt';

  @PrimaryKey({ type: 'date' })
  day!: LocalDate;

  @Enum({ items: () => DayKind, type: 'text' })
  kind!: DayKind;

  @Property({ type: 'text', nullable: true })
  name: string | null = null;

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();
}
