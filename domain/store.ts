/**
 * A store's identity. Shopify shops are addressed by their permanent `<handle>.myshopify.com` domain
 * (custom domains change; this one does not), and Ledgerline's store id is that handle: readable in
 * URLs, logs and Temporal workflow ids.
 */
import { InvalidInputError } from './errors';

const MYSHOPIFY = /^([a-z0-9][a-z0-9-]{0,59})\.myshopify\.com$/;

/** Lower-cases and checks a shop domain; accepts `https://x.myshopify.com/` forms a person may paste. */
export function normalizeShopDomain(input: string): string {
  const domain = input
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, '')
    .replace(/\/+$/, '');
  if (!MYSHOPIFY.test(domain)) {
    throw new InvalidInputError(`shopDomain must be the shop's permanent <handle>.myshopify.com domain, got ${JSON.stringify(input)}`);
  }
  return domain;
}

export function storeIdFor(shopDomain: string): string {
  return MYSHOPIFY.exec(normalizeShopDomain(shopDomain))![1]!;
}
