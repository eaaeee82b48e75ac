/** Small key/value settings the server keeps in the database (e.g. the token secret). */
import { Entity, PrimaryKey, Property } from '@mikro-orm/core';

@Entity({ tableName: 'app_setting' })
export class AppSetting {
  @PrimaryKey({ type: 'text' })
  key!: string;

  @Property({ type: 'text' })
  value!: string;
}
