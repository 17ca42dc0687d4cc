/** WORKER_MAX_CACHED_WORKFLOWS, WORKER_MAX_CONCURRENT_*, QBO_CONCURRENT_PER_REALM: the fleet's sizing knobs (README "Running a fleet"). */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';

describe('worker sizing', () => {
  it('has bounded defaults and reads each knob', () => {
    const defaults = loadConfig({});
    expect(defaults.temporal.worker).toEqual({ maxCachedWorkflows: 400, maxConcurrentActivities: 20, maxConcurrentWorkflowTasks: 40 });
    expect(defaults.qbo.concurrentPerRealm).toBe(10);
    const set = loadConfig({
      WORKER_MAX_CACHED_WORKFLOWS: '150',
      WORKER_MAX_CONCURRENT_ACTIVITIES: '8',
      WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '16',
      QBO_CONCURRENT_PER_REALM: '3',
    });
    expect(set.temporal.worker).toEqual({ maxCachedWorkflows: 150, maxConcurrentActivities: 8, maxConcurrentWorkflowTasks: 16 });
    expect(set.qbo.concurrentPerRealm).toBe(3);
  });

  it('refuses a value QBO or the SDK cannot honour, naming the variable', () => {
    expect(() => loadConfig({ QBO_CONCURRENT_PER_REALM: '11' })).toThrow(/QBO_CONCURRENT_PER_REALM/);
    expect(() => loadConfig({ QBO_CONCURRENT_PER_REALM: '0' })).toThrow(/QBO_CONCURRENT_PER_REALM/);
    expect(() => loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toThrow(/WORKER_MAX_CACHED_WORKFLOWS/);
    expect(() => loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: 'many' })).toThrow(/WORKER_MAX_CONCURRENT_ACTIVITIES/);
  });
});
