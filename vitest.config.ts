// Before anything else: on a Node other than 24 this prints the same message as `npm test` and exits (scripts/check-node.mjs).
import './scripts/check-node.mjs';
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
