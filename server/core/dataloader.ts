/** DataLoader helpers: one batched query per kind of key, results in key order. */
import DataLoader from 'dataloader';

type BatchObserver = (loader: string, size: number) => void;
let observeBatch: BatchObserver = () => undefined;

/** Where batch sizes go (the process's metrics); set once at start-up. */
export function setBatchObserver(observer: BatchObserver): void {
  observeBatch = observer;
}

/** A DataLoader whose batches are counted under `name` (GET /metrics). */
export function batchLoader<K, V>(name: string, load: (keys: readonly K[]) => Promise<V[]>): DataLoader<K, V> {
  return new DataLoader<K, V>((keys) => {
    observeBatch(name, keys.length);
    return load(keys);
  });
}

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

export function byIdLoader<T extends { id: string }>(name: string, load: (ids: string[]) => Promise<T[]>): DataLoader<string, T | undefined> {
  return batchLoader<string, T | undefined>(name, async (ids) => {
    const rows = await load([...ids]);
    return orderByKeys(
      ids,
      rows,
      (r) => r.id,
      (r) => r as T | undefined,
      undefined,
    );
  });
}
