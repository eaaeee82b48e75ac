/**
 * Subscriptions whose answers are shared between subscribers. graphql-js executes a
 * subscription's selection set once per event and subscriber; a stream that marks itself
 * as shared (`SHARED_DELIVERY`) instead takes over its socket: it is handed the execution
 * arguments, a key that says which subscribers would get the same answer, the server's
 * encoding of a result and a sink that puts `next` messages on the socket. The stream
 * then executes once per event and key and sends the same text to every socket.
 *
 * The root field's arguments (`after`, `filter`) select which events a subscriber gets,
 * not what an event's answer contains: a shared stream applies them itself, and the key
 * leaves them out, so subscribers resuming from different cursors still share answers.
 */
import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  print,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';

export const SHARED_DELIVERY = Symbol('shared delivery');

/** Where a shared stream puts its messages: one subscription on one socket. */
export interface SubscriptionSink {
  /** Sends a `next` message whose payload is this JSON text. */
  next(payloadJson: string): void;
  /** Ready-made frames, where the transport can take them (undefined: `next` only). */
  readonly frames?: FrameWriter;
  /** Bytes this process holds for the socket that the kernel has not taken yet. */
  bufferedBytes(): number;
  /** Runs `write` with the socket's writes gathered, so that its messages leave in one system call. */
  corked(write: () => void): void;
}

/** Writes messages framed once for many sockets. */
export interface FrameWriter {
  /** Equal for writers whose `make` gives the same bytes (the transport's framing and the subscription's id). */
  readonly key: string;
  /** The `next` messages of these payloads (JSON text as UTF-8), framed for the socket, in order. */
  make(payloads: readonly Uint8Array[]): Uint8Array;
  /** Writes what `make` made (here or on a writer with the same key), as it is. */
  write(frames: Uint8Array): void;
}

export interface SharedDeliveryTarget {
  /** The subscription as graphql-ws prepared it (document, variables, context). */
  execution: ExecutionArgs;
  /** Equal for subscriptions whose answers to one event are equal for equal callers (the caller's scope is the stream's to add). */
  shareKey: string;
  /** The text of a `next` payload, as the server formats results (errors mapped to API codes). */
  encode(result: ExecutionResult): string;
  sink: SubscriptionSink;
}

/** What a shared stream's delivery is doing; `ended` settles when it stops by itself (rejects on failure). */
export interface SharedDelivery {
  ended: Promise<void>;
  stop(): void;
}

/** A subscription source stream that delivers by itself when given a socket (still an AsyncIterable for graphql-js). */
export interface SharedStream extends AsyncIterable<unknown> {
  [SHARED_DELIVERY](target: SharedDeliveryTarget): SharedDelivery;
}

function isSharedStream(value: unknown): value is SharedStream {
  return typeof value === 'object' && value !== null && SHARED_DELIVERY in value;
}

/**
 * The key of a subscription's answers: the document with the root fields' arguments
 * removed, the operation name and the values of the variables the rest still uses.
 */
export function shareKeyOf(args: ExecutionArgs): string {
  const subscriptionType = args.schema.getSubscriptionType();
  const typeInfo = new TypeInfo(args.schema);
  const stripped: DocumentNode = visit(
    args.document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        return typeInfo.getParentType() === subscriptionType && node.arguments?.length ? { ...node, arguments: [] } : undefined;
      },
    }),
  );
  const used = new Set<string>();
  visit(stripped, {
    VariableDefinition: () => false,
    Variable(node) {
      used.add(node.name.value);
    },
  });
  const values = (args.variableValues ?? {}) as Record<string, unknown>;
  const variables = [...used].sort().map((name) => [name, values[name] ?? null]);
  return `${args.operationName ?? ''}\n${JSON.stringify(variables)}\n${print(stripped)}`;
}

/**
 * The result of graphql-ws's `subscribe` for a shared stream: nothing comes through it
 * (the stream writes to the socket); it ends when the delivery ends, and `return()`
 * (the client completed, the socket closed) stops the delivery at once.
 */
export class DirectDelivery implements AsyncGenerator<never, undefined> {
  private delivery: SharedDelivery | undefined;
  private stopped = false;
  private release: (() => void) | undefined;
  private readonly halted = new Promise<void>((resolve) => (this.release = resolve));

  constructor(
    private readonly stream: SharedStream,
    private readonly execution: ExecutionArgs,
    private readonly encode: (result: ExecutionResult) => string,
  ) {}

