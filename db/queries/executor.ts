/** What every query function takes: the database, or an open transaction of it. */
import type { Db } from '../client';

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Executor = Db | Tx;
