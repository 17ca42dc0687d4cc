import type { Cipher } from '../config/secrets';
import type { Logger } from '../config/logger';
import type { Db } from '../db/client';

/** What the worker builds once and hands to every activity factory (the composition root is worker/system.ts). */
export interface ActivityDeps {
  db: Db;
  cipher: Cipher;
  log: Logger;
  clock: () => Date;
  /** QBO OAuth token endpoint (Intuit's, or the emulator's). */
  qboTokenUrl: string | undefined;
}
