/**
 * No server-side request forgery: a webhook URL must not lead the server to itself, its
 * network or a cloud metadata service. The URL is checked when it is registered and
 * again at every delivery, where the connection goes to the very address that was
 * checked (a custom `lookup`), so a DNS answer that changes in between (rebinding)
 * cannot slip through.
 */
import dns from 'node:dns';
import net from 'node:net';
import { badInput, CoreErrorReason } from '../../core/errors';
import { WebhookErrorReason } from './webhook.errors';

export interface AddressPolicy {
  /** Loopback, private, link-local and metadata addresses allowed (WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean;
  /** http:// allowed (outside production, or WEBHOOK_ALLOW_HTTP). */
  allowHttp: boolean;
}

/** Addresses a webhook may never reach: IANA special-purpose blocks, IPv4 and IPv6. */
const FORBIDDEN = new net.BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96], // NAT64
  ['fc00::', 7], // unique local, e.g. fd00:ec2::254 (metadata)
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');
}

export function isForbiddenAddress(address: string): boolean {
  const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it maps.
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return FORBIDDEN.check(mapped[1], 'ipv4');
  return FORBIDDEN.check(address, family);
}

const MAX_URL_LENGTH = 2000;

/** The URL, parsed and checked for form (BAD_USER_INPUT on `field`). */
export function parseWebhookUrl(raw: string, policy: AddressPolicy, field: string): URL {
  if (raw.length > MAX_URL_LENGTH) throw badInput(field, `url may have at most ${MAX_URL_LENGTH} characters`, CoreErrorReason.TEXT_LENGTH);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw badInput(field, 'url is not an absolute URL', WebhookErrorReason.WEBHOOK_URL_INVALID);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw badInput(field, 'url must be http or https', WebhookErrorReason.WEBHOOK_URL_INVALID);
  if (url.username || url.password) throw badInput(field, 'url may not carry a user name or password', WebhookErrorReason.WEBHOOK_URL_INVALID);
  if (url.protocol === 'http:' && !policy.allowHttp) throw badInput(field, 'url must use https', WebhookErrorReason.WEBHOOK_URL_NOT_HTTPS);
  return url;
}

/** The URL's host as a resolver takes it (brackets of an IPv6 literal removed). */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1');
}

/** The host's first address when every address it resolves to may be reached; else why not. */
async function resolveChecked(host: string, policy: AddressPolicy): Promise<{ address: string; family: number } | { refused: 'private' | 'unresolvable' }> {
  let addresses: dns.LookupAddress[];
  try {
    addresses = net.isIP(host) ? [{ address: host, family: net.isIP(host) }] : await dns.promises.lookup(host, { all: true, verbatim: true });
  } catch {
    return { refused: 'unresolvable' };
  }
  if (addresses.length === 0) return { refused: 'unresolvable' };
  // Every address the name has must be allowed: a resolver may hand out any of them.
  if (!policy.allowPrivate && addresses.some((a) => isForbiddenAddress(a.address))) return { refused: 'private' };
  return addresses[0];
}

/** Registration: the URL's form and where its host leads (BAD_USER_INPUT on `field`). */
export async function checkWebhookUrl(raw: string, policy: AddressPolicy, field: string): Promise<string> {
  const url = parseWebhookUrl(raw, policy, field);
  const resolved = await resolveChecked(hostOf(url), policy);
  if ('refused' in resolved) {
    throw resolved.refused === 'private'
      ? badInput(field, 'url leads to a loopback, private, link-local or metadata address', WebhookErrorReason.WEBHOOK_URL_PRIVATE_ADDRESS)
      : badInput(field, `the host ${url.hostname} does not resolve`, WebhookErrorReason.WEBHOOK_URL_UNRESOLVABLE);
  }
  return url.toString();
}

/** A delivery's refusal to connect: recorded as the attempt's error. */
export class RefusedAddressError extends Error {}

/**
 * Delivery: the address to connect to, checked now (the name may resolve elsewhere than
 * at registration). The caller connects to this address and names the host in the TLS
 * handshake and the Host header.
 */
export async function deliveryAddress(url: URL, policy: AddressPolicy): Promise<{ address: string; family: number }> {
  if (url.protocol === 'http:' && !policy.allowHttp) throw new RefusedAddressError('http is not allowed (WEBHOOK_ALLOW_HTTP)');
  const resolved = await resolveChecked(hostOf(url), policy);
  if ('refused' in resolved) {
    throw new RefusedAddressError(resolved.refused === 'private' ? `${url.hostname} resolves to a forbidden address` : `${url.hostname} does not resolve`);
  }
  return resolved;
}
