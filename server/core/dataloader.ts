/** DataLoader helpers: one batched query per kind of key, results in key order. */
import DataLoader from 'dataloader';

/** Orders `rows` by `keys`; missing keys resolve to `fallback`. */
export function orderByKeys<K, R, V>(keys: readonly K[], rows: R[], keyOf: (row: R) => K, valueOf: (row: R) => V, fallback: V): V[] {
  const map = new Map<K, V>();
  for (const row of rows) map.set(keyOf(row), valueOf(row));
  return keys.map((k) => (map.has(k) ? map.get(k)! : fallback));
}

/** Groups `rows` under each key; a key with no row gets an empty list. */
export function groupByKeys<K, R>(keys: readonly K[], rows: R[], keyOf: (row: R) => K): R[][] {
  const map = new Map<K, R[]>();
  for (const row of rows) {
    const list = map.get(keyOf(row));
    if (list) list.push(row);
    else map.set(keyOf(row), [row]);
  }
  return keys.map((k) => map.get(k) ?? []);
}

export function byIdLoader<T extends { id: string }>(load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | undefined> {
  return new DataLoader<string, T | undefined>(async (ids) => {
    const rows = await load([...ids]);
    return orderByKeys(ids, rows, (r) => r.id, (r) => r as T | undefined, undefined);
  });
}
