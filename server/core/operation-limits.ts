/**
 * Bounds on one GraphQL operation, checked before any resolver runs, so no single
 * request can take the server down: tokens (the parser stops counting at the budget,
 * before validation), depth, aliases and directives (GraphQL Armor validation rules),
 * and a cost per role (graphql-query-complexity with estimators that multiply by `first`).
 * After execution the response size is bounded; while it runs, a deadline stops further
 * resolvers. Every refusal is BAD_USER_INPUT with its own reason and `extensions.limit`,
 * `extensions.actual` (when known) and `extensions.budget` (README, "Limits").
 */
import { ApolloServerPlugin, HeaderMap } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  DocumentNode,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  TypeNode,
  ValidationContext,
  ValidationRule,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  GraphQLOutputType,
  specifiedRules,
  validate,
  parse,
  getOperationAST,
  OperationTypeNode,
} from 'graphql';
import { ComplexityEstimatorArgs, getComplexity } from 'graphql-query-complexity';
import type { CostBudgetRole, IntrospectionPolicy, LimitsConfig } from '../config';
import type { Principal } from './auth';
import { setBounded } from './bounded-map';
import { ApiErrorCode, DomainError, CoreErrorReason } from './errors';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './pagination';

/** Reasons of refused operations (all BAD_USER_INPUT, HTTP 400). */
export const LIMIT_REASONS = [
  CoreErrorReason.TOO_MANY_TOKENS,
  CoreErrorReason.QUERY_TOO_DEEP,
  CoreErrorReason.TOO_MANY_ALIASES,
  CoreErrorReason.TOO_MANY_DIRECTIVES,
  CoreErrorReason.QUERY_TOO_COSTLY,
  CoreErrorReason.RESPONSE_TOO_LARGE,
  CoreErrorReason.OPERATION_TIMEOUT,
  CoreErrorReason.STATEMENT_TIMEOUT,
] as const;

export function limitRefusal(reason: (typeof LIMIT_REASONS)[number], limit: string, message: string, budget: number, actual?: number): DomainError {
  return new DomainError(ApiErrorCode.BAD_USER_INPUT, message, reason, undefined, {
    limit,
    ...(actual === undefined ? {} : { actual }),
    budget,
  });
}

/** A DomainError as the GraphQLError Apollo and graphql-ws expect, with its HTTP status. */
export function asGraphQLError(error: DomainError, status?: number, headers?: Record<string, string>): GraphQLError {
  const http = status === undefined ? undefined : { status, headers: new HeaderMap(Object.entries(headers ?? {})) };
  return new GraphQLError(error.message, { originalError: error, extensions: http ? { http } : {} });
}

// ---------------------------------------------------------------------------------
// Depth, aliases, directives: GraphQL Armor's validation rules, reported as our errors.

/** Armor names the count it found in its message ("… exceeded, found 14."). */
function foundIn(error: GraphQLError): number | undefined {
  const found = /found (\d+)/.exec(error.message);
  return found ? Number(found[1]) : undefined;
}

export function limitValidationRules(limits: LimitsConfig): ValidationRule[] {
  const reject =
    (reason: (typeof LIMIT_REASONS)[number], limit: string, budget: number, describe: (actual: number | undefined) => string) =>
    (context: ValidationContext | null, error: GraphQLError) => {
      const actual = foundIn(error);
      context?.reportError(asGraphQLError(limitRefusal(reason, limit, describe(actual), budget, actual)));
    };
  const common = { exposeLimits: true, propagateOnRejection: false } as const;
  return [
    maxDepthRule({
      ...common,
      n: limits.maxDepth,
      // Introspection nests type references deeply by design; its cost bounds it instead.
      ignoreIntrospection: true,
      // Depth is how deep fields nest in the response; fragments add no level of their own.
      flattenFragments: true,
      onReject: [
        reject(
          CoreErrorReason.QUERY_TOO_DEEP,
          'depth',
          limits.maxDepth,
          (n) => `The operation nests fields ${n ?? 'too many'} levels deep; the depth limit is ${limits.maxDepth}`,
        ),
      ],
    }),
    maxAliasesRule({
      ...common,
      n: limits.maxAliases,
      onReject: [
        reject(
          CoreErrorReason.TOO_MANY_ALIASES,
          'aliases',
          limits.maxAliases,
          (n) => `The operation uses ${n ?? 'too many'} aliases; the alias limit is ${limits.maxAliases}`,
        ),
      ],
    }),
    maxDirectivesRule({
      ...common,
      n: limits.maxDirectives,
      onReject: [
        reject(
          CoreErrorReason.TOO_MANY_DIRECTIVES,
          'directives',
          limits.maxDirectives,
          (n) => `The operation uses ${n ?? 'too many'} directives; the directive limit is ${limits.maxDirectives}`,
        ),
      ],
    }),
  ];
}

