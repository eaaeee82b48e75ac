/**
 * The signed-in session: the SDK client and who is signed in. The token lives in
 * sessionStorage (this tab only, gone when it closes), never in a URL or a cookie.
 */
import { createClient, HuikuanError, type Client, type Role, type UserFieldsFragment } from '@huikuan/sdk';

const TOKEN_KEY = 'huikuan.console.token';
const url = new URL('/graphql', window.location.origin).toString();

export const client: Client = createClient({ url, getToken: () => sessionStorage.getItem(TOKEN_KEY) ?? undefined });

let me: UserFieldsFragment | undefined;

export function currentUser(): UserFieldsFragment | undefined {
  return me;
}

export async function signIn(email: string, password: string): Promise<UserFieldsFragment> {
  const { login } = await client.login({ email, password });
  sessionStorage.setItem(TOKEN_KEY, login.token);
  me = login.user;
  return me;
}

/** The user of a token kept from earlier in this tab, or undefined when there is none or it no longer works. */
export async function resume(): Promise<UserFieldsFragment | undefined> {
  if (!sessionStorage.getItem(TOKEN_KEY)) return undefined;
  try {
    me = (await client.me()).me;
    return me;
  } catch (e) {
    if (e instanceof HuikuanError && (e.code === 'UNAUTHENTICATED' || e.code === 'FORBIDDEN')) sessionStorage.removeItem(TOKEN_KEY);
    return undefined;
  }
}

export async function signOut(): Promise<void> {
  try {
    await client.logout();
  } catch {
    // The token may already be invalid: forgetting it is what matters.
  }
  sessionStorage.removeItem(TOKEN_KEY);
  me = undefined;
}

/** Which pages a role has: the API decides what each answers; this only avoids offering pages that would be refused. */
export const PAGES = {
  dashboard: ['MANAGER', 'FINANCE', 'ADMIN'],
  worklist: ['SALES', 'FINANCE', 'MANAGER', 'ADMIN'],
  alarms: ['SALES', 'FINANCE', 'MANAGER', 'ADMIN'],
  feedback: ['SALES', 'FINANCE', 'PROJECT_LEAD', 'MANAGER', 'ADMIN'],
} as const satisfies Record<string, readonly Role[]>;

export type PageName = keyof typeof PAGES;

export function pagesFor(role: Role): PageName[] {
  return (Object.keys(PAGES) as PageName[]).filter((page) => (PAGES[page] as readonly Role[]).includes(role));
}

export function errorText(e: unknown): string {
  if (e instanceof HuikuanError) return `${e.message}${e.reason ? ` (${e.reason})` : ''}`;
  return e instanceof Error ? e.message : String(e);
}
