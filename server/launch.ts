/**
 * How the server process is started: node's own options, which must be on its command
 * line (V8 sizes its heap when the process starts, before any of our code runs).
 *
 * The heap limit. Left to itself, V8 lets the old generation grow to about four times
 * what is live before it collects, as long as the machine has memory: an import of
 * 100,000 bank lines (live heap ~65 MB, each 1,000-row batch short-lived garbage) took
 * the server to 360–520 MB RSS. V8 scales that growth with the limit (1.3× the live heap
 * at a 256 MB old generation, rising to 2× just below 2 GB, 4× from 2 GB), so with SERVER_HEAP_MB
 * it collects sooner and stays near 200 MB for the same work, for a few more CPU
 * seconds of garbage collection (bench/RESULTS.md, issue 12). 512 rather than less:
 * the limit is also what a burst may use, and at 256 a subscriber test whose answers
 * are 13 MB per socket ran out of heap. `npm start` passes it (package.json), and so do
 * the benches and the tests that start the server.
 */
export const DEFAULT_SERVER_HEAP_MB = 512;

/** The smallest limit accepted: the server's live heap alone is 50–70 MB. */
const MIN_SERVER_HEAP_MB = 96;

/** node's options for the server, from SERVER_HEAP_MB (default DEFAULT_SERVER_HEAP_MB). */
export function serverNodeArgs(env: Record<string, string | undefined> = process.env): string[] {
  const text = env.SERVER_HEAP_MB?.trim() || String(DEFAULT_SERVER_HEAP_MB);
  const mb = Number(text);
  if (!/^\d+$/.test(text) || mb < MIN_SERVER_HEAP_MB)
    throw new RangeError(`SERVER_HEAP_MB must be a whole number of megabytes, at least ${MIN_SERVER_HEAP_MB} (got ${text})`);
  return [`--max-old-space-size=${mb}`];
}