// ---------------------------------------------------------------------------------
// Cost: roughly the number of values the response can hold, with aggregates weighted.

/** Fields that run an aggregate or a deliberately slow computation, by `Type.field`. */
const FIELD_COSTS: Record<string, number> = {
  'Mutation.login': 50, // scrypt at OWASP's cost: ~0.5 s of CPU each (the login throttle bounds how many)
  'Mutation.createUser': 50,
  'Query.agingReport': 50,
  'Query.collectionStats': 50,
  'Query.scorecards': 100,
  'Query.feedbackSummary': 50,
  'Query.feedbackCompliance': 20,
  'Mutation.publishWeeklyAnalysis': 100,
  'Mutation.runOverdueScan': 100,
  'Mutation.sendFeedbackReminders': 20,
  'Goal.actual': 5,
  'Goal.attainment': 5,
  'Goal.status': 5,
  'Goal.progress': 10,
};

/** Lists without a size argument (users, allocations, bySalesperson…) count as this many items. */
export const UNPAGED_LIST_SIZE = 5;
const WEEKLY_ANALYSES_DEFAULT = 8;
const WEEKLY_ANALYSES_MAX = 104;
/** The calendar query's own maximum span (calendar area); a longer range is refused there anyway. */
const CALENDAR_MAX_DAYS = 366;

function isListField(type: GraphQLOutputType): boolean {
  return isListType(isNonNullType(type) ? type.ofType : type);
}

function clampSize(value: unknown, fallback: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) return fallback;
  return Math.min(Math.max(value, 1), max);
}

function daysBetween(from: unknown, to: unknown): number {
  const days = (Date.parse(String(to)) - Date.parse(String(from))) / 86_400_000 + 1;
  return Number.isFinite(days) ? clampSize(Math.round(days), 1, CALENDAR_MAX_DAYS) : 1;
}

/**
 * Introspection lists count as the schema's real average length, so a full
 * introspection costs about what it returns and `types { fields { type { fields … } } }`
 * multiplies out like any nested list.
 */
function introspectionListSizes(schema: GraphQLSchema): Record<string, number> {
  const types = Object.values(schema.getTypeMap());
  const average = (counts: number[]) => Math.max(1, Math.ceil(counts.reduce((a, b) => a + b, 0) / Math.max(1, counts.length)));
  const withFields = types.filter((t) => isObjectType(t) || isInterfaceType(t)) as { getFields(): Record<string, { args: readonly unknown[] }> }[];
  const fields = withFields.flatMap((t) => Object.values(t.getFields()));
  return {
    '__Schema.types': types.length,
    '__Schema.directives': schema.getDirectives().length,
    '__Type.fields': average(withFields.map((t) => Object.keys(t.getFields()).length)),
    '__Type.inputFields': average(types.filter(isInputObjectType).map((t) => Object.keys(t.getFields()).length)),
    '__Type.enumValues': average(types.filter(isEnumType).map((t) => t.getValues().length)),
    '__Type.interfaces': average(types.filter(isObjectType).map((t) => t.getInterfaces().length)),
    '__Type.possibleTypes': average(types.filter(isUnionType).map((t) => t.getTypes().length)),
    '__Field.args': average(fields.map((f) => f.args.length)),
    '__Directive.args': average(schema.getDirectives().map((d) => d.args.length)),
  };
}

