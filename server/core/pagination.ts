/**
 * Relay-style cursor pagination (keyset, not offset): a cursor encodes the sort key
 * of the last row seen, so pages stay stable while rows are inserted. A cursor comes
 * back from the client, so it is checked like any other input (db/keyset.ts checks
 * each value against its column's type).
 */
import { ArgsType, ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badInput, CoreErrorReason } from './errors';

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 200;

/** Arguments of every paginated list. */
@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: 'Page size, 0–200 (default 20).' })
  first?: number;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  after?: string;
}

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Page<T> {
  nodes: T[];
  hasNextPage: boolean;
  /** Items matching the filter across all pages; undefined when the list was read without counting (totalCount not selected). */
  totalCount?: number;
  cursorOf: (node: T) => string;
}

export function connectionType<T extends object>(name: string, nodeType: ClassType<T>) {
  // Connections are plain objects (PageConnection) whose fields need no middleware.
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field(() => nodeType)
    node!: T;

    @Field()
    cursor!: string;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => [nodeType], { description: 'The nodes of `edges`, for clients that need no cursors.' })
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int, { description: 'Number of items matching the filter, across all pages.' })
    totalCount!: number;
  }
  return Connection;
}

/** An edge whose cursor is encoded when a client reads it. */
class PageEdge<T> {
  constructor(
    readonly node: T,
    private readonly cursorOf: (node: T) => string,
  ) {}

  get cursor(): string {
    return this.cursorOf(this.node);
  }
}

/**
 * A page as a Relay connection. Edges and cursors are made only when the client reads
 * them (a cursor per row nobody asked for is work for nothing); the count must have been
 * made by the list when `totalCount` is selected.
 */
class PageConnection<T> {
  constructor(private readonly page: Page<T>) {}

  get nodes(): T[] {
    return this.page.nodes;
  }

  get edges(): PageEdge<T>[] {
    return this.page.nodes.map((node) => new PageEdge(node, this.page.cursorOf));
  }

  get totalCount(): number {
    if (this.page.totalCount === undefined) throw new Error('totalCount is selected but the list was read without counting');
    return this.page.totalCount;
  }

  get pageInfo(): PageInfo {
    const { nodes, hasNextPage, cursorOf } = this.page;
    return {
      hasNextPage,
      get endCursor() {
        return nodes.length ? cursorOf(nodes[nodes.length - 1]) : null;
      },
    };
  }
}

export function toConnection<T>(page: Page<T>): PageConnection<T> {
  return new PageConnection(page);
}

export function pageSize(first: number | undefined | null): number {
  if (first === undefined || first === null) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(first) || first < 0 || first > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be between 0 and ${MAX_PAGE_SIZE}`, CoreErrorReason.OUT_OF_RANGE);
  }
  return first;
}

export type CursorValues = (string | number)[];

export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined | null, arity: number): CursorValues | undefined {
  if (cursor === undefined || cursor === null) return undefined;
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => ['string', 'number'].includes(typeof v))) {
      return values as CursorValues;
    }
  } catch {
    // fall through
  }
  throw badInput('after', 'after is not a cursor returned by this list', CoreErrorReason.INVALID_CURSOR);
}
