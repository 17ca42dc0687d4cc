// Bulk query operations: JSONL with __parentId, status steps, one running query per shop.
import { afterEach, describe, expect, it } from 'vitest';
import type { ShopifyEmulator } from '../../../emulators/shopify';
import { clientFor, errorsOf, seedFolder, sharedQuery, startEmulator, waitFor } from './helpers';

let emu: ShopifyEmulator | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const START =
  'mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } userErrors { field message code } } }';
const STATUS = 'query($id: ID!) { bulkOperation(id: $id) { status url objectCount rootObjectCount fileSize } }';

describe('bulk operations', () => {
  it('writes one JSON object per line, nested connection rows carrying __parentId', async () => {
    const seed = seedFolder({ orders: 30 });
    emu = await startEmulator({ seedDir: seed.dir });
    const client = clientFor(emu);
    const started: any = await client.request(START, { variables: { q: sharedQuery('bulk_inner.graphql') } });
    expect(errorsOf(started)).toEqual([]);
    expect(started.data.bulkOperationRunQuery.bulkOperation.status).toBe('CREATED');
    const op: any = await waitFor(async () => {
      const r: any = await client.request(STATUS, { variables: { id: started.data.bulkOperationRunQuery.bulkOperation.id } });
      return r.data.bulkOperation.status === 'COMPLETED' ? r.data.bulkOperation : undefined;
    });
    const text = await (await fetch(op.url)).text();
    const rows = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(rows).toHaveLength(Number(op.objectCount));
    expect(Buffer.byteLength(text)).toBe(Number(op.fileSize));
    const orders = rows.filter((r) => !r.__parentId);
    const lines = rows.filter((r) => r.__parentId);
    expect(orders).toHaveLength(30);
    expect(Number(op.rootObjectCount)).toBe(30);
    expect(lines).toHaveLength(seed.shop.orders.reduce((s, o) => s + o.lineItems.nodes.length, 0));
    expect(orders[0]).not.toHaveProperty('lineItems');
    expect(Array.isArray(orders[0].transactions)).toBe(true);
    const orderIds = new Set(orders.map((o) => o.id));
    expect(lines.every((l) => orderIds.has(l.__parentId) && l.id.startsWith('gid://shopify/LineItem/'))).toBe(true);
    // Children follow their parent in the file.
    const firstChild = rows.findIndex((r) => r.__parentId === orders[0].id);
    expect(firstChild).toBeGreaterThan(rows.indexOf(orders[0]));
  });

  it('allows one running bulk query per shop', async () => {
    emu = await startEmulator({ bulkStepMs: 300 });
    const client = clientFor(emu);
    const q = '{ orders { edges { node { id } } } }';
    const first: any = await client.request(START, { variables: { q } });
    expect(first.data.bulkOperationRunQuery.userErrors).toEqual([]);
    const second: any = await client.request(START, { variables: { q } });
    expect(second.data.bulkOperationRunQuery.bulkOperation).toBeNull();
    expect(second.data.bulkOperationRunQuery.userErrors).toMatchObject([{ code: 'OPERATION_IN_PROGRESS' }]);
  });

  it('rejects bulk queries without a connection or with top-level node', async () => {
    emu = await startEmulator();
    const client = clientFor(emu);
    const noConnection: any = await client.request(START, { variables: { q: '{ shop { id } }' } });
    expect(noConnection.data.bulkOperationRunQuery.userErrors).toMatchObject([{ code: 'INVALID', field: ['query'] }]);
    const node: any = await client.request(START, { variables: { q: '{ node(id: "gid://shopify/Order/1") { id } }' } });
    expect(node.data.bulkOperationRunQuery.userErrors[0].message).toMatch(/node or nodes/);
  });

  it('refuses a connection inside a list field (Order.refunds → refundLineItems), as Shopify does', async () => {
    emu = await startEmulator();
    const client = clientFor(emu);
    const inList: any = await client.request(START, {
      variables: { q: '{ orders { edges { node { id refunds { id refundLineItems { edges { node { quantity } } } } } } } }' },
    });
    expect(inList.data.bulkOperationRunQuery.bulkOperation).toBeNull();
    expect(inList.data.bulkOperationRunQuery.userErrors).toEqual([
      {
        field: ['query'],
        message: 'Queries that contain a connection field within a list field are not currently supported.',
        code: 'INVALID',
      },
    ]);
    // The refund headers (a list of plain fields) are fine, and so is a connection beside the list.
    const headers: any = await client.request(START, {
      variables: { q: '{ orders { edges { node { id refunds { id createdAt } lineItems { edges { node { id } } } } } } }' },
    });
    expect(headers.data.bulkOperationRunQuery.userErrors).toEqual([]);
  });
});
