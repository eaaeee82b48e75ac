/**
 * Central guards on the strings of every operation, checked once before any resolver
 * runs, so no service has to remember them: every string argument, inline in the
 * document (at any depth of a list or input object, and in variable defaults) or in
 * the variables, is refused as BAD_USER_INPUT naming its path when it
 * - contains a NUL character (NUL_CHARACTER): PostgreSQL text cannot hold one, and the
 *   statement would fail as an internal error;
 * - is not well-formed Unicode (INVALID_UNICODE): a lone surrogate is refused by jsonb
 *   and silently turned into U+FFFD in text;
 * - is longer than MAX_STRING_LENGTH (TEXT_LENGTH): fields document tighter limits,
 *   checked by their services; this cap bounds what any of them has to look at.
 * Also here: naming the argument path of an invalid inline literal, which GraphQL's
 * validation reports only by its position in the document, and answering a request
 * body that is no JSON or too large like any other bad input.
 */
import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import type { ErrorRequestHandler } from 'express';
import {
  BREAK,
  type DocumentNode,
  getOperationAST,
  GraphQLError,
  Kind,
  type OperationDefinitionNode,
  parse,
  type Source,
  type ValueNode,
  visit,
} from 'graphql';
import { badInput, DomainError, CoreErrorReason } from './errors';

/** Longest string any argument may carry, unless its field documents less. */
export const MAX_STRING_LENGTH = 10_000;
/**
 * Deeper than any input type of the schema (SubmitFeedbackInput.items.0.text is 3):
 * deeper values cannot be valid and are left to GraphQL's type checks.
 */
const MAX_INPUT_DEPTH = 16;

export type TextProblem = 'NUL_CHARACTER' | 'INVALID_UNICODE' | 'TOO_LONG';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What is wrong with a client's string, or undefined. The length is checked first, so a huge string costs nothing. */
export function textProblem(value: string, maxLength = MAX_STRING_LENGTH): TextProblem | undefined {
  if (value.length > maxLength) return 'TOO_LONG';
  if (value.includes('\u0000')) return 'NUL_CHARACTER';
  if (LONE_SURROGATE.test(value)) return 'INVALID_UNICODE';
  return undefined;
}

function textError(field: string, problem: TextProblem, value: string): DomainError {
  switch (problem) {
    case 'TOO_LONG':
      return badInput(field, `${field} has ${value.length} characters; no text input may have more than ${MAX_STRING_LENGTH}`, CoreErrorReason.TEXT_LENGTH);
    case 'NUL_CHARACTER':
      return badInput(field, `${field} contains a NUL character (\\u0000), which no text input accepts`, CoreErrorReason.NUL_CHARACTER);
    case 'INVALID_UNICODE':
      return badInput(field, `${field} is not well-formed Unicode (it has an unpaired surrogate)`, CoreErrorReason.INVALID_UNICODE);
  }
}

/** A JSON value of the variables or a literal of the document, with its dotted path (`input.items.0.text`). */
type Pending = { json: unknown; path: string; depth: number } | { literal: ValueNode; path: string; depth: number };

/** Walks values without recursion (a client chooses their depth), first problem wins. */
function firstProblem(start: Pending[]): DomainError | undefined {
  const stack = [...start].reverse();
  while (stack.length > 0) {
    const item = stack.pop()!;
    const next: Pending[] = [];
    if ('literal' in item) {
      const node = item.literal;
      if (node.kind === Kind.STRING) {
        const problem = textProblem(node.value);
        if (problem) return textError(item.path, problem, node.value);
      } else if (item.depth < MAX_INPUT_DEPTH && node.kind === Kind.LIST) {
        node.values.forEach((literal, i) => next.push({ literal, path: `${item.path}.${i}`, depth: item.depth + 1 }));
      } else if (item.depth < MAX_INPUT_DEPTH && node.kind === Kind.OBJECT) {
        for (const field of node.fields) next.push({ literal: field.value, path: `${item.path}.${field.name.value}`, depth: item.depth + 1 });
      }
    } else if (typeof item.json === 'string') {
      const problem = textProblem(item.json);
      if (problem) return textError(item.path, problem, item.json);
    } else if (item.depth < MAX_INPUT_DEPTH && item.json !== null && typeof item.json === 'object') {
      for (const [key, json] of Object.entries(item.json)) next.push({ json, path: `${item.path}.${key}`, depth: item.depth + 1 });
    }
    for (let i = next.length - 1; i >= 0; i--) stack.push(next[i]);
  }
  return undefined;
}

/**
 * The first string of the operation that no field accepts: inline arguments and
 * variable defaults anywhere in the document, and the values of the variables the
 * operation declares.
 */
