// Auth, versions, validation errors and the loud "not emulated" error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { miniOrder } from './fixtures';
import { clientFor, errorsOf, SHOP, startEmulator, TOKEN } from './helpers';

let emu: ShopifyEmulator;
beforeAll(async () => {
  emu = await startEmulator({
    shops: [
      { domain: SHOP, accessToken: TOKEN, name: 'Alpha' },
      { domain: 'beta.myshopify.com', accessToken: 'shpat_beta', name: 'Beta', currencyCode: 'CAD' },
    ],
  });
  emu.admin.upsertOrders(SHOP, [miniOrder(1, { createdAt: '2026-10-01T00:00:00Z' })]);
});
afterAll(async () => {
  await emu.close();
});

describe('errors', () => {
  it("answers a wrong or missing access token with HTTP 401 and Shopify's body", async () => {
    const res: any = await clientFor(emu, 'shpat_wrong').request('{ shop { id } }');
    expect(res.errors.networkStatusCode).toBe(401);
    const raw = await fetch(`${emu.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"query":"{ shop { id } }"}',
    });
    expect(raw.status).toBe(401);
    expect(await raw.json()).toEqual({ errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
  });

  it('lets the token choose the shop', async () => {
    const alpha: any = await clientFor(emu).request('{ shop { name myshopifyDomain currencyCode } }');
    const beta: any = await clientFor(emu, 'shpat_beta').request(
      '{ shop { name myshopifyDomain currencyCode } orders(first: 5) { nodes { id } } }',
    );
    expect(alpha.data.shop).toEqual({ name: 'Alpha', myshopifyDomain: SHOP, currencyCode: 'USD' });
    expect(beta.data.shop).toEqual({ name: 'Beta', myshopifyDomain: 'beta.myshopify.com', currencyCode: 'CAD' });
    expect(beta.data.orders.nodes).toEqual([]);
  });

  it('rejects an API version it has no schema for with 404', async () => {
    const res: any = await clientFor(emu, TOKEN, '2019-04').request('{ shop { id } }');
    expect(res.errors.networkStatusCode).toBe(404);
  });

  it("returns graphql validation errors in Shopify's shape with HTTP 200", async () => {
    const raw = await fetch(`${emu.url}/admin/api/2026-10/graphql.json`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Shopify-Access-Token': TOKEN },
      body: JSON.stringify({ query: '{ shop {\n  fooBar } }' }),
    });
    expect(raw.status).toBe(200);
    const body: any = await raw.json();
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: 'Cannot query field "fooBar" on type "Shop".',
        locations: [{ line: 2, column: 3 }],
        extensions: { code: 'undefinedField' },
      },
    ]);
  });

  it('fails loudly, naming Type.field, on a schema field the emulator does not model and the stored order does not hold', async () => {
    const res: any = await clientFor(emu).request('{ order(id: "gid://shopify/Order/1") { name poNumber } }');
    expect(errorsOf(res)).toEqual([
      'Field Order.poNumber is not emulated: it is absent from the stored Order and the emulator has no resolver for it.',
    ]);
    expect(res.errors.graphQLErrors[0].extensions.code).toBe('NOT_EMULATED');
    expect(res.errors.graphQLErrors[0].path).toEqual(['order', 'poNumber']);
    expect(res.data.order).toEqual({ name: '#1', poNumber: null });
  });

  it('fails loudly on an argument of a stored connection it cannot honour', async () => {
    const res: any = await clientFor(emu).request('{ shop { id } locations(first: 1, query: "name:x") { nodes { id } } }');
    expect(errorsOf(res)[0]).toMatch(/not emulated/);
  });
});
