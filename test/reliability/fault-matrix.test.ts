import { afterEach, describe, expect, it } from 'vitest';
import { isDeepStrictEqual } from 'node:util';
import { HUBSPOT_TIME_LIMIT_MS } from '../../lib/deadline';
import { ALL_FAULTS, type Fault } from '../fakes/network';
import type { World } from '../support/scenario';
import type { Outcome } from '../support/run';
import { virtualTime, type VirtualTime } from '../support/virtual-time';
import { ACTIONS, ERROR_CODE, exposedText, freshWorld, isRetryStatus, PRODUCTION_DEADLINE, runIn, secretForms } from './scenarios';

/**
 * Fault matrix × re-runs (issue 9, part 1). For every action, every main path, every HTTP call k of that path and
 * every fault: the run must fail loudly (a retryable error carrying 429/5xx, or a permanent error output — never
 * `status: ok` after a failed call), stay inside its deadline, and a re-run with the fault gone must leave the fake
 * systems exactly as a clean run does: nothing twice, nothing missing.
 *
 * Why: HubSpot re-runs the whole action after a thrown 429/5xx, for up to 3 days, and kills it at 20 s
 * (https://developers.hubspot.com/docs/api/workflows/custom-code-actions). Most faults strike *after* the fake
 * vendor acted (see test/fakes/network.ts), so a re-run meets its own earlier write.
 */

/**
 * Deadline for faulted runs. With less than 3.25 s of budget the HTTP client never retries in-process (it keeps
 * 3 s spare after a wait, lib/http.ts), so every injected fault reaches the action and the re-run path is tested.
 * Every run here is on a virtual clock (test/support/virtual-time.ts): a hang costs its 2.9 s of virtual time and no
 * real time, so the budget needs no slack for a busy machine and no test depends on wall-clock speed.
 */
const FAULT_DEADLINE = { budgetMs: 3_000, reserveMs: 100 };
/** HubSpot retries for days; a correct action needs one clean re-run, a few cover a token refresh or a race. */
const MAX_RERUNS = 3;

/** One virtual clock per world: a faulted run and its re-runs share it, as they share the pacer's memory of a 429. */
const clocks = new WeakMap<World, VirtualTime>();
async function runVirtual(scenarios: Parameters<typeof runIn>[0], world: World, event: Parameters<typeof runIn>[2], deadline: { budgetMs: number; reserveMs: number } = PRODUCTION_DEADLINE): Promise<{ outcome: Outcome; ms: number }> {
  let time = clocks.get(world);
  if (!time) clocks.set(world, (time = virtualTime()));
  const clock = time;
  const started = clock.elapsed();
  const outcome = await clock.drive(world.net, () => runIn(scenarios, world, event, { deadline: clock.deadline(deadline) }));
  return { outcome, ms: clock.elapsed() - started };
}

let current: World | undefined;
afterEach(() => {
  current?.net.uninstall();
  current = undefined;
});

function describeOutcome(o: Outcome): string {
  if (o.thrown) return `threw ${o.thrown.name} status=${o.thrown.response?.status} code=${String(o.thrown.code)}: ${o.thrown.message}`;
  return `returned ${JSON.stringify(o.outputs)}`;
}

/**
 * A faulted run may still end ok when the action itself sent the failed call again within the run and ended in the
 * clean run's end state: quickbooks-invoice resends a token refresh whose answer was lost (reset, 5xx, garbled 200),
 * because Intuit changes the refresh token's value only about once a day, so a refresh whose answer was lost most often
 * rotated nothing (lib/quickbooks.ts redeem(), with its sources). Anything else reported ok after a failed call is a partial write called success.
 */
function recoveredInRun(world: World, k: number, snapshot: unknown, reference: unknown): boolean {
  const failed = world.net.calls[k - 1];
  if (!failed) return false;
  const resent = world.net.calls.slice(k).some((c) => c.method === failed.method && c.url === failed.url && typeof c.status === 'number' && c.status < 300);
  return resent && isDeepStrictEqual(snapshot, reference);
}

/** Problems with a faulted run, or [] when it failed the way HubSpot can act on. */
function faultedRunProblems(o: Outcome, recovered = false): string[] {
  if (recovered && o.outputs?.status === 'ok' && !o.thrown) return [];
  if (o.thrown) {
    const status = o.thrown.response?.status;
    if (!isRetryStatus(status)) return [`threw without a 429/5xx response.status: ${describeOutcome(o)}`];
    if (o.thrown.code !== status) return [`error.code ${String(o.thrown.code)} differs from response.status ${status}`];
    return [];
  }
  if (o.outputs?.status === 'ok') return [`status ok after a failed call: ${describeOutcome(o)}`];
  if (o.outputs?.status !== 'error' || !ERROR_CODE.test(String(o.outputs?.error_code ?? ''))) return [`neither thrown nor a named error: ${describeOutcome(o)}`];
  return [];
}