export function findInputProblem(
  document: DocumentNode,
  operation: OperationDefinitionNode | undefined,
  variables: Record<string, unknown> | null | undefined,
): DomainError | undefined {
  let problem: DomainError | undefined;
  visit(document, {
    Argument(node) {
      problem = firstProblem([{ literal: node.value, path: node.name.value, depth: 0 }]);
      return problem ? BREAK : false;
    },
    VariableDefinition(node) {
      if (node.defaultValue) problem = firstProblem([{ literal: node.defaultValue, path: node.variable.name.value, depth: 0 }]);
      return problem ? BREAK : false;
    },
  });
  if (problem || !variables) return problem;
  const declared = (operation?.variableDefinitions ?? []).map((d) => d.variable.name.value).filter((name) => name in variables);
  return firstProblem(declared.map((name) => ({ json: variables[name], path: name, depth: 0 })));
}

/** Refused before execution, like a validation error: HTTP 400, mapped by the one error formatter. */
function refusal(problem: DomainError): GraphQLError {
  return new GraphQLError(problem.message, { originalError: problem, extensions: { http: { status: 400 } } });
}

/** The guards for every HTTP operation (Apollo runs this after validation, before execution). */
export function inputGuardPlugin<T extends BaseContext>(): ApolloServerPlugin<T> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, operation, request }) {
          const problem = findInputProblem(document, operation, request.variables);
          if (problem) throw refusal(problem);
        },
      };
    },
  };
}

/** The same guards for a graphql-ws subscribe message: the errors to answer with, or undefined to go on. */
export function subscribeInputErrors(payload: {
  query: string;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}): GraphQLError[] | undefined {
  let document: DocumentNode;
  try {
    document = parse(payload.query);
  } catch {
    return undefined; // graphql-ws answers syntax errors itself
  }
  const problem = findInputProblem(document, getOperationAST(document, payload.operationName) ?? undefined, payload.variables);
  return problem ? [refusal(problem)] : undefined;
}

/** Per parsed document: the start offset of each argument, input field and value → its dotted path. */
const literalPaths = new WeakMap<Source, Map<number, string>>();

function indexLiteralPaths(source: Source): Map<number, string> {
  const paths = new Map<number, string>();
  let document: DocumentNode;
  try {
    document = parse(source);
  } catch {
    return paths;
  }
  const index = (node: ValueNode, path: string, depth: number): void => {
    if (node.loc) paths.set(node.loc.start, path);
    if (depth >= MAX_INPUT_DEPTH) return;
    if (node.kind === Kind.LIST) node.values.forEach((value, i) => index(value, `${path}.${i}`, depth + 1));
    if (node.kind === Kind.OBJECT) {
      for (const field of node.fields) {
        if (field.loc) paths.set(field.loc.start, `${path}.${field.name.value}`);
        index(field.value, `${path}.${field.name.value}`, depth + 1);
      }
    }
  };
  visit(document, {
    Argument(node) {
      if (node.loc) paths.set(node.loc.start, node.name.value);
      index(node.value, node.name.value, 0);
      return false;
    },
  });
  return paths;
}

/**
 * The argument path (`input.issuedOn`) of the inline literal a validation error points
 * at, e.g. `calendar(from: "9999-12-31")` → `from`; undefined for other errors. The
 * document is indexed once per parse however many errors point into it.
 */
export function literalFieldOf(error: unknown): string | undefined {
  if (!(error instanceof GraphQLError) || !error.source) return undefined;
  const start = error.nodes?.[0]?.loc?.start;
  if (start === undefined) return undefined;
  let paths = literalPaths.get(error.source);
  if (!paths) {
    paths = indexLiteralPaths(error.source);
    literalPaths.set(error.source, paths);
  }
  return paths.get(start);
}

/**
 * For /graphql after the JSON body parser: a body that is no JSON (MALFORMED_REQUEST) or
 * too large (REQUEST_TOO_LARGE) never reaches Apollo, and Express's default page would
 * show the parser's stack trace. Answer it as a GraphQL error instead; anything else is
 * logged and answered as an internal error, without its details.
 */
export function requestBodyErrorHandler(onInternalError: (error: unknown) => void): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) return next(error);
    const status = (error as { status?: unknown }).status;
    const refused = typeof status === 'number' && status >= 400 && status < 500;
    if (!refused) onInternalError(error);
    const [message, extensions] = !refused
      ? ['Internal server error', { code: 'INTERNAL_SERVER_ERROR' }]
      : status === 413
        ? ['The request body is too large', { code: 'BAD_USER_INPUT', reason: CoreErrorReason.REQUEST_TOO_LARGE }]
        : ['The request body is not a JSON GraphQL request', { code: 'BAD_USER_INPUT', reason: CoreErrorReason.MALFORMED_REQUEST }];
    res.status(refused ? status : 500).json({ errors: [{ message, extensions }] });
  };
}
