/**
 * Answers that PostgreSQL builds: a query whose every selected field has a SQL
 * projection is answered by ONE statement that builds the answer's JSON text, sent on as
 * PostgreSQL returns it. No resolver,
 * no row decoding, no graphql-js walk over the thousands of values of a page: that walk,
 * not the database, was most of a dashboard page's cost (issue 15).
 *
 * It is an optimisation of answers, never a second API: an operation the projections
 * cannot answer exactly as the resolvers would (a field without a projection, a
 * directive, a fragment on another type, arguments a projector does not handle, a
 * caller a resolver would refuse) is not projected, and the normal execution answers it,
 * errors included. So each projector must answer exactly what its field's resolver
 * answers (the same rows, order, cursors, money text and access rules) or decline by
 * returning undefined (or throwing).
 *
 * Areas register projectors per type and field (`<area>.projections.ts`); a projector
 * returns a SQL expression of the field's JSON value as text for the parent row (its
 * alias), with its parameters bound by name through the projection. The JSON is put
 * together as text (`to_json(value)::text` of each value, `string_agg` of lists), not with
 * `json_build_object`, whose text has blanks around every colon and comma: the answer is
 * the same bytes as `JSON.stringify` of the executed result.
 */
import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getVariableValues,
  type GraphQLSchema,
  isNonNullType,
  isObjectType,
  Kind,
  type OperationDefinitionNode,
  OperationTypeNode,
  type SelectionSetNode,
} from 'graphql';
import { setBounded } from '../core/bounded-map';
import { type CursorValues } from '../core/pagination';
import { defineQuery, type Query, type SqlParam } from './sql';

/** One field of a selection, by its response key. */
export interface SelectedField {
  /** The response key: the alias, else the field name. */
  key: string;
  name: string;
  node: FieldNode;
}

/** What a projector sees of its field. */
export interface FieldProjection<E> {
  /** The request's context (the caller, the clock). */
  readonly env: E;
  /** The field's arguments, coerced as graphql-js coerces them for a resolver. */
  readonly args: Readonly<Record<string, unknown>>;
  /** The SQL alias of the parent row. */
  readonly row: string;
  /** The field's selection projected onto the object type `typeName` with rows aliased `row`: JSON text. */
  object(typeName: string, row: string): string;
  /** The fields selected below this field, as seen on `typeName` (for types a projector builds by hand, e.g. connections). */
  selected(typeName: string): SelectedField[];
  /** Projects `field` (selected below this one) as a field of `typeName`. */
  child(typeName: string, field: SelectedField, row: string): FieldProjection<E>;
  /** A fresh parameter holding `value`: its `:name` for the SQL. */
  param(value: SqlParam): string;
  /** Named parameters shared by the whole statement (e.g. `:today`); one name, one value. */
  bind(params: Readonly<Record<string, SqlParam>>): void;
  /** A SQL alias not used elsewhere in the statement, e.g. `u3`. */
  alias(base: string): string;
}

/** The SQL of one field's value as JSON text, or undefined when this selection cannot be projected exactly. */
export type FieldProjector<E> = (field: FieldProjection<E>) => string | undefined;

/** A selection the projections cannot answer exactly: the operation goes the normal way. */
class NotProjectable extends Error {}

function decline(why: string): never {
  throw new NotProjectable(why);
}

/** Fields of one object: a longer concatenation is a document nobody writes for a page. */
const MAX_KEYS = 100;
/** Compiled statements kept by text (documents are few; their texts repeat). */
const MAX_CACHED_QUERIES = 200;
/** Compilations kept per document: by operation, variables and caller (a page asked again and again). */
const MAX_COMPILED_PER_DOCUMENT = 100;
/** Variables (as JSON) beyond which a compilation is not kept: a key is no place for a large input. */
const MAX_KEPT_VARIABLES_CHARS = 2048;

export interface ProjectedStatement {
  query: Query<Record<string, SqlParam>, string>;
  params: Record<string, SqlParam>;
  /** The operation's root fields, in order; `nullable`: its answer may be null. */
  roots: { key: string; node: FieldNode; nullable: boolean }[];
}

