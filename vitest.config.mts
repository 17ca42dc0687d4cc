import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Temporal servers, PostgreSQL and emulators start per test file: give hooks room.
    hookTimeout: 120_000,
    testTimeout: 120_000,
    // 2-core machines: files that each start servers must not all run at once.
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default'],
  },
});
