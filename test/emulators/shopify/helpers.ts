// Starts the emulator on a random port and talks to it only through the real client (docs/shopify-facts.md §3).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createAdminApiClient } from '@shopify/admin-api-client';
import { Kind, parse, print } from 'graphql';
import { type GeneratedShop, type GenerateShopOptions, generateShop, writeSeedFiles } from '../../../emulators/scenario';
import { startShopifyEmulator, type ShopifyEmulator, type ShopifyEmulatorOptions } from '../../../emulators/shopify';

export const SHOP = 'alpha.myshopify.com';
export const TOKEN = 'shpat_alpha';

export type AdminClient = ReturnType<typeof createAdminApiClient>;

export function clientFor(emulator: ShopifyEmulator, accessToken = TOKEN, apiVersion = '2026-10'): AdminClient {
  return createAdminApiClient({
    storeDomain: emulator.url,
    apiVersion,
    accessToken,
    // The client forces https; the emulator speaks plain http on 127.0.0.1.
    customFetchApi: (url, init) => fetch(url.replace(/^https:/, 'http:'), init as RequestInit),
  });
}

export function startEmulator(opts: ShopifyEmulatorOptions = {}): Promise<ShopifyEmulator> {
  return startShopifyEmulator({ shops: [{ domain: SHOP, accessToken: TOKEN }], ...opts });
}

/** Polls `check` until it returns a value, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 5000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('waitFor timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function adminPost(emulator: ShopifyEmulator, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${emulator.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
}

/** Example Admin GraphQL queries (docs/shopify-facts.md §2; provenance in test/fixtures/shopify-queries/README.md). */
export const QUERIES_DIR = path.resolve(__dirname, '../../fixtures/shopify-queries');

/**
 * An example query file, or one named operation of it: the client sends no operationName, so a
 * document holding several operations is sent one operation at a time.
 */
export function sharedQuery(file: string, operationName?: string): string {
  const text = fs.readFileSync(path.join(QUERIES_DIR, file), 'utf8');
  if (!operationName) return text;
  const op = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === operationName);
  if (!op) throw new Error(`No operation ${operationName} in ${file}`);
  return print(op);
}

/** A generated shop written as seed files into a fresh temp folder. */
export function seedFolder(opts: Partial<GenerateShopOptions> = {}): { dir: string; shop: GeneratedShop } {
  const shop = generateShop({ seed: 7, orders: 120, start: '2026-09-01T00:00:00Z', days: 40, domain: SHOP, ...opts });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shopify-seed-'));
  writeSeedFiles(dir, shop);
  return { dir, shop };
}

/** The errors of a client response as readable strings ([] when there are none). */
export function errorsOf(res: { errors?: any }): string[] {
  if (!res.errors) return [];
  const gql = res.errors.graphQLErrors as { message: string }[] | undefined;
  return gql?.length ? gql.map((e) => e.message) : [`${res.errors.networkStatusCode ?? ''} ${res.errors.message ?? ''}`.trim()];
}
