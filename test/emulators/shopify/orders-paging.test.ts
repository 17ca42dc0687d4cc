// orders(first/last, after/before, query, sortKey, reverse), order(id:), node(id:), nodes(ids:).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { miniOrder } from './fixtures';
import { clientFor, errorsOf, SHOP, startEmulator } from './helpers';

let emu: ShopifyEmulator;
const ORDERS = [
  miniOrder(101, { createdAt: '2026-10-01T10:00:00Z', updatedAt: '2026-10-05T00:00:00Z' }),
  miniOrder(102, { createdAt: '2026-10-02T10:00:00Z', updatedAt: '2026-10-02T10:00:00Z', status: 'PENDING' }),
  miniOrder(103, { createdAt: '2026-10-03T10:00:00Z', updatedAt: '2026-10-09T00:00:00Z', status: 'REFUNDED' }),
  miniOrder(104, { createdAt: '2026-10-04T10:00:00Z', updatedAt: '2026-10-04T10:00:00Z', test: true }),
  miniOrder(105, { createdAt: '2026-10-05T10:00:00Z', updatedAt: '2026-10-07T00:00:00Z', processedAt: '2026-09-30T00:00:00Z' }),
  miniOrder(106, {
    createdAt: '2026-10-06T10:00:00Z',
    updatedAt: '2026-10-06T10:00:00Z',
    status: 'VOIDED',
    cancelledAt: '2026-10-06T12:00:00Z',
  }),
  miniOrder(107, { createdAt: '2026-10-07T10:00:00Z', updatedAt: '2026-10-08T00:00:00Z' }),
];

beforeAll(async () => {
  emu = await startEmulator({ throttling: false });
  emu.admin.upsertOrders(SHOP, ORDERS);
});
afterAll(async () => {
  await emu.close();
});

async function names(query: string | null, extra = '', first = 50): Promise<string[]> {
  const res: any = await clientFor(emu).request(`query($q: String) { orders(first: ${first}, query: $q ${extra}) { nodes { name } } }`, {
    variables: { q: query },
  });
  expect(errorsOf(res)).toEqual([]);
  return res.data.orders.nodes.map((o: any) => o.name);
}

describe('orders paging', () => {
  it('pages forward with first/after and opaque cursors, in updatedAt order, without gaps or repeats', async () => {
    const client = clientFor(emu);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await client.request(
        'query($after: String) { orders(first: 3, after: $after, sortKey: UPDATED_AT) { edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }',
        { variables: { after } },
      );
      expect(errorsOf(res)).toEqual([]);
      const { edges, pageInfo } = res.data.orders;
      seen.push(...edges.map((e: any) => e.node.name));
      expect(pageInfo.endCursor).toBe(edges[edges.length - 1].cursor);
      after = pageInfo.hasNextPage ? pageInfo.endCursor : null;
      pages++;
    } while (after);
    expect(pages).toBe(3);
    expect(seen).toEqual(['#102', '#104', '#101', '#106', '#105', '#107', '#103']);
  });

  it('pages backward with last/before and sorts in reverse', async () => {
    const client = clientFor(emu);
    const last: any = await client.request(
      '{ orders(last: 2, sortKey: CREATED_AT) { nodes { name } pageInfo { hasPreviousPage startCursor } } }',
    );
    expect(last.data.orders.nodes.map((o: any) => o.name)).toEqual(['#106', '#107']);
    expect(last.data.orders.pageInfo.hasPreviousPage).toBe(true);
    const before: any = await client.request('query($b: String) { orders(last: 2, before: $b, sortKey: CREATED_AT) { nodes { name } } }', {
      variables: { b: last.data.orders.pageInfo.startCursor },
    });
    expect(before.data.orders.nodes.map((o: any) => o.name)).toEqual(['#104', '#105']);
    expect(await names(null, 'sortKey: CREATED_AT, reverse: true', 3)).toEqual(['#107', '#106', '#105']);
  });

  it('sorts by CREATED_AT, PROCESSED_AT and ID', async () => {
    expect(await names(null, 'sortKey: CREATED_AT')).toEqual(['#101', '#102', '#103', '#104', '#105', '#106', '#107']);
    expect((await names(null, 'sortKey: PROCESSED_AT'))[0]).toBe('#105');
    expect(await names(null, 'sortKey: ID, reverse: true', 2)).toEqual(['#107', '#106']);
  });

  it('filters on updated_at with quoted and bare timestamps and every comparison', async () => {
    const sorted = async (q: string): Promise<string[]> => (await names(q, 'sortKey: ID')).sort();
    expect(await sorted("updated_at:>='2026-10-07T00:00:00Z'")).toEqual(['#103', '#105', '#107']);
    expect(await sorted('updated_at:>2026-10-07T00:00:00Z')).toEqual(['#103', '#107']);
    expect(await sorted('updated_at:<"2026-10-04T10:00:00Z"')).toEqual(['#102']);
    expect(await sorted('updated_at:<=2026-10-04T10:00:00Z')).toEqual(['#102', '#104']);
  });

  it('filters on created_at, processed_at, financial_status, status, test, name and id, AND-combined', async () => {
    const sorted = async (q: string): Promise<string[]> => (await names(q)).sort();
    expect(await sorted('created_at:>=2026-10-06')).toEqual(['#106', '#107']);
    expect(await sorted('processed_at:<2026-10-01')).toEqual(['#105']);
    expect(await sorted('financial_status:pending')).toEqual(['#102']);
    expect(await sorted('status:cancelled')).toEqual(['#106']);
    expect((await sorted('status:any')).length).toBe(7);
    expect(await sorted('test:true')).toEqual(['#104']);
    expect(await sorted('name:#103')).toEqual(['#103']);
    expect(await sorted('id:>=106')).toEqual(['#106', '#107']);
    expect(await sorted("financial_status:paid AND test:false created_at:<'2026-10-06T00:00:00Z'")).toEqual(['#101', '#105']);
    expect(await sorted('-financial_status:paid')).toEqual(['#102', '#103', '#106']);
  });

  it('rejects search syntax it does not emulate instead of matching everything', async () => {
    const res: any = await clientFor(emu).request('{ orders(first: 5, query: "financial_status:paid OR test:true") { nodes { id } } }');
    expect(errorsOf(res)[0]).toMatch(/not emulated/);
    const unknown: any = await clientFor(emu).request('{ orders(first: 5, query: "tag:vip") { nodes { id } } }');
    expect(errorsOf(unknown)[0]).toMatch(/Search filter "tag" is not emulated/);
  });

  it('requires first or last on a connection, as Shopify does', async () => {
    const res: any = await clientFor(emu).request('{ orders { nodes { id } } }');
    expect(errorsOf(res)).toEqual(['you must provide one of first or last']);
  });

  it('finds orders by id through order, node and nodes, with null for an unknown id', async () => {
    const res: any = await clientFor(emu).request(`{
      order(id: "gid://shopify/Order/103") { name displayFinancialStatus }
      node(id: "gid://shopify/Order/101") { id ... on Order { name } }
      nodes(ids: ["gid://shopify/Order/107", "gid://shopify/Order/999"]) { ... on Order { name } }
      missing: order(id: "gid://shopify/Order/999") { name }
    }`);
    expect(errorsOf(res)).toEqual([]);
    expect(res.data).toEqual({
      order: { name: '#103', displayFinancialStatus: 'REFUNDED' },
      node: { id: 'gid://shopify/Order/101', name: '#101' },
      nodes: [{ name: '#107' }, null],
      missing: null,
    });
  });
});
