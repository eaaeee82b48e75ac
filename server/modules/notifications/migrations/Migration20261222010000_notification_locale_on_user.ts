import { Migration } from '@mikro-orm/migrations';

/**
 * The language lives on the user (`app_user.locale`, `User.locale`), not in the
 * notification settings: the language a user chose there moves to their user row, and
 * the settings' column goes, so there is one place that says it.
 */
export class Migration20261222010000_notification_locale_on_user extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      update app_user u set locale = s.locale from notification_settings s where s.user_id = u.id;
      alter table notification_settings drop column locale;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table notification_settings add column locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en'));
      update notification_settings s set locale = u.locale from app_user u where u.id = s.user_id;
    `);
  }
}
