/** What buildApp needs besides the test's own choices: a process's pacer and QBO limiter (as main/system.ts builds them). */
import type { Db } from '../../db/client';
import { qboRateWindowStore } from '../../db/queries';
import { createQboLimiter } from '../../integrations/qbo/limiter';
import { createShopifyPacer } from '../../integrations/shopify/pacer';

export function processPacing(db: Db) {
  return { pacer: createShopifyPacer(), limiter: createQboLimiter({ store: qboRateWindowStore(db), clock: () => new Date() }) };
}