function leaks(world: World, o: Outcome): string[] {
  const text = exposedText(o);
  const secrets = [...Object.values(world.env), ...world.issuedSecrets()].filter((s) => s.length >= 6);
  return secrets.flatMap(secretForms).filter((form) => text.includes(form)).map((form) => `leaked ${form.slice(0, 6)}…`);
}

describe.each(ACTIONS.map((a) => [a.name, a.scenarios] as const))('%s', (_name, scenarios) => {
  it('declares at least two main paths', () => {
    expect(scenarios.paths.length).toBeGreaterThanOrEqual(2);
  });

  it("with HubSpot's real 20 s budget (on a virtual clock), a hang at any call stops the run before 20 s", async () => {
    const path = scenarios.paths[0]!;
    const probe = (current = freshWorld(scenarios, path));
    await runVirtual(scenarios, probe, path.event);
    const calls = probe.net.calls.length;
    probe.net.uninstall();
    const problems: string[] = [];
    for (let k = 1; k <= calls; k++) {
      const world = (current = freshWorld(scenarios, path));
      world.net.injectAt(k, 'hang');
      // Default budget and reserve (20 s, 1.5 s): the production numbers, on virtual time.
      const { outcome, ms } = await runVirtual(scenarios, world, path.event);
      if (world.net.calls[k - 1]?.fault !== 'hang') problems.push(`call ${k}: the hang was never injected`);
      if (ms >= HUBSPOT_TIME_LIMIT_MS) problems.push(`call ${k}: ran ${Math.round(ms)} virtual ms, past HubSpot's 20 s`);
      if (outcome.thrown && !isRetryStatus(outcome.thrown.response?.status)) problems.push(`call ${k}: ${describeOutcome(outcome)}`);
      world.net.uninstall();
      current = undefined;
    }
    expect(problems).toEqual([]);
  });

  describe.each(scenarios.paths.map((p) => [p.name, p] as const))('path "%s"', (_path, path) => {
    /** A clean run in a fresh world: its call count and end state are the reference. */
    async function reference(): Promise<{ calls: number; snapshot: unknown }> {
      const world = (current = freshWorld(scenarios, path));
      const { outcome: clean } = await runVirtual(scenarios, world, path.event);
      expect(clean.thrown, describeOutcome(clean)).toBeUndefined();
      expect(clean.outputs).toMatchObject(path.expect);
      const result = { calls: world.net.calls.length, snapshot: world.snapshot() };
      world.net.uninstall();
      current = undefined;
      return result;
    }

    it('a re-run of the completed enrollment changes nothing', async () => {
      const ref = await reference();
      const world = (current = freshWorld(scenarios, path));
      await runVirtual(scenarios, world, path.event);
      const { outcome: again } = await runVirtual(scenarios, world, path.event);
      expect(again.outputs?.status, describeOutcome(again)).toBe('ok');
      expect(world.snapshot()).toEqual(ref.snapshot);
    });

    it.each([...ALL_FAULTS])('%s at every call k: fails retryably or permanently, then a re-run converges', async (fault: Fault) => {
      const ref = await reference();
      const problems: string[] = [];
      for (let k = 1; k <= ref.calls; k++) {
        const at = `call ${k}/${ref.calls}`;
        const world = (current = freshWorld(scenarios, path));
        world.net.injectAt(k, fault);
        const { outcome: first, ms } = await runVirtual(scenarios, world, path.event, FAULT_DEADLINE);
        if (world.net.calls[k - 1]?.fault !== fault) problems.push(`${at}: the fault was never injected (only ${world.net.calls.length} calls): ${describeOutcome(first)}`);
        problems.push(...faultedRunProblems(first, recoveredInRun(world, k, world.snapshot(), ref.snapshot)).map((p) => `${at}: ${p}`));
        if (ms > FAULT_DEADLINE.budgetMs) problems.push(`${at}: took ${ms} virtual ms, past the ${FAULT_DEADLINE.budgetMs} ms budget`);
        problems.push(...leaks(world, first).map((p) => `${at}: ${p}`));

        world.net.clearFaults();
        let rerun: Outcome | undefined;
        for (let attempt = 1; attempt <= MAX_RERUNS; attempt++) {
          ({ outcome: rerun } = await runVirtual(scenarios, world, path.event));
          if (!rerun.thrown) break;
        }
        if (rerun?.outputs?.status !== 'ok') {
          problems.push(`${at}: re-run did not succeed: ${rerun ? describeOutcome(rerun) : 'no run'}`);
        } else {
          try {
            expect(world.snapshot()).toEqual(ref.snapshot);
          } catch (error) {
            problems.push(`${at}: end state differs from a clean run:\n${(error as Error).message}`);
          }
        }
        world.net.uninstall();
        current = undefined;
      }
      expect(problems).toEqual([]);
    });
  });
});
