/** The GraphQL schema, built from the type-graphql resolvers of every area. */
import 'reflect-metadata';
import { GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { authChecker } from './core/auth';
import { CalendarResolver } from './modules/calendar/calendar.resolver';
import { CustomerResolver } from './modules/customers/customer.resolver';
import { AllocationResolver, PaymentResolver } from './modules/payments/payment.resolver';
import { PaymentNoticeResolver, ReceivableResolver } from './modules/receivables/receivable.resolver';
import { UserResolver } from './modules/users/user.resolver';
import { OverdueResolver } from './modules/overdue/overdue.resolver';
import { ANALYTICS_RESOLVERS } from './modules/analytics/analytics.resolver';
import {
  ComplianceEntryResolver,
  FeedbackItemResolver,
  FeedbackItemStepResolver,
  FeedbackReminderResolver,
  FeedbackReportResolver,
  ImprovementProposalResolver,
} from './modules/feedback/feedback.resolver';

export const RESOLVERS = [
  UserResolver,
  CustomerResolver,
  ReceivableResolver,
  PaymentNoticeResolver,
  PaymentResolver,
  AllocationResolver,
  CalendarResolver,
  OverdueResolver,
  ...ANALYTICS_RESOLVERS,
  FeedbackReportResolver,
  FeedbackItemResolver,
  FeedbackItemStepResolver,
  ImprovementProposalResolver,
  ComplianceEntryResolver,
  FeedbackReminderResolver,
] as const;

/**
 * type-graphql insists on a PubSub once a subscription exists. Ours never uses it: the
 * event stream is read from PostgreSQL (modules/overdue), so in-process topics would
 * only miss events of other instances.
 */
const NO_IN_PROCESS_PUBSUB = {
  publish(): void {
    throw new Error('in-process PubSub is not used: events are published through PostgreSQL');
  },
  subscribe(): AsyncIterable<never> {
    throw new Error('in-process PubSub is not used: subscribe with a `subscribe` function');
  },
};

export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
    pubSub: NO_IN_PROCESS_PUBSUB,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
  });
}

/** The SDL committed as schema/schema.graphql, in a stable order. */
export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildApiSchema()))}\n`;
}
