/**
 * graphql-codegen plugin: for every operation in schema/operations/, emits its source
 * (with the fragments it uses) and a typed method signature, so the SDK's
 * createClient() has one method per operation, named after it.
 */
const { Kind, print, visit } = require('graphql');

const capitalise = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const KIND_SUFFIX = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' };

module.exports = {
  plugin(_schema, documents) {
    const fragments = new Map();
    const operations = [];
    for (const file of documents) {
      for (const def of file.document.definitions) {
        if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
        if (def.kind === Kind.OPERATION_DEFINITION) {
          if (!def.name) throw new Error(`${file.location}: every operation needs a name`);
          operations.push(def);
        }
      }
    }
    const usedFragments = (node, seen = new Set()) => {
      visit(node, {
        FragmentSpread(spread) {
          const name = spread.name.value;
          if (!seen.has(name)) {
            seen.add(name);
            usedFragments(fragments.get(name), seen);
          }
        },
      });
      return seen;
    };
    operations.sort((a, b) => a.name.value.localeCompare(b.name.value));

    const sources = [];
    const signatures = [];
    for (const op of operations) {
      const name = op.name.value;
      const typeName = capitalise(name) + KIND_SUFFIX[op.operation];
      const source = [print(op), ...[...usedFragments(op)].sort().map((f) => print(fragments.get(f)))].join('\n\n');
      const required = (op.variableDefinitions ?? []).some((v) => v.type.kind === Kind.NON_NULL_TYPE && !v.defaultValue);
      sources.push(`  ${name}: { kind: '${op.operation}', source: ${JSON.stringify(source)} },`);
      if (op.operation === 'subscription') continue;
      signatures.push(`  ${name}(variables${required ? '' : '?'}: ${typeName}Variables, options?: RequestOptions): Promise<${typeName}>;`);
    }
    return [
      '',
      '/** Per-call options of every SDK method. */',
      'export interface RequestOptions {',
      '  /** Aborts the request. */',
      '  signal?: AbortSignal;',
      '  /** Extra HTTP headers for this call. */',
      '  headers?: Record<string, string>;',
      '}',
      '',
      '/** Every operation of schema/operations/, by name: its kind and its source text. */',
      'export const operationSources = {',
      ...sources,
      '} as const;',
      '',
      'export type OperationName = keyof typeof operationSources;',
      '',
      '/** One typed method per query and mutation. */',
      'export interface OperationMethods {',
      ...signatures,
      '}',
      '',
    ].join('\n');
  },
};
