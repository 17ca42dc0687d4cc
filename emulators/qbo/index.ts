import type { AddressInfo } from 'node:net';
import { writeState } from './company/persist';
import { QboEmulatorCore, type QboEmulatorAdmin } from './emulator';
import { createQboServer } from './api/server';
import type { QboEmulatorOptions } from './types';

/**
 * A local QuickBooks Online Accounting API v3 (minor version 75) for tests, the demo and benchmarks.
 * Ledgerline reaches it only over HTTP through node-quickbooks: set `qbo.endpoint = handle.v3Endpoint` and
 * `QuickBooks.TOKEN_URL = handle.tokenUrl` (docs/qbo-facts.md §3, §6). README.md lists every emulated rule.
 */
export interface QboEmulatorHandle {
  /** Base URL, e.g. http://127.0.0.1:PORT */
  url: string;
  /** `${url}/v3/company/` — node-quickbooks appends the realm id. */
  v3Endpoint: string;
  /** `${url}/oauth2/v1/tokens/bearer` */
  tokenUrl: string;
  /** `${url}/v2/oauth2/tokens/revoke` */
  revokeUrl: string;
  /** `${url}/connect/oauth2`: the consent page of the authorization-code flow (api/authorize.ts). */
  authorizeUrl: string;
  port: number;
  clientId: string;
  clientSecret: string;
  admin: QboEmulatorAdmin;
  /** Stops listening (open connections are cut) and writes the stateFile when one was given. */
  close(): Promise<void>;
}

export async function startQboEmulator(options: QboEmulatorOptions = {}): Promise<QboEmulatorHandle> {
  const core = new QboEmulatorCore(options);
  const server = createQboServer(core);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  options.logger?.info({ url, companies: core.admin().companies() }, 'qbo emulator listening');
  let closed = false;
  return {
    url,
    v3Endpoint: `${url}/v3/company/`,
    tokenUrl: `${url}/oauth2/v1/tokens/bearer`,
    revokeUrl: `${url}/v2/oauth2/tokens/revoke`,
    authorizeUrl: `${url}/connect/oauth2`,
    port,
    clientId: core.clientId,
    clientSecret: core.clientSecret,
    admin: core.admin(),
    close: async () => {
      if (closed) return;
      closed = true;
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      if (options.stateFile) writeState(options.stateFile, core.snapshot());
    },
  };
}

export { defaultCompany, DEFAULT_ACCOUNT_IDS, DEFAULT_ITEM_IDS, DEFAULT_LIST_IDS } from './company/defaultCompany';
export type { DefaultCompanyOptions } from './company/defaultCompany';
export { DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET } from './emulator';
export type { NewCompany, QboEmulatorAdmin } from './emulator';
export type * from './types';
