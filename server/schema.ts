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

export const RESOLVERS = [
  UserResolver,
  CustomerResolver,
  ReceivableResolver,
  PaymentNoticeResolver,
  PaymentResolver,
  AllocationResolver,
  CalendarResolver,
] as const;

export function buildApiSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: RESOLVERS,
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
