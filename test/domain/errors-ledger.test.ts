import { describe, expect, it } from 'vitest';
import {
  InvalidInputError,
  isLedgerlineError,
  type LedgerlineError,
  NeedsMappingError,
  QboAuthError,
  QboConnectionRevokedError,
  QboThrottledError,
  QboValidationError,
  ShopifyAuthError,
  ShopifyThrottledError,
  TransientUpstreamError,
  UnsupportedOrderError,
} from '../../domain/errors';
import {
  DOCUMENT_STATUSES,
  orderSourceKey,
  parseSourceKey,
  payoutFeesSourceKey,
  payoutSourceKey,
  qboRequestId,
  refundSourceKey,
} from '../../domain/ledger';

describe('error taxonomy', () => {
  it.each<[LedgerlineError, string, string, boolean, number | undefined]>([
    [new QboValidationError('Amount is invalid'), 'QboValidationError', 'qbo_validation', false, undefined],
    [new QboThrottledError(), 'QboThrottledError', 'qbo_throttled', true, 60_000],
    [new QboAuthError(), 'QboAuthError', 'qbo_auth', true, undefined],
    [new QboConnectionRevokedError(), 'QboConnectionRevokedError', 'qbo_connection_revoked', false, undefined],
    [
      ShopifyThrottledError.fromCost({ requestedQueryCost: 984, currentlyAvailable: 484, restoreRate: 100 }),
      'ShopifyThrottledError',
      'shopify_throttled',
      true,
      5_000,
    ],
    [new ShopifyAuthError(), 'ShopifyAuthError', 'shopify_auth', false, undefined],
    [new NeedsMappingError([{ kind: 'taxCode', key: 'tax lines "GST" 5%' }]), 'NeedsMappingError', 'needs_mapping', false, undefined],
    [new UnsupportedOrderError('multi_gateway', 'split tender'), 'UnsupportedOrderError', 'multi_gateway', false, undefined],
    [new TransientUpstreamError('HTTP 503'), 'TransientUpstreamError', 'transient_upstream', true, undefined],
    [new InvalidInputError('bad'), 'InvalidInputError', 'invalid_input', false, undefined],
  ])('%s carries its name, code, retryability and delay', (error, name, code, retryable, retryAfterMs) => {
    expect(error).toBeInstanceOf(Error);
    expect(isLedgerlineError(error)).toBe(true);
    expect({ name: error.name, code: error.code, retryable: error.retryable, retryAfterMs: error.retryAfterMs }).toEqual({
      name,
      code,
      retryable,
      retryAfterMs,
    });
  });

  it('waits at least a second when Shopify throttles a query that already fits the bucket', () => {
    expect(ShopifyThrottledError.fromCost({ requestedQueryCost: 10, currentlyAvailable: 50, restoreRate: 100 }).retryAfterMs).toBe(1000);
  });

  it('says once what must be mapped', () => {
    const error = new NeedsMappingError([
      { kind: 'item', key: 'SKU TEE' },
      { kind: 'taxRate', key: 'tax line "PST" 7%' },
      { kind: 'item', key: 'SKU TEE' },
    ]);
    expect(error.message).toBe('Needs mapping: item SKU TEE; taxRate tax line "PST" 7%');
    expect(error.details).toEqual({ needs: error.needs });
    expect(isLedgerlineError(new Error('plain'))).toBe(false);
  });
});

describe('ledger source keys', () => {
  it('keys each source by kind and gid', () => {
    expect(orderSourceKey('gid://shopify/Order/123')).toBe('order:gid://shopify/Order/123');
    expect(refundSourceKey('gid://shopify/Refund/9')).toBe('refund:gid://shopify/Refund/9');
    expect(payoutSourceKey('gid://shopify/ShopifyPaymentsPayout/5')).toBe('payout:gid://shopify/ShopifyPaymentsPayout/5');
    expect(payoutFeesSourceKey('gid://shopify/ShopifyPaymentsPayout/5')).toBe('payout-fees:gid://shopify/ShopifyPaymentsPayout/5');
    expect(parseSourceKey('payout-fees:gid://shopify/ShopifyPaymentsPayout/5')).toEqual({
      kind: 'payout-fees',
      gid: 'gid://shopify/ShopifyPaymentsPayout/5',
    });
  });

  it('rejects a gid of the wrong type and unknown kinds', () => {
    expect(() => orderSourceKey('gid://shopify/Refund/9')).toThrow('needs a gid://shopify/Order/<number>');
    expect(() => orderSourceKey('123')).toThrow(InvalidInputError);
    expect(() => parseSourceKey('invoice:gid://shopify/Order/1')).toThrow('Unknown source key');
  });

  it('lists every document status', () => {
    expect(DOCUMENT_STATUSES).toEqual(['pending', 'synced', 'parked', 'failed', 'skipped', 'voided', 'ignored', 'undone', 'held']);
  });

  it('derives a QBO requestid that fits a batch and changes only with the content', () => {
    const key = orderSourceKey('gid://shopify/Order/123');
    const a = qboRequestId(key, 'SalesReceipt', '{"Line":[1]}');
    expect(a).toMatch(/^ll-[0-9a-f]{16}-[0-9a-f]{16}$/);
    expect(a.length).toBeLessThanOrEqual(36);
    expect(qboRequestId(key, 'SalesReceipt', '{"Line":[1]}')).toBe(a);
    expect(qboRequestId(key, 'SalesReceipt', '{"Line":[2]}')).not.toBe(a);
    expect(qboRequestId(key, 'Invoice', '{"Line":[1]}')).not.toBe(a);
    expect(qboRequestId(orderSourceKey('gid://shopify/Order/124'), 'SalesReceipt', '{"Line":[1]}')).not.toBe(a);
  });
});