/** What `compile` is asked: the operation of a document, its variables and the request's environment. */
interface ProjectionRequest<E> {
  schema: GraphQLSchema;
  document: DocumentNode;
  operation: OperationDefinitionNode;
  rawVariables: Readonly<Record<string, unknown>> | undefined;
  env: E;
}

export class JsonProjections<E> {
  private readonly projectors = new Map<string, FieldProjector<E>>();
  private readonly queries = new Map<string, Query<Record<string, SqlParam>, string>>();
  /** What `compile` answered, per document (the parsed document the server keeps for a query text), then per operation, variables and `envKey`. */
  private readonly compiled = new WeakMap<DocumentNode, Map<string, ProjectedStatement | undefined>>();

  /**
   * @param envKey Equal for environments in which every projector answers the same (for a
   *   request: the caller and today's date): compilations are reused under it, so it must
   *   hold everything of the environment a projector reads.
   */
  constructor(private readonly envKey: (env: E) => string) {}

  /** Registers the projector of `type.field`. */
  field(type: string, name: string, projector: FieldProjector<E>): this {
    const key = `${type}.${name}`;
    if (this.projectors.has(key)) throw new Error(`JSON projection of ${key} registered twice`);
    this.projectors.set(key, projector);
    return this;
  }

  /**
   * The statement answering the operation's `data` as JSON text, or undefined when the
   * operation is no query or any part of it cannot be projected.
   */
  compile(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    rawVariables: Readonly<Record<string, unknown>> | undefined,
    env: E,
  ): ProjectedStatement | undefined {
    if (operation.operation !== OperationTypeNode.QUERY || operation.directives?.length) return undefined;
    // Compiling is deterministic in the operation, the variables and the environment's key:
    // a page asked again (the same document, variables and caller on the same day) reuses it.
    const variables = JSON.stringify(rawVariables ?? {});
    const request: ProjectionRequest<E> = { schema, document, operation, rawVariables, env };
    if (variables.length > MAX_KEPT_VARIABLES_CHARS) return this.compileAnew(request);
    const key = `${operation.name?.value ?? ''}\n${variables}\n${this.envKey(env)}`;
    let byKey = this.compiled.get(document);
    if (!byKey) this.compiled.set(document, (byKey = new Map<string, ProjectedStatement | undefined>()));
    if (byKey.has(key)) return byKey.get(key);
    const statement = this.compileAnew(request);
    setBounded(byKey, key, statement, MAX_COMPILED_PER_DOCUMENT);
    return statement;
  }

  private compileAnew({ schema, document, operation, rawVariables, env }: ProjectionRequest<E>): ProjectedStatement | undefined {
    const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
    if (coerced.errors) return undefined;
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const definition of document.definitions) {
      if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    }
    const params: Record<string, SqlParam> = {};
    let counter = 0;
    const next = () => ++counter;

    const selected = (typeName: string, set: SelectionSetNode | undefined): SelectedField[] => {
      if (!set) decline(`${typeName} without a selection`);
      const out: SelectedField[] = [];
      const keys = new Set<string>();
      const visit = (s: SelectionSetNode) => {
        for (const selection of s.selections) {
          if (selection.directives?.length) decline('directive');
          if (selection.kind === Kind.FIELD) {
            const key = selection.alias?.value ?? selection.name.value;
            // The same key twice merges sub-selections in graphql-js: not worth reproducing.
            if (keys.has(key)) decline(`${key} selected twice`);
            keys.add(key);
            out.push({ key, name: selection.name.value, node: selection });
          } else if (selection.kind === Kind.INLINE_FRAGMENT) {
            if (selection.typeCondition && selection.typeCondition.name.value !== typeName) decline('fragment on another type');
            visit(selection.selectionSet);
          } else {
            const fragment = fragments.get(selection.name.value);
            if (!fragment || fragment.typeCondition.name.value !== typeName) decline('fragment on another type');
            visit(fragment.selectionSet);
          }
        }
      };
      visit(set);
      if (out.length > MAX_KEYS) decline('too many fields');
      return out;
    };

