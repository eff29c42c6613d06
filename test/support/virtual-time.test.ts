import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_RESERVE_MS, HUBSPOT_TIME_LIMIT_MS } from '../../lib/deadline';
import { scenarios } from '../actions/signup-onboarding/scenarios';
import { freshWorld, PRODUCTION_DEADLINE, runIn } from '../reliability/scenarios';
import type { World } from './scenario';
import { virtualTime } from './virtual-time';

/**
 * The virtual clock the fault matrix runs on (issue 23 §2): a hang costs virtual time only, exactly the deadline, and
 * time never jumps while a fake answer is still being prepared (else a slow in-process answer would be aborted).
 */
let world: World | undefined;
afterEach(() => {
  world?.net.uninstall();
  world = undefined;
});

const [path] = scenarios.paths;

describe('virtual time for action runs', () => {
  it("a vendor that never answers is given up on at HubSpot's 20 s minus the reserve, in virtual time, and thrown for a re-run", async () => {
    world = freshWorld(scenarios, path);
    // Every call hangs, so the in-process retries after each 10 s call timeout hang too, until the deadline.
    for (let k = 1; k <= 20; k++) world.net.injectAt(k, 'hang');
    const time = virtualTime();
    const outcome = await time.drive(world.net, () => runIn(scenarios, world!, path!.event, { deadline: time.deadline(PRODUCTION_DEADLINE) }));
    expect(outcome.thrown?.response?.status, JSON.stringify(outcome.outputs ?? outcome.thrown?.message)).toBe(504);
    expect(time.elapsed()).toBe(HUBSPOT_TIME_LIMIT_MS - DEFAULT_RESERVE_MS);
  });

  it('does not move time while the fake network is still answering, however many event-loop turns that takes', async () => {
    world = freshWorld(scenarios, path);
    // Each answer takes 200 event-loop turns (far more than the clock settles for) but no time at all.
    world.net.latency = async () => {
      for (let i = 0; i < 200; i++) await new Promise((resolve) => setImmediate(resolve));
    };
    const time = virtualTime();
    const outcome = await time.drive(world.net, () => runIn(scenarios, world!, path!.event, { deadline: time.deadline(PRODUCTION_DEADLINE) }));
    expect(outcome.thrown).toBeUndefined();
    expect(outcome.outputs).toMatchObject(path!.expect);
    expect(time.elapsed()).toBe(0);
  });
});
