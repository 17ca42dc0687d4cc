/**
 * What a demo is made of, written once to `<dataDir>/demo/demo.json` so a restart resumes the same
 * demo: the generator's seed and time window (generateShop is deterministic for them, so a lost
 * Shopify state file can be rebuilt identically), the shop and the QBO company.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const DEMO_SHOP_DOMAIN = 'ledgerline-demo.myshopify.com';
export const DEMO_SHOP_NAME = 'Ledgerline Demo Shop';
/** Not a secret: the emulator's shop accepts it, nothing else does. */
export const DEMO_SHOPIFY_TOKEN = 'shpat_ledgerline_demo';
export const DEMO_REALM_ID = '9130357766554433';
export const DEMO_COMPANY_NAME = 'Ledgerline Demo Books';
const DEMO_SEED = 2026;

const manifestSchema = z.object({
  version: z.literal(1),
  seed: z.number().int(),
  orders: z.number().int().positive(),
  days: z.number().int().positive(),
  /** ISO instant of the first day; the generated orders run from here to the moment the demo was created. */
  start: z.string().datetime(),
  shopDomain: z.string(),
  realmId: z.string(),
  createdAt: z.string().datetime(),
});
export type DemoManifest = z.infer<typeof manifestSchema>;

export interface DemoFiles {
  dir: string;
  manifest: string;
  seedDir: string;
  shopifyState: string;
  qboState: string;
}

export function demoFiles(dataDir: string): DemoFiles {
  const dir = path.join(dataDir, 'demo');
  return {
    dir,
    manifest: path.join(dir, 'demo.json'),
    seedDir: path.join(dir, 'shopify-seed'),
    shopifyState: path.join(dir, 'shopify-state.json'),
    qboState: path.join(dir, 'qbo-state.json'),
  };
}

/** The existing manifest, or undefined when this data dir has no demo yet. A damaged one is an error. */
export function readManifest(files: DemoFiles): DemoManifest | undefined {
  if (!fs.existsSync(files.manifest)) return undefined;
  const parsed = manifestSchema.safeParse(JSON.parse(fs.readFileSync(files.manifest, 'utf8')));
  if (!parsed.success) {
    throw new Error(
      `${files.manifest} is not a Ledgerline demo manifest (${parsed.error.issues[0]?.message}); delete ${files.dir} to start a new demo`,
    );
  }
  return parsed.data;
}

export function newManifest(opts: { orders: number; days: number; now: Date }): DemoManifest {
  return {
    version: 1,
    seed: DEMO_SEED,
    orders: opts.orders,
    days: opts.days,
    start: new Date(opts.now.getTime() - opts.days * 86_400_000).toISOString(),
    shopDomain: DEMO_SHOP_DOMAIN,
    realmId: DEMO_REALM_ID,
    createdAt: opts.now.toISOString(),
  };
}

export function writeManifest(files: DemoFiles, manifest: DemoManifest): void {
  fs.mkdirSync(files.dir, { recursive: true });
  fs.writeFileSync(files.manifest, `${JSON.stringify(manifest, null, 2)}\n`);
}