    const projection = (typeName: string, field: SelectedField, row: string): FieldProjection<E> => {
      const type = schema.getType(typeName);
      const definition = isObjectType(type) ? type.getFields()[field.name] : undefined;
      if (!definition) decline(`${typeName}.${field.name} is no field`);
      const args = getArgumentValues(definition, field.node, coerced.coerced);
      const self: FieldProjection<E> = {
        env,
        args,
        row,
        object: (objectType, objectRow) => objectSql(objectType, objectRow, field.node.selectionSet),
        selected: (objectType) => selected(objectType, field.node.selectionSet),
        child: (childType, childField, childRow) => projection(childType, childField, childRow),
        param: (value) => {
          const name = `hk_p${next()}`;
          params[name] = value;
          return `:${name}`;
        },
        bind: (values) => {
          for (const [name, value] of Object.entries(values)) {
            if (name in params && params[name] !== value) throw new Error(`projection parameter :${name} bound to two values`);
            params[name] = value;
          }
        },
        alias: (base) => `${base}${next()}`,
      };
      return self;
    };

    const fieldSql = (typeName: string, field: SelectedField, row: string): string => {
      if (field.name === '__typename') return `'"${typeName}"'`;
      const projector = this.projectors.get(`${typeName}.${field.name}`);
      if (!projector) decline(`no projection of ${typeName}.${field.name}`);
      return projector(projection(typeName, field, row)) ?? decline(`${typeName}.${field.name} declined`);
    };

    const objectSql = (typeName: string, row: string, set: SelectionSetNode | undefined): string =>
      jsonObject(selected(typeName, set).map((field) => [field.key, fieldSql(typeName, field, row)]));

    const queryType = schema.getQueryType();
    if (!queryType) return undefined;
    let text: string;
    let roots: ProjectedStatement['roots'];
    try {
      text = `select ${objectSql(queryType.name, '', operation.selectionSet)} as hk_data`;
      roots = selected(queryType.name, operation.selectionSet).map((field) => ({
        key: field.key,
        node: field.node,
        nullable: field.name === '__typename' ? false : !isNonNullType(queryType.getFields()[field.name].type),
      }));
    } catch {
      // Not projectable, or a projector refusing its arguments (bad input): the resolver will say why.
      return undefined;
    }
    return { query: this.queryFor(text), params, roots };
  }

  private queryFor(text: string): Query<Record<string, SqlParam>, string> {
    let query = this.queries.get(text);
    if (!query) {
      query = defineQuery<Record<string, SqlParam>, string>({ text, decode: (row) => row.text('hk_data') });
      setBounded(this.queries, text, query, MAX_CACHED_QUERIES);
    }
    return query;
  }
}

/**
 * A JSON object as text from [key, JSON text] pairs, in their order; keys are GraphQL
 * names (nothing to quote or escape).
 */
export function jsonObject(pairs: readonly (readonly [string, string])[]): string {
  return `('{${pairs.map(([key, sql], i) => `${i ? ',' : ''}"${key}":' || ${sql} || '`).join('')}}')`;
}

/** Any SQL value as JSON text (`to_json`: the escaping of JSON.stringify); NULL is `null`. */
export function jsonValue(sql: string): string {
  return `coalesce(to_json(${sql})::text, 'null')`;
}

/** JSON text of a list: the rows' JSON texts `element` of `from`, in `order`; `[]` for none. */
export function jsonList(element: string, from: string, order: string): string {
  return `coalesce((select '[' || string_agg(${element}, ',' order by ${order}) || ']' ${from}), '[]')`;
}

/** JSON text of the one row's JSON text `element` of `from`, or `null` when there is none. */
export function jsonRow(element: string, from: string): string {
  return `coalesce((select ${element} ${from}), 'null')`;
}

/** Money as the API prints it: the decimal text with two fraction digits (`"0.00"`). */
export function moneyJson(sql: string): string {
  return jsonValue(`cast(${sql} as numeric(20, 2))::text`);
}

/**
 * A DateTime as the API prints it (`Date.toISOString()` of the instant in whole
 * milliseconds, as the read rows take it): `2026-11-30T08:15:00.123Z`.
 */
