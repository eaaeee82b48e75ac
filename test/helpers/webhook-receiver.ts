/**
 * A local HTTP endpoint that receives webhook deliveries: it records each request's
 * headers, raw body and arrival time, and answers what the test says (200 by default).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedDelivery {
  eventId: string;
  signature: string;
  rawBody: string;
  body: { id: string; type: string; cursor: string; [key: string]: unknown };
  receivedAt: number;
}

export interface WebhookReceiver {
  url: string;
  /** Every request answered 2xx, in arrival order. */
  readonly accepted: ReceivedDelivery[];
  /** Every request, whatever it was answered. */
  readonly all: ReceivedDelivery[];
  /** How a request is answered: its status code (default 200). `nth` counts from 1. */
  respond: (delivery: ReceivedDelivery, nth: number) => number | Promise<number>;
  /** Resolves once `count` requests have been accepted (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(path = '/hooks'): Promise<WebhookReceiver> {
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver: WebhookReceiver = {
    url: '',
    accepted: [],
    all: [],
    respond: () => 200,
    waitFor(count, timeoutMs = 30_000) {
      if (receiver.accepted.length >= count) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`the receiver got ${receiver.accepted.length} of ${count} deliveries within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const delivery: ReceivedDelivery = {
        eventId: String(request.headers['huikuan-event-id']),
        signature: String(request.headers['huikuan-signature']),
        rawBody,
        body: JSON.parse(rawBody) as ReceivedDelivery['body'],
        receivedAt: Date.now(),
      };
      receiver.all.push(delivery);
      void Promise.resolve(receiver.respond(delivery, receiver.all.length)).then((status) => {
        if (status >= 200 && status < 300) receiver.accepted.push(delivery);
        response.writeHead(status).end();
        for (const waiter of waiters.filter((w) => receiver.accepted.length >= w.count)) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      });
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  return receiver;
}