/**
 * The cost of a document depends on its size arguments (`first`, `last`: Int; `from`/`to`:
 * LocalDate) and on `@skip`/`@include` (Boolean) only, never on an ID or String argument
 * (an id looked up, a cursor, search text) nor on an input object (an import's rows).
 * Validation keeps a variable in its declared type's positions, so a cost is remembered by
 * the variables of these three types alone: an import batch's 1,000 rows are not part of
 * the key (they once were, and a hundred 300 kB keys per document stayed on the heap).
 */
const COST_VARIABLE_TYPES = new Set(['Int', 'LocalDate', 'Boolean']);
/** Costs remembered per document (Apollo keeps each parsed document while it is in use). */
const MAX_COSTS_PER_DOCUMENT = 100;
/** A key longer than this (size variables that are long lists) is priced each time instead of remembered. */
const MAX_COST_KEY_LENGTH = 1024;
const knownCosts = new WeakMap<DocumentNode, Map<string, number>>();

/** What a cost of this operation depends on: its name and its size variables. */
function costKey(operation: OperationDefinitionNode, operationName: string | null | undefined, variables: Record<string, unknown> | undefined): string {
  const sizes: unknown[] = [];
  for (const definition of operation.variableDefinitions ?? []) {
    let type: TypeNode = definition.type;
    while (type.kind !== Kind.NAMED_TYPE) type = type.type;
    if (COST_VARIABLE_TYPES.has(type.name.value)) sizes.push(variables?.[definition.variable.name.value] ?? null);
  }
  return `${operationName ?? ''}\n${JSON.stringify(sizes)}`;
}

/** operationCost, remembered per document and size variables (a point look-up by id is priced once). */
function rememberedCost(
  deps: { schema: GraphQLSchema; estimator: ReturnType<typeof costEstimator> },
  document: DocumentNode,
  operation: OperationDefinitionNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
): number {
  let costs = knownCosts.get(document);
  if (!costs) knownCosts.set(document, (costs = new Map<string, number>()));
  const key = costKey(operation, operationName, variables);
  let cost = costs.get(key);
  if (cost === undefined) {
    cost = operationCost(deps.schema, document, operationName, variables, deps.estimator);
    if (key.length > MAX_COST_KEY_LENGTH) return cost;
    setBounded(costs, key, cost, MAX_COSTS_PER_DOCUMENT);
  }
  return cost;
}

export function costEstimator(schema: GraphQLSchema) {
  const introspection = introspectionListSizes(schema);
  return ({ type, field, args, childComplexity }: ComplexityEstimatorArgs): number => {
    const key = `${type.name}.${field.name}`;
    // Introspection answers from memory: its names and descriptions cost nothing, its
    // objects (types, fields, type references) one each.
    const own = FIELD_COSTS[key] ?? (type.name.startsWith('__') && isLeafType(getNamedType(field.type)) ? 0 : 1);
    let size = 1;
    if (getNamedType(field.type).name.endsWith('Connection') && field.args.some((a) => a.name === 'first')) {
      // Counts totalCount and pageInfo once per item too: a small overestimate, kept for simplicity.
      size = clampSize(args.first, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    } else if (key === 'Query.weeklyAnalyses') {
      size = clampSize(args.last, WEEKLY_ANALYSES_DEFAULT, WEEKLY_ANALYSES_MAX);
    } else if (key === 'Query.calendar') {
      size = daysBetween(args.from, args.to);
    } else if (type.name.endsWith('Connection')) {
      size = 1; // edges and nodes: the connection field above already counted `first` of them
    } else if (key in introspection) {
      size = introspection[key];
    } else if (isListField(field.type)) {
      size = UNPAGED_LIST_SIZE;
    }
    return own + size * childComplexity;
  };
}

export function operationCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  estimator = costEstimator(schema),
): number {
  return getComplexity({ schema, query: document, operationName: operationName ?? undefined, variables: variables ?? {}, estimators: [estimator] });
}

