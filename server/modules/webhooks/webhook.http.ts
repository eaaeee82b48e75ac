/**
 * One JSON POST to a URL outside: the address checked and connected to as it was checked
 * (webhook.address.ts), a deadline over the whole attempt, the answer read and dropped.
 * Webhook deliveries use it, and so does any area above that posts to a URL a person
 * gave (an IM bot).
 */
import http from 'node:http';
import https from 'node:https';
import { type AddressPolicy, deliveryAddress } from './webhook.address';

/** One attempt as a delivery log keeps it. */
export interface AttemptRecord {
  /** The HTTP status answered; null when no answer came. */
  statusCode: number | null;
  durationMs: number;
  /** Why it failed; null for a 2xx answer. */
  error: string | null;
}

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

/** POSTs `body` (JSON) with `headers`; any answer but 2xx, a refused address, a network error or the deadline is a failure. */
export async function postJson(url: URL, body: string, policy: AddressPolicy, timeoutMs: number, headers: Record<string, string>): Promise<AttemptRecord> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): AttemptRecord => ({
    statusCode,
    durationMs: Math.round(performance.now() - started),
    error,
  });
  let address: { address: string; family: number };
  try {
    address = await deliveryAddress(url, policy);
  } catch (e) {
    return done(null, (e as Error).message);
  }
  const payload = Buffer.from(body);
  return new Promise<AttemptRecord>((resolve) => {
    let settled = false;
    const settle = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(done(statusCode, error));
    };
    const request = (url.protocol === 'https:' ? https : http).request({
      agent: agents[url.protocol as 'http:' | 'https:'],
      // Connect to the checked address; the host name goes in Host and in TLS (SNI, certificate).
      host: address.address,
      family: address.family,
      port: url.port || (url.protocol === 'https:' ? 443 : 80),
      servername: url.protocol === 'https:' ? url.hostname : undefined,
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: {
        host: url.host,
        'content-type': 'application/json',
        'content-length': payload.length,
        'user-agent': 'huikuan-webhooks/1',
        ...headers,
      },
    });
    // The whole attempt, an answer that never ends included, is bounded.
    const deadline = setTimeout(() => {
      request.destroy();
      settle(null, `no answer within ${timeoutMs} ms`);
    }, timeoutMs);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      const outcome = status >= 200 && status < 300 ? null : `HTTP ${status}`;
      // The answer's body is read and dropped, so the connection can be reused.
      response.resume();
      response.on('end', () => settle(status, outcome));
      response.on('error', (e) => settle(status, e.message));
      response.on('close', () => settle(status, outcome));
    });
    request.on('error', (e: NodeJS.ErrnoException) => settle(null, e.code ? `${e.code}: ${e.message}` : e.message));
    request.end(payload);
  });
}
