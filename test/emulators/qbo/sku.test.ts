/**
 * Issue #12 item 8: how the emulator compares `Item.Sku` in a query (docs/qbo-facts.md §4 "Item SKUs").
 * Intuit documents no case rule for values in a where clause, and QBO keeps SKUs unique neither with nor
 * without case. The emulator compares text without case, as QBO does names, so a query by SKU may return
 * Items whose SKU differs only by case, and every Item holding the SKU: the product must decide the match
 * itself (domain/mapping matchItemBySku).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ACCOUNT_IDS as A } from '../../../emulators/qbo';
import { start, type Started } from './helpers';

describe('QBO emulator: Item.Sku in queries', () => {
  let s: Started;
  const item = (Name: string, Sku: string) =>
    s.qbo.call('createItem', { Name, Sku, Type: 'NonInventory', IncomeAccountRef: { value: A.salesOfProduct } });

  beforeAll(async () => {
    s = await start();
    await item('Sku Mug lower', 'sku-mug');
    await item('Sku Mug upper', 'SKU-MUG');
    await item('Sku Twin one', 'TWIN-1');
    await item('Sku Twin two', 'TWIN-1');
  });
  afterAll(() => s.emu.close());

  const skusOf = async (where: string): Promise<string[]> => {
    const r = await s.qbo.call('findItems', where);
    return ((r.QueryResponse.Item ?? []) as Array<{ Sku: string }>).map((i) => i.Sku).sort();
  };

  it('matches a SKU without regard to case, with = and with IN', async () => {
    expect(await skusOf("where Sku = 'sku-mug'")).toEqual(['SKU-MUG', 'sku-mug']);
    expect(await skusOf("where Sku = 'Sku-Mug'")).toEqual(['SKU-MUG', 'sku-mug']);
    expect(await skusOf("where Sku IN ('SKU-mug', 'nothing')")).toEqual(['SKU-MUG', 'sku-mug']);
  });

  it('accepts the same SKU on two Items and returns both', async () => {
    expect(await skusOf("where Sku = 'TWIN-1'")).toEqual(['TWIN-1', 'TWIN-1']);
  });
});
