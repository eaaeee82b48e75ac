/**
 * A relay between a server process and PostgreSQL that reads the wire protocol as it
 * passes: every statement a client sends (a simple Query, or an extended
 * Parse/Bind/Execute … Sync) with the time it was sent and the time PostgreSQL said
 * ReadyForQuery. From outside the process, with no hook in it, it tells how many
 * statements one request costs and how many of them had to wait for another
 * (sequential round trips). Only for counting: the relay adds latency, so the timed
 * runs go to PostgreSQL directly.
 */
import net from 'node:net';
import { performance } from 'node:perf_hooks';

export interface WireStatement {
  /** The SQL (of a Parse, for extended queries), whitespace collapsed. */
  text: string;
  /** Client connection number (1, 2, …), in the order they connected. */
  connection: number;
  /** When the relay passed on the first message of the statement (ms, performance.now()). */
  sentAt: number;
  /** When it passed on PostgreSQL's ReadyForQuery for it. */
  doneAt: number;
}

export interface WireProbe {
  /** `targetUrl` with host and port of the relay. */
  url: string;
  /** Forgets what was recorded so far. */
  reset(): void;
  /** The statements completed since the last reset. */
  statements(): WireStatement[];
  close(): Promise<void>;
}

/** Reads whole protocol messages out of a byte stream (the first one may have no type byte). */
class MessageReader {
  private buffer: Buffer = Buffer.alloc(0);

  constructor(
    private untypedFirst: boolean,
    private readonly onMessage: (type: string, body: Buffer) => void,
  ) {}

  push(chunk: Buffer): void {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      if (this.untypedFirst) {
        // StartupMessage, SSLRequest or CancelRequest: int32 length (itself included), no type byte.
        if (this.buffer.length < 4) return;
        const length = this.buffer.readInt32BE(0);
        if (this.buffer.length < length) return;
        this.buffer = this.buffer.subarray(length);
        this.untypedFirst = false;
        continue;
      }
      if (this.buffer.length < 5) return;
      const length = this.buffer.readInt32BE(1);
      if (this.buffer.length < 1 + length) return;
      this.onMessage(String.fromCharCode(this.buffer[0]), this.buffer.subarray(5, 1 + length));
      this.buffer = this.buffer.subarray(1 + length);
    }
  }
}

const cString = (body: Buffer, from = 0) => body.toString('utf8', from, body.indexOf(0, from));
const collapse = (sql: string) => sql.replace(/\s+/g, ' ').trim();

export async function startWireProbe(targetUrl: string): Promise<WireProbe> {
  const target = new URL(targetUrl);
  const targetPort = Number(target.port || 5432);
  let recorded: WireStatement[] = [];
  let connections = 0;
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    const connection = ++connections;
    const upstream = net.connect(targetPort, target.hostname);
    sockets.add(client).add(upstream);
    // Statements sent and not yet answered, oldest first (a client may pipeline).
    const waiting: { text: string; sentAt: number }[] = [];
    let extended: { text: string; sentAt: number } | undefined;

    const fromClient = new MessageReader(true, (type, body) => {
      const now = performance.now();
      if (type === 'Q') {
        waiting.push({ text: collapse(cString(body)), sentAt: now });
      } else if (type === 'P') {
        // Parse: statement name, then the query text.
        const text = collapse(cString(body, body.indexOf(0) + 1));
        extended ??= { text, sentAt: now };
        extended.text = text;
      } else if ('BDEH'.includes(type)) {
        extended ??= { text: '(prepared statement)', sentAt: now };
      } else if (type === 'S' && extended) {
        waiting.push(extended);
        extended = undefined;
      }
    });
    const fromServer = new MessageReader(false, (type) => {
      // ReadyForQuery ends every simple query and every Sync; the first one ends the start-up.
      if (type === 'Z' && waiting.length > 0) {
        const statement = waiting.shift()!;
        recorded.push({ ...statement, connection, doneAt: performance.now() });
      }
    });

    client.on('data', (chunk: Buffer) => {
      fromClient.push(chunk);
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      fromServer.push(chunk);
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const relayUrl = new URL(targetUrl);
  relayUrl.hostname = '127.0.0.1';
  relayUrl.port = String((server.address() as net.AddressInfo).port);

  return {
    url: relayUrl.toString(),
    reset: () => {
      recorded = [];
    },
    statements: () => [...recorded].sort((a, b) => a.sentAt - b.sentAt),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * The longest chain of statements each sent after the one before it had completed:
 * the round trips a request had to wait for one after another. Statements in flight at
 * the same time (DataLoader batches on several connections) share a step.
 */
export function sequentialRoundTrips(statements: readonly WireStatement[]): { depth: number; steps: number[] } {
  const sorted = [...statements].sort((a, b) => a.sentAt - b.sentAt);
  const steps: number[] = [];
  sorted.forEach((s, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if (sorted[j].doneAt <= s.sentAt) before = Math.max(before, steps[j]);
    steps.push(before + 1);
  });
  return { depth: Math.max(0, ...steps), steps };
}
