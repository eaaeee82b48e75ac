/** Shapes of the SDK's answers that the pages name. */
import type { AgingReportFieldsFragment } from '@huikuan/sdk';
export type { GoalFieldsFragment, ScorecardsQuery, WeeklyAnalysisFieldsFragment, WorklistItemFieldsFragment, OverdueEventPayload } from '@huikuan/sdk';
export type AgingReportFields_bySalesperson = AgingReportFieldsFragment['bySalesperson'][number];
