import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // nock patches Node's http module per process; keep each file in its own worker and the machine's 2 cores busy.
    pool: 'forks',
    testTimeout: 20_000,
    restoreMocks: true,
  },
});
