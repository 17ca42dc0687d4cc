/** WORKER_MAX_CACHED_WORKFLOWS, WORKER_MAX_CONCURRENT_*, QBO_CONCURRENT_PER_REALM: the fleet's sizing knobs (README "Running a fleet"). */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

describe('worker sizing', () => {
  it('has bounded defaults and reads each knob', () => {
    const defaults = loadConfig({});
    expect(defaults.temporal.worker).toEqual({
      maxCachedWorkflows: 150,
      maxConcurrentActivities: 20,
      maxConcurrentWorkflowTasks: 40,
      statusLogSeconds: 60,
    });
    expect(defaults.qbo.concurrentPerRealm).toBe(10);
    const set = loadConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '300',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '16',
      WORKER_STATUS_LOG_SECONDS: '0',
      QBO_CONCURRENT_PER_REALM: '3',
    });
    expect(set.temporal.worker).toEqual({
      maxCachedWorkflows: 300,
      maxConcurrentActivities: 8,
      maxConcurrentWorkflowTasks: 16,
      statusLogSeconds: 0,
    });
    expect(set.qbo.concurrentPerRealm).toBe(3);
  });

  it('refuses a value QBO or the SDK cannot honour, naming the variable', () => {
    expect(() => loadConfig({ QBO_CONCURRENT_PER_REALM: '11' })).toThrow(/QBO_CONCURRENT_PER_REALM/);
    expect(() => loadConfig({ QBO_CONCURRENT_PER_REALM: '0' })).toThrow(/QBO_CONCURRENT_PER_REALM/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toThrow(/WORKER_MAX_CONCURRENT_ACTIVITIES/);
  });
});

describe('the worker heap cap', () => {
  it('npm run worker caps the V8 heap of the main thread and of a worker thread (where the SDK runs workflows)', () => {
    const script = (
      JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> }
    ).scripts.worker!;
    const flags = script.split(/\s+/).filter((w) => /^--max-(old|semi)-space-size=/.test(w));
    expect(flags).toEqual(['--max-old-space-size=192', '--max-semi-space-size=16']);
    // Node applies V8's heap flags to every isolate it creates, worker threads included; without them this machine's
    // default limit is gigabytes. Limits are in MiB: 192 of old space plus a young generation of three 16 MiB
    // semi-spaces, 240 on Node 20 and 24 alike (without the semi-space flag Node 24's V8 makes it 384).
    const probe = `
      const v8 = require('node:v8');
      const { Worker } = require('node:worker_threads');
      const mib = () => Math.round(v8.getHeapStatistics().heap_size_limit / 1048576);
      const main = mib();
      new Worker("require('node:worker_threads').parentPort.postMessage(Math.round(require('node:v8').getHeapStatistics().heap_size_limit / 1048576))", { eval: true })
        .once('message', (thread) => { console.log(JSON.stringify({ main, thread })); process.exit(0); });`;
    const limits = JSON.parse(execFileSync(process.execPath, [...flags, '-e', probe], { encoding: 'utf8' })) as {
      main: number;
      thread: number;
    };
    for (const limit of [limits.main, limits.thread]) {
      expect(limit).toBeGreaterThanOrEqual(192);
      expect(limit).toBeLessThan(320);
    }
  });
});
