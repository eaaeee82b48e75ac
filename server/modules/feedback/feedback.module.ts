/**
 * The feedback area: weekly and monthly reports from the front line (optionally
 * anonymous), their triage, improvement proposals and decisions, and compliance. Its
 * background work removes the dead row versions submissions leave (feedback.vacuum.ts).
 */
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Services } from '../../context';
import { defineArea, type RequestScope } from '../../core/module';
import { FeedbackErrorReason } from './feedback.errors';
import { FeedbackItem, FeedbackItemStep, FeedbackReport } from './feedback-report.entity';
import { createFeedbackLoaders } from './feedback.loaders';
import {
  ComplianceEntryResolver,
  FeedbackItemResolver,
  FeedbackItemStepResolver,
  FeedbackReminderResolver,
  FeedbackReportResolver,
  ImprovementProposalResolver,
} from './feedback.resolver';
import { FeedbackService } from './feedback.service';
import { SubmissionVacuum } from './feedback.vacuum';
import { ImprovementProposal } from './improvement-proposal.entity';
import { Migration20261129030000_feedback } from './migrations/Migration20261129030000_feedback';

declare module '../../context' {
  interface Services {
    feedback: FeedbackService;
  }
  interface Loaders extends ReturnType<typeof createFeedbackLoaders> {}
}

export const feedbackArea = defineArea({
  name: 'feedback',
  entities: [FeedbackReport, FeedbackItem, FeedbackItemStep, ImprovementProposal],
  migrations: [{ name: 'Migration20261129030000_feedback', class: Migration20261129030000_feedback }],
  resolvers: [
    FeedbackReportResolver,
    FeedbackItemResolver,
    FeedbackItemStepResolver,
    ImprovementProposalResolver,
    ComplianceEntryResolver,
    FeedbackReminderResolver,
  ],
  reasons: FeedbackErrorReason,
  // Logged per operation, these would pair a signed-in user with a new (anonymous) report.
  unloggedRootFields: ['submitFeedbackReport'],
  setup: ({ background, logger }) => {
    const vacuum = new SubmissionVacuum(background, logger);
    return {
      services: ({ em, clock }: RequestScope, lower: Services) => ({
        feedback: new FeedbackService(em, clock, lower.customers, lower.receivables, () => vacuum.request()),
      }),
      loaders: (em: EntityManager) => createFeedbackLoaders(em),
      stop: () => vacuum.stop(),
    };
  },
});
