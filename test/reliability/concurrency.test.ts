import { afterEach, describe, expect, it } from 'vitest';
import type { World } from '../support/scenario';
import type { Outcome } from '../support/run';
import { ACTIONS, freshWorld, isRetryStatus, runIn } from './scenarios';

/**
 * Concurrency (issue 9, part 4). HubSpot runs many enrollments of one workflow at once, and enforces uniqueness
 * only on email and on properties created with hasUniqueValue. Many enrollments sharing one key (one new company
 * domain, one new Shopify customer, one new QuickBooks customer) run concurrently in one world; losers of a race
 * may throw a retryable error, which HubSpot answers with a re-run — we re-run them the same way — and in the end
 * there is exactly one record per key (the scenario's check) and every enrollment succeeded.
 */

const MAX_RERUN_ROUNDS = 3;

let current: World | undefined;
afterEach(() => {
  current?.net.uninstall();
  current = undefined;
});

const withConcurrency = ACTIONS.filter((a) => a.scenarios.concurrency);

it('at least one action declares a concurrency scenario', () => {
  expect(withConcurrency.length).toBeGreaterThan(0);
});

describe.each(withConcurrency.map((a) => [a.name, a.scenarios] as const))('%s', (_name, scenarios) => {
  const scenario = scenarios.concurrency!;

  it(`${scenario.name}: one record per key, every enrollment ends ok`, async () => {
    const world = (current = freshWorld(scenarios, scenario));
    let pending = scenario.events.map((event, index) => ({ event, index }));
    const final = new Map<number, Outcome>();
    for (let round = 0; round <= MAX_RERUN_ROUNDS && pending.length; round++) {
      const outcomes = await Promise.all(pending.map(({ event }) => runIn(scenarios, world, event)));
      const retry: typeof pending = [];
      outcomes.forEach((outcome, i) => {
        const entry = pending[i]!;
        final.set(entry.index, outcome);
        // Only what HubSpot itself would re-run: a thrown error carrying 429/5xx.
        if (outcome.thrown && isRetryStatus(outcome.thrown.response?.status)) retry.push(entry);
      });
      pending = retry;
    }
    const failed = [...final.entries()].filter(([, o]) => o.outputs?.status !== 'ok').map(([i, o]) => `#${i}: ${o.thrown ? o.thrown.message : JSON.stringify(o.outputs)}`);
    expect(failed).toEqual([]);
    expect(final.size).toBe(scenario.events.length);
    scenario.check(world);
  });
});
