/** The overdue event stream as tests read it through the polling connection. */
import type { Client } from '../../sdk/index.js';

/** The cursor of the newest stored event the caller sees, or null when there is none. */
export async function latestCursor(client: Client): Promise<string | null> {
  let after: string | null = null;
  for (;;) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (await client.overdueEvents({ first: 200, after })).overdueEvents;
    if (page.pageInfo.endCursor) after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return after;
  }
}