export function dateTimeJson(sql: string): string {
  return jsonValue(`to_char(${sql} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);
}

/** A sort key of a keyset connection, on the node rows' alias. */
export interface ProjectedKey {
  /** The column (no alias), e.g. `due_on`. */
  column: string;
  cast: 'date' | 'uuid' | 'text';
}

export interface KeysetConnectionSql {
  /** The GraphQL type of the connection's nodes. */
  nodeType: string;
  /** The table of the nodes (one table; its rows are the nodes). */
  table: string;
  /** The condition on the table's rows (alias `row`), parameters bound through the projection. */
  where: (row: string) => string;
  /** Ascending sort keys, the last one unique: the order and cursors of the list's resolver. */
  keys: readonly ProjectedKey[];
  first: number;
  /** The decoded `after` cursor. */
  after: CursorValues | undefined;
}

/**
 * A Relay connection (`totalCount`, `pageInfo { hasNextPage endCursor }`, `edges { cursor
 * node }`, `nodes`) over a keyset page, as core/pagination.ts and db/keyset.ts build it:
 * the same order, the same `first + 1` look-ahead, the cursor as base64url of the JSON
 * array of the sort keys.
 */
export function keysetConnectionSql<E>(f: FieldProjection<E>, connectionType: string, q: KeysetConnectionSql): string {
  const row = f.alias('k');
  const rows = f.alias('hk_rows');
  const page = f.alias('hk_page');
  const first = f.param(q.first);
  const order = (alias: string, dir = 'asc') => q.keys.map((k) => `${alias}.${k.column} ${dir}`).join(', ');
  let where = q.where(row);
  if (q.after) {
    const values = q.after.map((value, i) => `cast(${f.param(value)} as ${q.keys[i].cast})`);
    where = `(${where}) and (${q.keys.map((k) => `${row}.${k.column}`).join(', ')}) > (${values.join(', ')})`;
  }
  // base64url without padding of the JSON array, as encodeCursor makes it (encode() breaks lines every 76 characters).
  const cursor = `translate(encode(convert_to('[' || ${q.keys.map((k) => `to_json(${row}.${k.column})::text`).join(` || ',' || `)} || ']', 'UTF8'), 'base64'), E'+/=\\n', '-_')`;
  const pairs = f.selected(connectionType).map((field): [string, string] => {
    const child = () => f.child(connectionType, field, row);
    switch (field.name) {
      case '__typename':
        return [field.key, `'"${connectionType}"'`];
      case 'totalCount': {
        const countRow = f.alias('n');
        return [field.key, jsonValue(`(select count(*) from ${q.table} ${countRow} where ${q.where(countRow)})`)];
      }
      case 'pageInfo':
        return [
          field.key,
          jsonObject(
            child()
              .selected('PageInfo')
              .map((info): [string, string] => {
                if (info.name === '__typename') return [info.key, `'"PageInfo"'`];
                if (info.name === 'hasNextPage') return [info.key, jsonValue(`(select count(*) from ${rows}) > ${first}`)];
                if (info.name === 'endCursor') return [info.key, jsonValue(`(select ${cursor} from ${page} ${row} order by ${order(row, 'desc')} limit 1)`)];
                return decline(`PageInfo.${info.name}`);
              }),
          ),
        ];
      case 'edges': {
        const edgeType = `${connectionType.replace(/Connection$/, '')}Edge`;
        const edges = child();
        const edge = jsonObject(
          edges.selected(edgeType).map((e): [string, string] => {
            if (e.name === '__typename') return [e.key, `'"${edgeType}"'`];
            if (e.name === 'cursor') return [e.key, jsonValue(cursor)];
            if (e.name === 'node') return [e.key, edges.child(edgeType, e, row).object(q.nodeType, row)];
            return decline(`${edgeType}.${e.name}`);
          }),
        );
        return [field.key, jsonList(edge, `from ${page} ${row}`, order(row))];
      }
      case 'nodes':
        return [field.key, jsonList(child().object(q.nodeType, row), `from ${page} ${row}`, order(row))];
      default:
        return decline(`${connectionType}.${field.name}`);
    }
  });
  return `(with ${rows} as (select ${row}.* from ${q.table} ${row} where ${where} order by ${order(row)} limit ${first} + 1),
    ${page} as (select * from ${rows} ${row} order by ${order(row)} limit ${first})
    select ${jsonObject(pairs)})`;
}