export function costBudgetOf(limits: LimitsConfig, principal: Principal | undefined): { role: CostBudgetRole; budget: number } {
  const role: CostBudgetRole = principal?.role ?? 'ANONYMOUS';
  return { role, budget: limits.costBudgets[role] };
}

// ---------------------------------------------------------------------------------
// Introspection policy.

function selectsIntrospection(document: DocumentNode, operation: OperationDefinitionNode): boolean {
  const fragments = new Map(document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])));
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === '__schema' || s.name.value === '__type' || (!!s.selectionSet && visit(s.selectionSet));
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return !!fragment && visit(fragment.selectionSet);
    });
  return visit(operation.selectionSet);
}

function introspectionRefusal(policy: IntrospectionPolicy, principal: Principal | undefined): DomainError | undefined {
  if (policy === 'off') return new DomainError(ApiErrorCode.FORBIDDEN, 'Introspection is disabled on this server', CoreErrorReason.INTROSPECTION_DISABLED);
  if (policy === 'authenticated' && !principal) {
    return new DomainError(
      ApiErrorCode.UNAUTHENTICATED,
      'Introspection needs a valid bearer token on this server',
      CoreErrorReason.INTROSPECTION_REQUIRES_AUTHENTICATION,
    );
  }
  return undefined;
}

const STATUS_OF: Partial<Record<ApiErrorCode, number>> = {
  [ApiErrorCode.BAD_USER_INPUT]: 400,
  [ApiErrorCode.UNAUTHENTICATED]: 401,
  [ApiErrorCode.FORBIDDEN]: 403,
};

/**
 * Checks a parsed operation before it runs: introspection policy, then cost against the
 * caller's budget. Returns the refusal, if any.
 */
export function checkOperation(
  deps: { schema: GraphQLSchema; limits: LimitsConfig; introspection: IntrospectionPolicy; estimator: ReturnType<typeof costEstimator> },
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined | null,
  operationName: string | null | undefined,
  variables: Record<string, unknown> | undefined,
  principal: Principal | undefined,
): DomainError | undefined {
  if (!operation) return undefined; // graphql-js reports the missing operation itself
  if (selectsIntrospection(document, operation)) {
    const refusal = introspectionRefusal(deps.introspection, principal);
    if (refusal) return refusal;
  }
  const { role, budget } = costBudgetOf(deps.limits, principal);
  let cost: number;
  try {
    cost = rememberedCost(deps, document, operation, operationName, variables);
  } catch (e) {
    // Wrong variables: execution refuses them with the usual message. Anything else
    // (graphql-query-complexity's node cap) is a document too big to price.
    if (e instanceof GraphQLError && /nodes/.test(e.message)) {
      return limitRefusal(CoreErrorReason.QUERY_TOO_COSTLY, 'cost', `The operation is too large to price; the cost budget of ${role} is ${budget}`, budget);
    }
    return undefined;
  }
  if (cost > budget && !principal) {
    // Without a token the useful answer is "sign in", whatever the document asked for.
    return new DomainError(
      ApiErrorCode.UNAUTHENTICATED,
      `Without a valid bearer token an operation may cost ${budget} (login, light introspection); this one costs ${cost}: sign in`,
      CoreErrorReason.QUERY_TOO_COSTLY,
      undefined,
      { limit: 'cost', actual: cost, budget },
    );
  }
  if (cost > budget) {
    return limitRefusal(
      CoreErrorReason.QUERY_TOO_COSTLY,
      'cost',
      `The operation costs ${cost}; the cost budget of ${role} is ${budget} (ask for fewer items with first, fewer fields or fewer aliases)`,
      budget,
      cost,
    );
  }
  return undefined;
}

