/**
 * Verifying huikuan's webhook deliveries. Each POST carries
 * `Huikuan-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`, with one
 * `v1=` per secret that signs at that moment (two while a rotated-out secret is still in
 * its overlap). Web Crypto only, so it runs in Node 18+, browsers, Deno and workers.
 */

const encoder = new TextEncoder();

function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

function hex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Compares without stopping at the first difference (no timing hint about the expected value). */
function equalConstantTime(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** The header's timestamp and signatures; undefined when it is not of that form. */
export function parseWebhookSignature(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value ?? '')) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/.test(value ?? '')) signatures.push(value);
  }
  return timestamp === undefined || signatures.length === 0 ? undefined : { timestamp, signatures };
}

/**
 * Whether a delivery is genuine: `header` (the Huikuan-Signature header) holds a `v1`
 * signature of `rawBody` (the request body exactly as received, before any JSON parsing)
 * made with `secret`, and its timestamp lies within `toleranceSeconds` of now (default 300;
 * a replayed old request fails). Resolves to false for anything else, never throws for a
 * bad header.
 */
export async function verifyWebhookSignature(
  rawBody: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  toleranceSeconds = 300,
): Promise<boolean> {
  const parsed = header ? parseWebhookSignature(header) : undefined;
  if (!parsed) return false;
  if (Math.abs(Date.now() / 1000 - parsed.timestamp) > toleranceSeconds) return false;
  const key = await crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const body = toBytes(rawBody);
  const prefix = encoder.encode(`${parsed.timestamp}.`);
  const signed = new Uint8Array(prefix.length + body.length);
  signed.set(prefix);
  signed.set(body, prefix.length);
  const expected = hex(await crypto.subtle.sign('HMAC', key, signed));
  // Every candidate is compared, so the time taken does not say which one matched.
  return parsed.signatures.reduce((found, signature) => equalConstantTime(signature, expected) || found, false);
}