  /** Starts delivering to the socket (graphql-ws's onOperation, which knows the socket and the subscription id). */
  attach(sink: SubscriptionSink): void {
    if (this.stopped || this.delivery) return;
    this.delivery = this.stream[SHARED_DELIVERY]({ execution: this.execution, shareKey: shareKeyOf(this.execution), encode: this.encode, sink });
  }

  async next(): Promise<IteratorResult<never, undefined>> {
    if (!this.stopped) await Promise.race([this.halted, this.delivery?.ended ?? this.halted]);
    this.stopped = true;
    return { done: true, value: undefined };
  }

  async return(): Promise<IteratorResult<never, undefined>> {
    this.stopped = true;
    this.delivery?.stop();
    this.release?.();
    return { done: true, value: undefined };
  }

  async throw(error?: unknown): Promise<IteratorResult<never, undefined>> {
    await this.return();
    throw error;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/**
 * graphql-ws's `subscribe`: graphql-js's, except that a shared source stream is not
 * mapped through `execute` per event but answered by a DirectDelivery.
 */
export function sharedSubscribe(encode: (result: ExecutionResult) => string) {
  return async (args: ExecutionArgs): Promise<AsyncGenerator<ExecutionResult, undefined> | ExecutionResult> => {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    if (isSharedStream(source)) return new DirectDelivery(source, args, encode);
    return mapThroughExecute(source, args);
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** graphql-js's own mapping: each source event executes the selection set; `return()` reaches the source at once. */
function mapThroughExecute(source: AsyncIterable<unknown>, args: ExecutionArgs): AsyncGenerator<ExecutionResult, undefined> {
  const iterator = source[Symbol.asyncIterator]();
  const map = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult, undefined>> =>
    step.done ? { done: true, value: undefined } : { done: false, value: await execute({ ...args, rootValue: step.value }) };
  const mapped: AsyncGenerator<ExecutionResult, undefined> = {
    next: async () => map(await iterator.next()),
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
    throw: async (error?: unknown) => {
      if (iterator.throw) return map(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]: () => mapped,
  };
  return mapped;
}

/** A graphql-ws `next` message around a payload that is already JSON text (the same text graphql-ws would make). */
export function nextFrame(id: string, payloadJson: string): string {
  return `{"id":${JSON.stringify(id)},"type":"next","payload":${payloadJson}}`;
}

const FIN = 0x80;
const TEXT = 0x1;
const MASKED = 0x80;

/** Bytes of a WebSocket frame header for a payload of `length` (RFC 6455 §5.2), without a mask key. */
export function frameHeaderBytes(length: number): number {
  return length < 126 ? 2 : length < 0x10000 ? 4 : 10;
}

/**
 * Writes a final frame's header at `at` (FIN, the opcode, the length in 7, 7+16 or 7+64
 * bits, the mask bit when a mask key follows); answers where the mask key or payload goes.
 */
export function writeFrameHeader(out: Buffer, at: number, opcode: number, length: number, masked: boolean): number {
  out[at++] = FIN | opcode;
  const mask = masked ? MASKED : 0;
  if (length < 126) {
    out[at++] = mask | length;
  } else if (length < 0x10000) {
    out[at++] = mask | 126;
    out.writeUInt16BE(length, at);
    at += 2;
  } else {
    out[at++] = mask | 127;
    out.writeBigUInt64BE(BigInt(length), at);
    at += 8;
  }
  return at;
}

/**
 * graphql-ws `next` messages as WebSocket text frames (a server's frames are not masked),
 * one buffer for all: the same bytes the `ws` package writes for
 * `send(nextFrame(id, payload))`, when per-message compression is off.
 */
export function nextFrames(id: string, payloads: readonly Uint8Array[]): Buffer {
  const prefix = Buffer.from(`{"id":${JSON.stringify(id)},"type":"next","payload":`);
  let total = 0;
  for (const payload of payloads) {
    const length = prefix.length + payload.length + 1;
    total += frameHeaderBytes(length) + length;
  }
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const payload of payloads) {
    at = writeFrameHeader(out, at, TEXT, prefix.length + payload.length + 1, false);
    at += prefix.copy(out, at);
    out.set(payload, at);
    at += payload.length;
    out[at++] = 0x7d; // }
  }
  return out;
}
