import { Migration } from '@mikro-orm/migrations';

/** Goals may target the collection-work metrics of issue 10 (docs/metrics.md). */
export class Migration20261214010000_collection_goal_metrics extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      alter table goal drop constraint goal_metric_check;
      alter table goal add constraint goal_metric_check
        check (metric in ('COLLECTION_RATE','ON_TIME_RATE','OVERDUE_AMOUNT','OVERDUE_RATIO','DSO','CEI','PROMISE_KEPT_RATE','CONTACT_COVERAGE','DISPUTED_SHARE'));
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      alter table goal drop constraint goal_metric_check;
      alter table goal add constraint goal_metric_check check (metric in ('COLLECTION_RATE','ON_TIME_RATE','OVERDUE_AMOUNT','OVERDUE_RATIO','DSO','CEI'));
    `);
  }
}
