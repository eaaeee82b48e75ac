/**
 * Authorization along every path: for every role, walk the schema from each root field the
 * role may call to every object type it can reach, without descending through fields whose
 * `@Authorized` permissions it lacks, and check that each reachable type named in
 * TYPE_POLICY is one the role may read. A new field that leads to a policed type without
 * `@Authorized` fails here with the path, before anyone can query it.
 */
import 'reflect-metadata';
import { type GraphQLNamedType, type GraphQLSchema, getNamedType, isInterfaceType, isObjectType, isUnionType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';
import { Role } from '../../server/core/auth';
import { type Permission, TYPE_POLICY, can } from '../../server/core/access';

import { buildApiSchema } from '../../server/schema';

/** A decorated class as type-graphql's metadata holds it. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
type ClassType = Function;

/** `@Authorized` permissions of a field: undefined = no check; [] = any signed-in caller. */
type Roles = readonly Permission[] | undefined;

/** Caller of the walk: a role, or nobody signed in. */
type Caller = Role | 'ANONYMOUS';

let schema: GraphQLSchema;
/** "Type.field" → the `@Authorized` permissions type-graphql applies to it. */
const fieldRoles = new Map<string, Roles>();

beforeAll(async () => {
  schema = await buildApiSchema();
  const storage = getMetadataStorage();
  for (const [rootType, handlers] of [
    ['Query', storage.queries],
    ['Mutation', storage.mutations],
    ['Subscription', storage.subscriptions],
  ] as const) {
    for (const handler of handlers) fieldRoles.set(`${rootType}.${handler.schemaName}`, handler.roles as Roles);
  }
  const nameOf = new Map<ClassType, string>(storage.objectTypes.map((type) => [type.target, type.name]));
  // A type inherits the fields (and their roles) of the classes it extends; its own win.
  for (const type of storage.objectTypes) {
    for (let target: ClassType | null = type.target; target && target !== Function.prototype; target = Object.getPrototypeOf(target)) {
      const definition = storage.objectTypes.find((candidate) => candidate.target === target);
      for (const field of definition?.fields ?? []) {
        const key = `${type.name}.${field.schemaName}`;
        if (!fieldRoles.has(key)) fieldRoles.set(key, field.roles as Roles);
      }
    }
  }
  for (const resolver of storage.fieldResolvers) {
    const owner = nameOf.get(resolver.getObjectType!() as ClassType);
    if (owner && resolver.roles) fieldRoles.set(`${owner}.${resolver.schemaName}`, resolver.roles as Roles);
  }
});

function mayPass(caller: Caller, roles: Roles): boolean {
  if (roles === undefined) return true;
  if (caller === 'ANONYMOUS') return false;
  return roles.length === 0 || roles.some((permission) => can({ userId: 'walker', role: caller }, permission));
}

function mayRead(caller: Caller, type: string): boolean {
  const permission = TYPE_POLICY[type];
  if (!permission) return true;
  return caller !== 'ANONYMOUS' && can({ userId: 'walker', role: caller }, permission);
}

/** Root fields a caller may call: anonymous callers only those without `@Authorized` (login). */
function rootFields(caller: Caller): string[] {
  const roots: string[] = [];
  for (const root of [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]) {
    for (const field of Object.keys(root?.getFields() ?? {})) {
      const key = `${root!.name}.${field}`;
      if (!fieldRoles.has(key)) throw new Error(`no type-graphql metadata for ${key}`);
      if (mayPass(caller, fieldRoles.get(key))) roots.push(key);
    }
  }
  return roots;
}

function objectTypesBehind(type: GraphQLNamedType): GraphQLNamedType[] {
  if (isUnionType(type)) return [...type.getTypes()];
  if (isInterfaceType(type)) return [...schema.getPossibleTypes(type)];
  return isObjectType(type) ? [type] : [];
}

/** Breadth-first, so each violation is reported with a shortest path to it. */
function violations(caller: Caller): string[] {
  const found: string[] = [];
  const seen = new Set<string>();
  const queue: Array<{ type: GraphQLNamedType; path: string[] }> = [];
  for (const key of rootFields(caller)) {
    const [rootName, fieldName] = key.split('.');
    const rootType = schema.getType(rootName);
    if (!isObjectType(rootType)) continue;
    for (const type of objectTypesBehind(getNamedType(rootType.getFields()[fieldName].type))) {
      queue.push({ type, path: [key, type.name] });
    }
  }
  while (queue.length > 0) {
    const { type, path } = queue.shift()!;
    if (seen.has(type.name)) continue;
    seen.add(type.name);
    if (!mayRead(caller, type.name)) {
      found.push(`${caller}: ${path.join(' → ')}`);
      continue;
    }
    if (!isObjectType(type)) continue;
    for (const [fieldName, field] of Object.entries(type.getFields())) {
      const key = `${type.name}.${fieldName}`;
      if (!fieldRoles.has(key)) throw new Error(`no type-graphql metadata for ${key}`);
      if (!mayPass(caller, fieldRoles.get(key))) continue;
      for (const next of objectTypesBehind(getNamedType(field.type))) {
        if (!seen.has(next.name)) queue.push({ type: next, path: [...path.slice(0, -1), key, next.name] });
      }
    }
  }
  return found;
}

const CALLERS: readonly Caller[] = [...Object.values(Role), 'ANONYMOUS'];

describe('access walk: no role reaches a policed type it may not read', () => {
  it('knows every policed type', () => {
    for (const type of Object.keys(TYPE_POLICY)) expect(isObjectType(schema.getType(type))).toBe(true);
  });

  it.each(CALLERS)('%s', (caller) => {
    expect(violations(caller)).toEqual([]);
  });

  it('walks deep: ADMIN reaches every policed type, through nested fields', () => {
    const reached = new Set<string>();
    // Re-walk as ADMIN, who may read everything, collecting the types reached.
    const queue = rootFields(Role.ADMIN).map((key) => {
      const [rootName, fieldName] = key.split('.');
      const rootType = schema.getType(rootName);
      return isObjectType(rootType) ? getNamedType(rootType.getFields()[fieldName].type) : undefined;
    });
    while (queue.length > 0) {
      const type = queue.shift();
      if (!type || reached.has(type.name)) continue;
      reached.add(type.name);
      if (isObjectType(type)) for (const field of Object.values(type.getFields())) queue.push(getNamedType(field.type));
    }
    for (const type of Object.keys(TYPE_POLICY)) expect(reached).toContain(type);
  });

  it('every field with @Authorized keeps a resolver that checks it (no simpleResolvers type skips it)', () => {
    const unchecked: string[] = [];
    for (const [key, roles] of fieldRoles) {
      if (roles === undefined) continue;
      const [typeName, fieldName] = key.split('.');
      const type = schema.getType(typeName);
      if (isObjectType(type) && type.getFields()[fieldName] && !type.getFields()[fieldName].resolve) unchecked.push(key);
    }
    expect(unchecked).toEqual([]);
  });

  it('polices the types of collection work (issue 10); integrations read promises and disputes, project leads none of them', () => {
    expect(TYPE_POLICY).toMatchObject({
      CollectionActivity: 'COLLECTION_READ',
      PromiseToPay: 'PROMISE_READ',
      Dispute: 'LEDGER_READ',
      CreditStatusDetail: 'LEDGER_READ',
      CreditStatusReason: 'LEDGER_READ',
      CreditOverride: 'LEDGER_READ',
      CreditStatusChange: 'LEDGER_READ',
      WorklistItem: 'WORKLIST_READ',
      WorklistPromise: 'WORKLIST_READ',
      WorklistPriority: 'WORKLIST_READ',
    });
    const types = ['CollectionActivity', 'PromiseToPay', 'Dispute', 'CreditStatusDetail', 'CreditStatusChange', 'WorklistItem'];
    const readable = (caller: Caller) => types.filter((type) => mayRead(caller, type));
    expect(readable(Role.INTEGRATION)).toEqual(['PromiseToPay', 'Dispute', 'CreditStatusDetail', 'CreditStatusChange']);
    expect(readable(Role.PROJECT_LEAD)).toEqual([]);
    expect(readable(Role.SALES)).toEqual(types);
    // The object types the collection-work areas add: each is policed, or only reachable inside a policed one.
    const collectionTypes = Object.keys(schema.getTypeMap()).filter((name) =>
      /^(CollectionActivity|PromiseToPay|Dispute|CreditStatus(Detail|Reason|Change)|CreditOverride|Worklist(Item|Promise|Priority))$/.test(name),
    );
    expect(collectionTypes.filter((name) => !TYPE_POLICY[name])).toEqual([]);
  });

  it('a role may not call a root field it lacks the permission for', () => {
    expect(rootFields(Role.INTEGRATION)).not.toContain('Query.payments');
    expect(rootFields(Role.PROJECT_LEAD)).not.toContain('Query.agingReport');
    expect(rootFields('ANONYMOUS')).toContain('Mutation.login');
    expect(rootFields('ANONYMOUS')).not.toContain('Query.me');
  });
});
