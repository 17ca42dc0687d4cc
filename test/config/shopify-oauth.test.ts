/** SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET, SHOPIFY_REDIRECT_URI: the Shopify app of the install flow (docs/oauth.md). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

const APP = {
  SHOPIFY_CLIENT_ID: 'client-id',
  SHOPIFY_CLIENT_SECRET: 'client-secret',
  SHOPIFY_REDIRECT_URI: 'https://ledgerline.example.com/connect/shopify/callback',
};

describe('the Shopify app of the install flow', () => {
  it('is read when all three are set, and absent when none is', () => {
    expect(loadConfig(APP).shopify.oauth).toEqual({
      clientId: 'client-id',
      clientSecret: 'client-secret',
      redirectUri: 'https://ledgerline.example.com/connect/shopify/callback',
    });
    expect(loadConfig({}).shopify.oauth).toBeUndefined();
    // Empty means unset (docker-compose passes VAR=).
    expect(loadConfig({ SHOPIFY_CLIENT_ID: '', SHOPIFY_CLIENT_SECRET: '', SHOPIFY_REDIRECT_URI: '' }).shopify.oauth).toBeUndefined();
  });

  it('refuses a partial app and a redirect URI that is not a URL, never repeating the secret', () => {
    for (const drop of Object.keys(APP)) {
      const partial = Object.fromEntries(Object.entries(APP).filter(([k]) => k !== drop));
      let err: unknown;
      try {
        loadConfig(partial);
      } catch (e) {
        err = e;
      }
      expect(err, drop).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).problems).toEqual([
        'SHOPIFY_CLIENT_ID, SHOPIFY_CLIENT_SECRET and SHOPIFY_REDIRECT_URI must be set together (the Shopify install flow, docs/oauth.md)',
      ]);
      expect((err as Error).message).not.toContain('client-secret');
    }
    expect(() => loadConfig({ ...APP, SHOPIFY_REDIRECT_URI: 'callback' })).toThrow(/SHOPIFY_REDIRECT_URI must be a URL/);
  });
});
