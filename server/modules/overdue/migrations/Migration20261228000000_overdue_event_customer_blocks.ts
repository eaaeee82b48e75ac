import { Migration } from '@mikro-orm/migrations';

/**
 * A customer's events are found through an index whose inserts stay together.
 *
 * `overdue_event_customer_idx` (customer_id, seq) put each new event at its customer's place
 * in the index: a steady day's ~1,500 events went to hundreds of customers' places, and the
 * first change of each of those pages after a checkpoint writes the whole page to the WAL
 * (1.7 MB of a steady judgement's 3.6 MB, bench/RESULTS.md). The index now leads with the
 * event's block of sequence numbers (`seq / 4096`, EVENT_BLOCK in overdue.queries.ts, which
 * must stay equal to it): new events land in the newest block's few pages, and a customer's
 * events are read block by block, in sequence order within each (the readers name the blocks
 * from the cursor's to the newest one).
 */
export class Migration20261228000000_overdue_event_customer_blocks extends Migration {
  async up(): Promise<void> {
    this.addSql(`
      create index overdue_event_customer_block_idx on overdue_event ((seq / 4096), customer_id, seq);
      drop index overdue_event_customer_idx;
    `);
  }

  async down(): Promise<void> {
    this.addSql(`
      create index overdue_event_customer_idx on overdue_event (customer_id, seq);
      drop index overdue_event_customer_block_idx;
    `);
  }
}
