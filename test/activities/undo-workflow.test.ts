/**
 * The undo workflow (workflows/undo.ts) on the time-skipping Temporal server with the real activities, both emulators
 * (through the real clients) and a database of its own: a document someone already deleted in QBO counts as gone, and
 * an attempt retried after it did its work (the worker lost before it answered) deletes nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Context } from '@temporalio/activity';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { TransientUpstreamError } from '../../domain/errors';
import type { UndoInput, UndoResult } from '../../workflows/contracts';
import { undoWorkflow } from '../../workflows/undo';
import { withSyncShop } from '../support/sync-shop';
import { timeSkippingEnv, uniqueTaskQueue, workflowBundle } from '../support/temporal';

let env: TestWorkflowEnvironment;

beforeAll(async () => {
  env = await timeSkippingEnv();
}, 60_000);

afterAll(async () => {
  await env?.teardown();
});

describe('undo workflow', () => {
  it('deletes each document once: one already gone counts as gone, a retried attempt finds the rest undone', () =>
    withSyncShop(env, { seed: 4141, orders: 10, days: 3 }, async (shop) => {
      await shop.sync('manual');
      const booked = (await shop.rows()).filter((r) => r.role === 'sale' && r.status === 'synced' && r.qboId);
      expect(booked.length).toBeGreaterThan(1);
      // Someone deleted one in QBO already.
      const byHand = booked[0]!;
      await shop.qbo.delete(byHand.qboType!, await shop.qbo.read(byHand.qboType!, byHand.qboId!));

      const real = shop.activities.undoApply;
      const results: UndoResult[] = [];
      const taskQueue = uniqueTaskQueue('undo-wf');
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowBundle: await workflowBundle(),
        activities: {
          ...shop.activities,
          // The first attempt does its work, then its worker is lost before it answers: Temporal retries it.
          async undoApply(input: UndoInput) {
            const result = await real(input);
            results.push(result);
            if (Context.current().info.attempt === 1) throw new TransientUpstreamError('worker lost before answering');
            return result;
          },
        },
      });
      const input: UndoInput = {
        storeId: shop.world.storeId,
        undoId: 'u-00000000000000aa',
        from: '2000-01-01T00:00:00.000Z',
        to: new Date().toISOString(),
        kinds: ['orders', 'refunds'],
      };
      const answer = await worker.runUntil(
        env.client.workflow.execute(undoWorkflow, {
          taskQueue,
          workflowId: `store:${shop.world.shopDomain}:undo:${input.undoId}`,
          args: [input],
        }),
      );

      expect(results).toHaveLength(2);
      const [first, second] = results as [UndoResult, UndoResult];
      const firstOf = (key: string, role: string) => first.items.find((i) => i.sourceKey === key && i.role === role)!;
      expect(firstOf(byHand.sourceKey, 'sale').outcome).toBe('gone');
      for (const sale of booked.slice(1)) expect(firstOf(sale.sourceKey, 'sale').outcome).toBe('deleted');
      expect(first.refused).toBe(0);
      // The retried attempt deleted nothing: every row was undone already.
      expect(answer).toEqual(second);
      expect(second).toMatchObject({ deleted: 0, gone: 0, refused: 0 });
      expect(second.items.filter((i) => i.code === 'already_undone')).toHaveLength(first.deleted + first.gone);

      const rows = await shop.rows();
      for (const sale of booked) {
        expect(rows.find((r) => r.sourceKey === sale.sourceKey && r.role === 'sale')!.status).toBe('undone');
        await expect(shop.qbo.read(sale.qboType!, sale.qboId!)).rejects.toThrow();
      }
      // The next run books none of them again.
      const run = await shop.sync('resync', { from: '2000-01-01T00:00:00Z' });
      expect(run.synced).toBe(0);
      expect((await shop.rows()).filter((r) => r.status === 'synced' && r.role === 'sale')).toEqual([]);
    }));
});
