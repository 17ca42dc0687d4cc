/**
 * Connections to the Temporal cluster for clients (API) and workers, from one configuration:
 * plain gRPC for the dev server, mTLS or an API key for Temporal Cloud / secured clusters.
 */
import fs from 'node:fs';
import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import { temporal as proto } from '@temporalio/proto';
import type { Config } from '../config';
import { SEARCH_ATTRIBUTES } from '../workflows/search-attributes';

type TemporalConfig = Pick<Config['temporal'], 'tls' | 'apiKey' | 'namespace'> & { address: string };

function tlsOptions(cfg: TemporalConfig): ConnectionOptions['tls'] {
  if (!cfg.tls && !cfg.apiKey) return undefined;
  const t = cfg.tls ?? {};
  return {
    ...(t.serverName ? { serverNameOverride: t.serverName } : {}),
    ...(t.caPath ? { serverRootCACertificate: fs.readFileSync(t.caPath) } : {}),
    ...(t.certPath && t.keyPath ? { clientCertPair: { crt: fs.readFileSync(t.certPath), key: fs.readFileSync(t.keyPath) } } : {}),
  };
}

export async function connectClient(cfg: TemporalConfig): Promise<Client> {
  const connection = await Connection.connect({
    address: cfg.address,
    tls: tlsOptions(cfg),
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
  });
  return new Client({ connection, namespace: cfg.namespace });
}

export async function connectWorker(cfg: TemporalConfig): Promise<NativeConnection> {
  const opts: NativeConnectionOptions = {
    address: cfg.address,
    tls: tlsOptions(cfg) as NativeConnectionOptions['tls'],
    ...(cfg.apiKey ? { apiKey: cfg.apiKey } : {}),
  };
  return NativeConnection.connect(opts);
}

/**
 * Registers Ledgerline's custom search attributes on a cluster that lacks them (idempotent). On
 * Temporal Cloud this needs namespace-admin rights; the error says so rather than failing later.
 */
export async function ensureSearchAttributes(client: Client, namespace: string): Promise<void> {
  const svc = client.connection.operatorService;
  const existing = await svc.listSearchAttributes({ namespace });
  const missing = SEARCH_ATTRIBUTES.filter((k) => !(k.name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  try {
    await svc.addSearchAttributes({
      namespace,
      searchAttributes: Object.fromEntries(missing.map((k) => [k.name, proto.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD])),
    });
  } catch (err) {
    throw new Error(
      `Could not register search attributes ${missing.map((k) => k.name).join(', ')} on namespace ${namespace}: ` +
        `${(err as Error).message}. Register them as Keyword attributes with your cluster's admin tools.`,
    );
  }
}