// ---------------------------------------------------------------------------------
// Deadlines, shared with the HTTP handler (core/fairness.ts).

interface OperationState {
  deadline: number;
  timedOut: boolean;
}

const states = new WeakMap<object, OperationState>();

export function setDeadline(context: object, deadline: number): void {
  states.set(context, { deadline, timedOut: false });
}

/** The HTTP handler answered OPERATION_TIMEOUT: stop resolving, the answer is already sent. */
export function markTimedOut(context: object): void {
  const state = states.get(context);
  if (state) state.timedOut = true;
}

export function operationTimeout(limits: LimitsConfig): DomainError {
  return limitRefusal(
    CoreErrorReason.OPERATION_TIMEOUT,
    'operationTimeoutMs',
    `The operation ran longer than ${limits.operationTimeoutMs} ms (the operation timeout); ask for less at a time`,
    limits.operationTimeoutMs,
  );
}

/**
 * Stops an operation past its deadline at its next resolver that does work. Every field
 * with a resolver of its own is checked when it starts (a map look-up and a clock read);
 * plain fields (a property of an object already in hand) are not, so no per-field hook
 * runs over the thousands of values of a page, and Apollo's schema instrumentation, which
 * wraps every field for plugins' willResolveField, stays off.
 */
export function stopAtDeadlines(schema: GraphQLSchema, limits: LimitsConfig): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const resolve = field.resolve;
      if (!resolve) continue;
      field.resolve = (source, args, context: object, info) => {
        const state = states.get(context);
        if (state && (state.timedOut || Date.now() > state.deadline)) {
          state.timedOut = true;
          throw asGraphQLError(operationTimeout(limits));
        }
        return resolve(source, args, context, info);
      };
    }
  }
  return schema;
}

/** JSON of answers' data, made once by the size check (willSendResponse) and reused to send them. */
const serialisedData = new WeakMap<object, string>();

/**
 * An answer's data that is JSON text already (an answer PostgreSQL built): the object to
 * put in the result as its `data`; the size check and `stringifyResult` use the text.
 */
export function serialisedAnswerData(json: string): Record<string, unknown> {
  const data = {};
  serialisedData.set(data, json);
  return data;
}

/**
 * Apollo's `stringifyResult`: the same text as `JSON.stringify(result) + '\n'` (errors,
 * data, extensions, in that order), with the data's JSON taken from the size check.
 */
export function stringifyResult(result: { errors?: unknown; data?: unknown; extensions?: unknown }): string {
  const data = typeof result.data === 'object' && result.data !== null ? serialisedData.get(result.data) : undefined;
  if (data === undefined) return `${JSON.stringify(result)}\n`;
  const parts: string[] = [];
  if (result.errors !== undefined) parts.push(`"errors":${JSON.stringify(result.errors)}`);
  parts.push(`"data":${data}`);
  if (result.extensions !== undefined) parts.push(`"extensions":${JSON.stringify(result.extensions)}`);
  return `{${parts.join(',')}}\n`;
}

const LIMIT_REASON_SET = new Set<string>(LIMIT_REASONS);

