/** The GraphQL schema, built from the type-graphql resolvers of every area (server/registry.ts). */
import 'reflect-metadata';
import { GraphQLEnumType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { DateTimeResolver } from 'graphql-scalars';
import { buildSchema } from 'type-graphql';
import { authChecker } from './core/access';
import { ERROR_REASONS, RESOLVERS } from './registry';

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

/**
 * Every reason in `extensions.reason`, as an enum of the schema: no field returns it, but
 * it is part of the contract, so the SDK types `HuikuanError.reason` with it.
 */
function errorReasonEnum(): GraphQLEnumType {
  return new GraphQLEnumType({
    name: 'ErrorReason',
    description: 'Why a request was refused: `extensions.reason` of every GraphQL error (docs/errors.md).',
    values: Object.fromEntries(
      Object.keys(ERROR_REASONS)
        .sort()
        .map((reason) => [reason, { value: reason }]),
    ),
  });
}

export async function buildApiSchema(): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    // type-graphql takes resolver classes as functions; the registry lists at least one.
    // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
    resolvers: RESOLVERS as unknown as [Function, ...Function[]],
    pubSub: NO_IN_PROCESS_PUBSUB,
    authChecker,
    authMode: 'error',
    scalarsMap: [{ type: Date, scalar: DateTimeResolver }],
    validate: false,
    emitSchemaFile: false,
  });
  const config = schema.toConfig();
  return new GraphQLSchema({ ...config, types: [...config.types, errorReasonEnum()] });
}

/** The SDL committed as schema/schema.graphql, in a stable order. */
export async function printApiSchema(): Promise<string> {
  return `${printSchema(lexicographicSortSchema(await buildApiSchema()))}\n`;
}
