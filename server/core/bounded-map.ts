/**
 * Keeps `value` under `key` in a map used as a cache of at most `max` entries: the entry
 * becomes the newest, and the oldest goes when there are more (a Map iterates in insertion
 * order).
 */
export function setBounded<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
}
