/**
 * What a client asked for below a field, so a resolver computes only that: a count only
 * when `totalCount` is selected, a page's balances in the page's own statement only when
 * a balance is selected. Paths are field names (not aliases) joined by dots, e.g.
 * `edges.node.outstanding`; fragments and inline fragments count as selected wherever they
 * are spread. `@skip`/`@include` are not evaluated: a field under them counts as selected,
 * so a resolver may compute a little more than needed, never less.
 */
import { type FieldNode, type FragmentDefinitionNode, Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

type Fragments = Readonly<Record<string, FragmentDefinitionNode>>;

/** The fields named `name` directly in these selection sets (through fragments). */
function fieldsNamed(sets: readonly SelectionSetNode[], name: string, fragments: Fragments, out: FieldNode[] = [], seen = new Set<string>()): FieldNode[] {
  for (const set of sets) {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (selection.name.value === name) out.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        fieldsNamed([selection.selectionSet], name, fragments, out, seen);
      } else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments[selection.name.value];
        if (fragment) fieldsNamed([fragment.selectionSet], name, fragments, out, seen);
      }
    }
  }
  return out;
}

/**
 * Answers per field nodes: graphql-js hands every item of a list the same `fieldNodes`
 * array within one execution (e.g. `receivables` of each of 50 customers), so the walk
 * runs once per execution, not once per item.
 */
const answers = new WeakMap<readonly FieldNode[], Map<string, boolean>>();

/** Whether `path` (dot-separated field names) is selected below the resolver's field. */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: string): boolean {
  let known = answers.get(info.fieldNodes);
  if (!known) {
    known = new Map();
    answers.set(info.fieldNodes, known);
  }
  let answer = known.get(path);
  if (answer === undefined) {
    answer = walk(info, path);
    known.set(path, answer);
  }
  return answer;
}

function walk(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, path: string): boolean {
  let nodes: readonly FieldNode[] = info.fieldNodes;
  for (const name of path.split('.')) {
    const sets = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
    nodes = fieldsNamed(sets, name, info.fragments);
    if (nodes.length === 0) return false;
  }
  return true;
}

/** Whether any of the paths is selected. */
export function selectsAny(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, paths: readonly string[]): boolean {
  return paths.some((path) => selects(info, path));
}

/** The paths to a field of a connection's nodes, through `nodes` and `edges.node`. */
export function nodePaths(...fields: string[]): string[] {
  return fields.flatMap((field) => [`nodes.${field}`, `edges.node.${field}`]);
}
