/** The principal cache: what it remembers, for how long, and what makes it forget. */
import { Role, type Principal } from '../../server/core/auth';
import { PrincipalCache } from '../../server/core/principal-cache';

let now = 1_000_000;
const clock = () => now;

function userToken(userId: string, jti: string, expiresInMs = 3_600_000): Principal {
  return { userId, role: Role.FINANCE, credential: { kind: 'USER_TOKEN', jti, issuedAt: Math.floor(now / 1000), expiresAt: new Date(now + expiresInMs) } };
}

function listeningCache(windowMs = 5000, maxEntries = 100): PrincipalCache {
  const cache = new PrincipalCache(windowMs, maxEntries, clock);
  cache.setListening(true);
  return cache;
}

test('remembers a principal for the window, never past the token’s expiry', () => {
  const cache = listeningCache();
  cache.remember('a', userToken('u1', 'j1'), cache.mark());
  cache.remember('b', userToken('u2', 'j2', 1000), cache.mark());
  expect(cache.get('a')?.userId).toBe('u1');
  now += 1000;
  expect(cache.get('b')).toBeUndefined();
  now += 3999;
  expect(cache.get('a')?.userId).toBe('u1');
  now += 1;
  expect(cache.get('a')).toBeUndefined();
});

test('a change forgets the principals it concerns, and only those', () => {
  const cache = listeningCache();
  const api: Principal = { userId: 'svc', role: Role.INTEGRATION, credential: { kind: 'API_TOKEN', apiTokenId: 't1' } };
  for (const [key, principal] of [
    ['j1', userToken('u1', 'j1')],
    ['j2', userToken('u1', 'j2')],
    ['j3', userToken('u2', 'j3')],
    ['api', api],
  ] as const) {
    cache.remember(key, principal, cache.mark());
  }
  cache.forget({ type: 'TOKEN_REVOKED', jti: 'j1' });
  expect([cache.get('j1'), cache.get('j2')?.userId]).toEqual([undefined, 'u1']);
  cache.forget({ type: 'ROLE_CHANGED', userId: 'u1', role: Role.MANAGER });
  expect([cache.get('j2'), cache.get('j3')?.userId]).toEqual([undefined, 'u2']);
  cache.forget({ type: 'API_TOKEN_REVOKED', apiTokenId: 't1' });
  expect(cache.get('api')).toBeUndefined();
  cache.forget({ type: 'USER_DEACTIVATED', userId: 'u2' });
  expect(cache.get('j3')).toBeUndefined();
});

test('a read that began before a change is not remembered after it', () => {
  const cache = listeningCache();
  const mark = cache.mark(); // the request starts reading the database …
  cache.forget({ type: 'SIGNED_OUT_EVERYWHERE', userId: 'u9', validAfter: 0 }); // … a change commits meanwhile
  cache.remember('j', userToken('u1', 'j'), mark);
  expect(cache.get('j')).toBeUndefined();
  cache.remember('j', userToken('u1', 'j'), cache.mark());
  expect(cache.get('j')?.userId).toBe('u1');
});

test('nothing is remembered or answered while changes cannot be heard, or with a window of 0', () => {
  const cache = listeningCache();
  cache.remember('j', userToken('u1', 'j'), cache.mark());
  cache.setListening(false);
  expect(cache.active).toBe(false);
  expect(cache.get('j')).toBeUndefined();
  cache.remember('j', userToken('u1', 'j'), cache.mark());
  cache.setListening(true);
  expect(cache.get('j')).toBeUndefined();
  expect(listeningCache(0).active).toBe(false);
});

test('keeps at most maxEntries, dropping the oldest', () => {
  const cache = listeningCache(5000, 2);
  for (const key of ['a', 'b', 'c']) cache.remember(key, userToken(key, key), cache.mark());
  expect([cache.get('a'), cache.get('b')?.userId, cache.get('c')?.userId]).toEqual([undefined, 'b', 'c']);
});
