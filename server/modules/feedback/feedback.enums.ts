/** Enumerations of the feedback area (periods, item classification, workflow states). */
import { registerEnumType } from 'type-graphql';

export enum FeedbackPeriod {
  WEEK = 'WEEK',
  MONTH = 'MONTH',
}
registerEnumType(FeedbackPeriod, {
  name: 'FeedbackPeriod',
  description: 'WEEK starts on a Monday, MONTH on the 1st (periodStart).',
});

export enum FeedbackCategory {
  DATA = 'DATA',
  PROCESS = 'PROCESS',
  SYSTEM = 'SYSTEM',
  TRAINING = 'TRAINING',
  USABILITY = 'USABILITY',
  OTHER = 'OTHER',
}
registerEnumType(FeedbackCategory, { name: 'FeedbackCategory' });

export enum FeedbackSeverity {
  LOW = 'LOW',
  MEDIUM = 'MEDIUM',
  HIGH = 'HIGH',
  CRITICAL = 'CRITICAL',
}
registerEnumType(FeedbackSeverity, { name: 'FeedbackSeverity' });

export enum FeedbackItemKind {
  PROBLEM = 'PROBLEM',
  SUGGESTION = 'SUGGESTION',
}
registerEnumType(FeedbackItemKind, { name: 'FeedbackItemKind', description: 'An open problem or a suggestion for change.' });

export enum FeedbackStatus {
  SUBMITTED = 'SUBMITTED',
  IN_REVIEW = 'IN_REVIEW',
  ESCALATED = 'ESCALATED',
  DECIDED = 'DECIDED',
  RESOLVED = 'RESOLVED',
  REJECTED = 'REJECTED',
}
registerEnumType(FeedbackStatus, {
  name: 'FeedbackStatus',
  description:
    'SUBMITTED → IN_REVIEW → ESCALATED → DECIDED → RESOLVED, or REJECTED. ESCALATED and DECIDED are set by escalateProposal and decideProposal; the rest by triageFeedbackItem.',
});

export enum ProposalStatus {
  DRAFT = 'DRAFT',
  ESCALATED = 'ESCALATED',
  ADOPTED = 'ADOPTED',
  REJECTED = 'REJECTED',
  DEFERRED = 'DEFERRED',
}
registerEnumType(ProposalStatus, { name: 'ProposalStatus' });

export enum ProposalDecision {
  ADOPT = 'ADOPT',
  REJECT = 'REJECT',
  DEFER = 'DEFER',
}
registerEnumType(ProposalDecision, { name: 'ProposalDecision' });

export const DECISION_STATUS: Record<ProposalDecision, ProposalStatus> = {
  [ProposalDecision.ADOPT]: ProposalStatus.ADOPTED,
  [ProposalDecision.REJECT]: ProposalStatus.REJECTED,
  [ProposalDecision.DEFER]: ProposalStatus.DEFERRED,
};
