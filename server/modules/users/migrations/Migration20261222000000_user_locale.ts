import { Migration } from '@mikro-orm/migrations';

/**
 * `app_user.locale`: the user's language (zh-CN or en), `User.locale` in the API, the one
 * place it is stored. The notifications area's next migration moves the language its
 * settings kept there.
 */
export class Migration20261222000000_user_locale extends Migration {
  async up(): Promise<void> {
    this.addSql(`alter table app_user add column locale text not null default 'zh-CN' check (locale in ('zh-CN', 'en'));`);
  }

  async down(): Promise<void> {
    this.addSql('alter table app_user drop column locale;');
  }
}
