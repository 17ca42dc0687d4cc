/** SHOPIFY_WEBHOOK_SECRETS: per-shop webhook secrets, parsed and checked once at start-up. */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';

describe('SHOPIFY_WEBHOOK_SECRETS', () => {
  it('maps each shop to its own secret (domains lower-cased)', () => {
    const config = loadConfig({ SHOPIFY_WEBHOOK_SECRETS: 'Acme.myshopify.com:shpss_a, beta.myshopify.com:shpss:b' });
    expect(config.shopify.webhookSecrets).toEqual({ 'acme.myshopify.com': 'shpss_a', 'beta.myshopify.com': 'shpss:b' });
    expect(loadConfig({}).shopify.webhookSecrets).toEqual({});
  });

  it('refuses malformed or repeated entries, naming the entry and never the secret', () => {
    let err: unknown;
    try {
      loadConfig({ SHOPIFY_WEBHOOK_SECRETS: 'acme.example.com:s3cr3t-one,acme.myshopify.com:x,acme.myshopify.com:y,nocolon' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual([
      'SHOPIFY_WEBHOOK_SECRETS: entry 1 must be <handle>.myshopify.com:<secret>',
      'SHOPIFY_WEBHOOK_SECRETS: acme.myshopify.com is listed twice',
      'SHOPIFY_WEBHOOK_SECRETS: entry 4 must be <handle>.myshopify.com:<secret>',
    ]);
    expect((err as Error).message).not.toContain('s3cr3t');
  });

  it('takes the previous app secret during a rotation, only with the new one set', () => {
    expect(loadConfig({ SHOPIFY_WEBHOOK_SECRET: 'new', SHOPIFY_WEBHOOK_SECRET_PREVIOUS: 'old' }).shopify).toMatchObject({
      webhookSecret: 'new',
      webhookSecretPrevious: 'old',
    });
    expect(() => loadConfig({ SHOPIFY_WEBHOOK_SECRET_PREVIOUS: 'old' })).toThrow(
      /SHOPIFY_WEBHOOK_SECRET_PREVIOUS needs SHOPIFY_WEBHOOK_SECRET/,
    );
  });
});