export interface LimitsPluginOptions {
  schema: GraphQLSchema;
  limits: LimitsConfig;
  introspection: IntrospectionPolicy;
  /** The server's error formatter: errors replaced after formatting must look the same. */
  formatError: (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;
}

/** The Apollo side: cost and introspection before execution, size after (the deadline: stopAtDeadlines). */
export function operationLimitsPlugin<TContext extends { principal?: Principal }>(options: LimitsPluginOptions): ApolloServerPlugin<TContext> {
  const { limits } = options;
  const estimator = costEstimator(options.schema);
  const formatted = (error: DomainError) => {
    const graphQLError = asGraphQLError(error);
    return options.formatError(graphQLError.toJSON(), graphQLError);
  };
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, operationName, request, contextValue }) {
          const refusal = checkOperation({ ...options, estimator }, document, operation, operationName, request.variables, contextValue.principal);
          if (refusal) throw asGraphQLError(refusal, STATUS_OF[refusal.code]);
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (states.get(contextValue)?.timedOut) {
            // One error instead of one per field that was cut off.
            response.body.singleResult = { errors: [formatted(operationTimeout(limits))] };
            response.http.status = 400;
            return;
          }
          if (result.data) {
            let json = serialisedData.get(result.data);
            if (json === undefined) {
              json = JSON.stringify(result.data);
              // Kept for stringifyResult: the answer is serialised once, not twice.
              serialisedData.set(result.data, json);
            }
            const bytes = Buffer.byteLength(json);
            if (bytes > limits.responseMaxBytes) {
              response.body.singleResult = {
                errors: [
                  formatted(
                    limitRefusal(
                      CoreErrorReason.RESPONSE_TOO_LARGE,
                      'responseBytes',
                      `The response would be ${bytes} bytes; the limit is ${limits.responseMaxBytes} (ask for fewer items or fields)`,
                      limits.responseMaxBytes,
                      bytes,
                    ),
                  ),
                ],
              };
              response.http.status = 400;
              return;
            }
          }
          const codes = (response.body.singleResult.errors ?? []).map((e) => e.extensions?.code);
          if (codes.includes(ApiErrorCode.SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
            response.http.headers.set('retry-after', '5');
          } else if (
            (response.http.status ?? 200) === 200 &&
            !result.data &&
            (result.errors ?? []).some((e) => e.extensions?.code === ApiErrorCode.BAD_USER_INPUT && LIMIT_REASON_SET.has(String(e.extensions?.reason)))
          ) {
            response.http.status = 400;
          }
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------------
// WebSocket: graphql-ws parses and validates by itself, without any of the above.

export interface WsCheckOptions {
  schema: GraphQLSchema;
  limits: LimitsConfig;
  introspection: IntrospectionPolicy;
}

/**
 * Parses and checks a graphql-ws `subscribe` payload with the same limits as HTTP, in
 * two steps: the document first (no database work for a refused one), then the cost
 * for the authenticated caller. Queries and mutations are refused here: over HTTP they
 * get the concurrency cap, the deadline and the response size limit, which a long-lived
 * socket would bypass.
 */
export function wsPrepare(options: WsCheckOptions) {
  const estimator = costEstimator(options.schema);
  const rules = [...specifiedRules, ...limitValidationRules(options.limits)];
  return (payload: {
    query: string;
    operationName?: string | null;
    variables?: Record<string, unknown> | null;
  }): { document: DocumentNode; check(principal: Principal | undefined): GraphQLError[] } | { errors: GraphQLError[] } => {
    let document: DocumentNode;
    try {
      document = parse(payload.query, { maxTokens: options.limits.maxTokens });
    } catch (e) {
      return { errors: [e instanceof GraphQLError ? e : new GraphQLError(String(e))] };
    }
    const errors = validate(options.schema, document, rules);
    if (errors.length > 0) return { errors: [...errors] };
    const operation = getOperationAST(document, payload.operationName ?? undefined);
    if (operation && operation.operation !== OperationTypeNode.SUBSCRIPTION) {
      const refusal = new DomainError(
        ApiErrorCode.BAD_USER_INPUT,
        `Send ${operation.operation === OperationTypeNode.QUERY ? 'queries' : 'mutations'} over HTTP (POST /graphql); the WebSocket carries subscriptions`,
        CoreErrorReason.SUBSCRIPTIONS_ONLY_OVER_WEBSOCKET,
      );
      return { errors: [asGraphQLError(refusal)] };
    }
    return {
      document,
      check(principal) {
        const refusal = checkOperation({ ...options, estimator }, document, operation, payload.operationName, payload.variables ?? undefined, principal);
        return refusal ? [asGraphQLError(refusal)] : [];
      },
    };
  };
}
