/**
 * The weekly analysis's SQL: reading stored snapshots and storing one. The figures of a
 * snapshot come from metrics.queries.ts; here they are one jsonb document per week.
 */
import { type LocalDate } from '../../core/local-date';
import { defineQuery, SqlRow } from '../../db/sql';
import { WeeklyAnalysisTrigger } from './weekly-analysis.types';

export interface SnapshotRow {
  weekStart: LocalDate;
  weekEnd: LocalDate;
  publishedAt: Date;
  publishedById: string | null;
  trigger: WeeklyAnalysisTrigger;
  /** The snapshot's figures as stored (money as decimal strings). */
  data: object;
}

const COLUMNS = 'week_start::text, week_end::text, published_at, published_by_id, trigger, data';

function decode(row: SqlRow): SnapshotRow {
  const data = row.json('data');
  if (typeof data !== 'object' || data === null) throw new Error('weekly_analysis.data is not a JSON object');
  return {
    weekStart: row.date('week_start'),
    weekEnd: row.date('week_end'),
    publishedAt: row.timestamp('published_at'),
    publishedById: row.textOrNull('published_by_id'),
    trigger: row.oneOf('trigger', WeeklyAnalysisTrigger),
    data,
  };
}

/** The snapshot of the week starting on `weekStart` (a Monday), if stored. */
export const SNAPSHOT_OF_WEEK = defineQuery<{ weekStart: LocalDate }, SnapshotRow>({
  text: `select ${COLUMNS} from weekly_analysis where week_start = cast(:weekStart as date)`,
  decode,
});

/** The newest `limit` snapshots, newest first. */
export const LATEST_SNAPSHOTS = defineQuery<{ limit: number }, SnapshotRow>({
  text: `select ${COLUMNS} from weekly_analysis order by week_start desc limit :limit`,
  decode,
});

export const INSERT_SNAPSHOT = defineQuery<
  { weekStart: LocalDate; weekEnd: LocalDate; publishedById: string | null; trigger: WeeklyAnalysisTrigger; data: string },
  SnapshotRow
>({
  text: `insert into weekly_analysis (week_start, week_end, published_by_id, trigger, data)
           values (cast(:weekStart as date), cast(:weekEnd as date), :publishedById, :trigger, cast(:data as jsonb))
           returning ${COLUMNS}`,
  decode,
});
