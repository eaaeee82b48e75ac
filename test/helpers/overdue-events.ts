/** The overdue event stream as tests read it through the polling connection. */
import type { Client } from '../../sdk/index.js';

/**
 * Server settings for tests that count the engine's alarms in the whole stream: every
 * credit status rule off, so no CREDIT_STATUS_CHANGED event joins them (credit events
 * have their own tests, test/api/credit-status.test.ts).
 */
export const CREDIT_RULES_OFF: Readonly<Record<string, string>> = {
  CREDIT_WARN_STAGE: 'off',
  CREDIT_HOLD_STAGE: 'off',
  CREDIT_WARN_OVERDUE_PERCENT: 'off',
  CREDIT_HOLD_OVERDUE_PERCENT: 'off',
  CREDIT_WARN_BROKEN_PROMISES: 'off',
  CREDIT_HOLD_BROKEN_PROMISES: 'off',
};

/** The cursor of the newest stored event the caller sees, or null when there is none. */
export async function latestCursor(client: Client): Promise<string | null> {
  let after: string | null = null;
  for (;;) {
    const page: { pageInfo: { hasNextPage: boolean; endCursor: string | null } } = (await client.overdueEvents({ first: 200, after })).overdueEvents;
    if (page.pageInfo.endCursor) after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) return after;
  }
}
