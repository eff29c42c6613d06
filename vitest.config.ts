// Before anything else: on a Node other than 24 this prints the same message as `npm test` and exits (scripts/check-node.mjs).
import './scripts/check-node.mjs';
import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // nock patches Node's http module per process; keep each file in its own worker.
    pool: 'forks',
    // Vitest's default in `run` mode is one worker fewer than the CPUs: on the 2-core machines this project is tested
    // on that is a single worker, every file in turn. Tests wait on child processes and sockets as well as CPU, so
    // one worker per CPU keeps both cores busy (no test depends on wall-clock speed: time is virtual where it matters).
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 20_000,
    restoreMocks: true,
    // Quiet output: a passing test's console output is dropped, a failing one's is shown with the failure.
    silent: 'passed-only',
    // The default reporter lists every test slower than this under its file; 300 ms (the default) listed ~250 lines
    // on a loaded machine. Only a test this slow is worth a line.
    slowTestThreshold: 5_000,
  },
});
