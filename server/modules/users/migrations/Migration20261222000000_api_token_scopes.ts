import { Migration } from '@mikro-orm/migrations';

/** Issue 12: an API token's scopes (e.g. IMPORT), given when it is created; existing tokens have none. */
export class Migration20261222000000_api_token_scopes extends Migration {
  async up(): Promise<void> {
    this.addSql(`alter table api_token add column scopes text[] not null default '{}';`);
  }

  async down(): Promise<void> {
    this.addSql('alter table api_token drop column scopes;');
  }
}
