// Uninstalling the app (docs/shopify-facts.md §4): app/uninstalled with the Shop body, then the token is revoked.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { adminPost, clientFor, SHOP, startEmulator, TOKEN } from './helpers';
import { startReceiver } from './receiver';

let emu: ShopifyEmulator | undefined;
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;
afterEach(async () => {
  await emu?.close();
  await receiver?.close();
  emu = undefined;
  receiver = undefined;
});

describe('POST /_emulator/shops/:domain/uninstall', () => {
  it('sends app/uninstalled naming the shop, then answers 401 to its token and sends nothing more', async () => {
    receiver = await startReceiver();
    emu = await startEmulator({ shops: [{ domain: SHOP, accessToken: TOKEN }], webhookSecret: 'secret' });
    const client = clientFor(emu);
    const sub: any = await client.request(
      'mutation($uri: String!) { webhookSubscriptionCreate(topic: APP_UNINSTALLED, webhookSubscription: { uri: $uri, format: JSON }) { userErrors { message } } }',
      { variables: { uri: receiver.url } },
    );
    expect(sub.data.webhookSubscriptionCreate.userErrors).toEqual([]);
    expect((await client.request('{ shop { myshopifyDomain } }')).data).toEqual({ shop: { myshopifyDomain: SHOP } });

    const res = await adminPost(emu, `/_emulator/shops/${SHOP}/uninstall`);
    expect(res.status).toBe(201);
    await emu.admin.webhooksIdle();
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery!.headers['x-shopify-topic']).toBe('app/uninstalled');
    expect(delivery!.headers['x-shopify-shop-domain']).toBe(SHOP);
    expect(JSON.parse(delivery!.rawBody)).toMatchObject({ myshopify_domain: SHOP, domain: SHOP });

    const after = await client.request('{ shop { myshopifyDomain } }');
    expect(after.errors?.networkStatusCode).toBe(401);
    expect((await adminPost(emu, `/_emulator/shops/${SHOP}/uninstall`)).status).toBe(409);
  });
});
