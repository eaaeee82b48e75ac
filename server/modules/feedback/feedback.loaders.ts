/** Per-request batch loaders of the feedback area. */
import { EntityManager } from '@mikro-orm/postgresql';
import { batchLoader, byIdLoader, groupByKeys, orderByKeys } from '../../core/dataloader';
import { FeedbackItem, FeedbackItemStep, FeedbackReport } from './feedback-report.entity';
import { ImprovementProposal } from './improvement-proposal.entity';
import { AUTHORS_OF_REPORTS } from './feedback.queries';

export function createFeedbackLoaders(em: EntityManager) {
  return {
    feedbackReportById: byIdLoader('feedbackReportById', (ids) => em.find(FeedbackReport, { id: { $in: ids } })),
    feedbackItemsOfReport: batchLoader<string, FeedbackItem[]>('feedbackItemsOfReport', async (ids) => {
      const rows = await em.find(FeedbackItem, { reportId: { $in: [...ids] } }, { orderBy: { position: 'asc' } });
      return groupByKeys(ids, rows, (i) => i.reportId);
    }),
    feedbackItemsOfProposal: batchLoader<string, FeedbackItem[]>('feedbackItemsOfProposal', async (ids) => {
      const rows = await em.find(FeedbackItem, { proposalId: { $in: [...ids] } }, { orderBy: { id: 'asc' } });
      return groupByKeys(ids, rows, (i) => i.proposalId!);
    }),
    feedbackStepsOfItem: batchLoader<string, FeedbackItemStep[]>('feedbackStepsOfItem', async (ids) => {
      const rows = await em.find(FeedbackItemStep, { itemId: { $in: [...ids] } }, { orderBy: { occurredAt: 'asc', id: 'asc' } });
      return groupByKeys(ids, rows, (s) => s.itemId);
    }),
    /** The author of a named report; null for anonymous ones (no author row can exist). */
    feedbackAuthorOfReport: batchLoader<string, string | null>('feedbackAuthorOfReport', async (ids) => {
      const rows = await AUTHORS_OF_REPORTS.all(em, { ids });
      return orderByKeys(
        ids,
        rows,
        (r) => r.reportId,
        (r) => r.userId as string | null,
        null,
      );
    }),
    improvementProposalById: byIdLoader('improvementProposalById', (ids) => em.find(ImprovementProposal, { id: { $in: ids } })),
  };
}
