import type { HubSpotEvent } from '../../lib/action';
import { clearModuleCaches } from '../../lib/module-cache';
import { HUBSPOT_ORIGIN } from '../../test/fakes/hubspot';
import type { FakeNetwork } from '../../test/fakes/network';
import type { ActionScenarios, World } from '../../test/support/scenario';
import { round } from './bundles';
import { CALL_LATENCY_MS, quiet } from './enrollments';
import { wrapRoute } from './routes';
import { VirtualClock } from './virtual-clock';

/**
 * 1,000 enrollments of one action against a HubSpot fake that enforces the ten-secondly rolling limit, with
 * HubSpot's re-run rule, on a virtual clock (scripts/bench/virtual-clock.ts) so minutes of HubSpot time take
 * seconds.
 *
 * Model (assumptions stated in bench/README.md):
 * - HubSpot limit: 190 requests per 10 s rolling per account (Professional/Enterprise private apps;
 *   https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details). A refused request answers 429 with
 *   HubSpot's documented TEN_SECONDLY_ROLLING body and does not use up the window.
 * - Every HTTP call (HubSpot or vendor) takes 150 ms of virtual time.
 * - HubSpot runs up to CONCURRENCY enrollments of the action at once, oldest ready first.
 * - A run that throws with status 429/5xx is re-run whole, first 1 minute later, then at doubling intervals
 *   capped at 8 hours, for up to 3 days (https://developers.hubspot.com/docs/api/workflows/custom-code-actions,
 *   "Limitations"); anything else a run throws is not retried (lost).
 */

export const ENROLLMENTS = 1_000;
export const CONCURRENCY = 10;
export const RATE_LIMIT = { max: 190, windowMs: 10_000 };
const FIRST_RERUN_MS = 60_000;
const MAX_RERUN_GAP_MS = 8 * 3_600_000;
const RETRY_FOR_MS = 3 * 24 * 3_600_000;

/**
 * Makes the n enrollments distinct records: seeds a fresh world and returns the events. Called once for the
 * reference run and once for the simulation, so it must be deterministic (the fakes number records in order).
 * Per-action hooks live in scripts/bench/scale-hooks.ts; a scenarios module may also export one as `scale`.
 */
export interface ScaleHook {
  describe: string;
  prepare(world: World, n: number): HubSpotEvent[];
}

/** Without a hook: the first path's event, with every email-looking input made distinct (local+b<i>@domain). */
export function defaultEvents(scenarios: ActionScenarios, n: number): HubSpotEvent[] {
  const base = scenarios.paths[0]?.event;
  if (!base) return [];
  return Array.from({ length: n }, (_, i) => {
    const inputFields = Object.fromEntries(
      Object.entries(base.inputFields ?? {}).map(([k, v]) => [k, typeof v === 'string' && /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i.test(v) ? v.replace('@', `+b${i}@`) : v]),
    );
    return { ...structuredClone(base), inputFields };
  });
}

/** Wraps the HubSpot route with one that refuses past the rolling limit. */
function rateLimitHubSpot(net: FakeNetwork, clock: VirtualClock): { refused: () => number } {
  const accepted: number[] = [];
  let refused = 0;
  wrapRoute(net, HUBSPOT_ORIGIN, (hubspot) => (req) => {
    const now = clock.now();
    while (accepted.length && (accepted[0] as number) <= now - RATE_LIMIT.windowMs) accepted.shift();
    if (accepted.length >= RATE_LIMIT.max) {
      refused += 1;
      // Shape: https://developers.hubspot.com/docs/guides/apps/api-usage/usage-details ("Rate limits" error response)
      return {
        status: 429,
        body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: '5f6e2a4c-0000-4000-8000-000000000429', policyName: 'TEN_SECONDLY_ROLLING' },
        headers: { 'x-hubspot-ratelimit-interval-milliseconds': String(RATE_LIMIT.windowMs), 'x-hubspot-ratelimit-max': String(RATE_LIMIT.max), 'x-hubspot-ratelimit-remaining': '0' },
      };
    }
    accepted.push(now);
    return hubspot(req);
  });
  return { refused: () => refused };
}

export interface ScaleResult {
  enrollments: number;
  concurrency: number;
  distinctBy: string;
  simulatedSeconds: number;
  floorSeconds: number;
  overFloorPct: number;
  hubspotCalls: number;
  refused429: number;
  reruns: number;
  lost: number;
  duplicates: number;
  duplicateKinds: string;
  overBudgetRuns: number;
  expectedErrors: number;
  realSeconds: number;
}

type Outcome = { status: string; error?: string };

/** The same events one after another, no limit, no latency: what each enrollment should end as, and the counts. */
async function reference(scenarios: ActionScenarios, prepare: (w: World) => HubSpotEvent[]): Promise<{ outcomes: Outcome[]; counts: Record<string, number> }> {
  clearModuleCaches();
  const world = scenarios.world();
  const events = prepare(world);
  world.net.install();
  const outcomes: Outcome[] = [];
  try {
    for (const event of events) {
      try {
        const r = await scenarios.action.execute(event, { env: world.env, sink: quiet, ...(scenarios.config ? { config: scenarios.config } : {}) });
        outcomes.push({ status: String(r.outputFields.status), error: String(r.outputFields.error_code ?? '') });
      } catch (error) {
        outcomes.push({ status: 'thrown', error: (error as Error).message });
      }
    }
    return { outcomes, counts: world.counts() };
  } finally {
    world.net.uninstall();
  }
}

/** A seeded PRNG (mulberry32), so the back-off jitter in lib/http.ts is the same on every bench run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export async function simulateScale(scenarios: ActionScenarios, hook: ScaleHook | undefined, n = ENROLLMENTS): Promise<ScaleResult> {
  const realRandom = Math.random;
  Math.random = seededRandom(20_261_123);
  try {
    return await simulate(scenarios, hook, n);
  } finally {
    Math.random = realRandom;
  }
}

async function simulate(scenarios: ActionScenarios, hook: ScaleHook | undefined, n: number): Promise<ScaleResult> {
  const realStart = performance.now();
  const prepare = (w: World): HubSpotEvent[] => {
    if (hook) return hook.prepare(w, n);
    scenarios.paths[0]?.setup?.(w);
    return defaultEvents(scenarios, n);
  };
  const ref = await reference(scenarios, prepare);

  clearModuleCaches();
  const clock = new VirtualClock();
  const world = scenarios.world();
  const events = prepare(world);
  const limiter = rateLimitHubSpot(world.net, clock);
  // The QuickBooks fake throttles at Intuit's 10 requests/second per realm: on this clock, not on wall time.
  const quickbooks = (world as { quickbooks?: { throttleClock: () => number } }).quickbooks;
  if (quickbooks) quickbooks.throttleClock = clock.now;
  world.net.latency = () => clock.sleep(CALL_LATENCY_MS);
  world.net.install();

  const queue: Array<{ i: number; attempt: number; readyAt: number; firstAt: number }> = events.map((_, i) => ({ i, attempt: 1, readyAt: 0, firstAt: 0 }));
  const final: Array<Outcome | undefined> = new Array(events.length).fill(undefined);
  let finished = 0;
  let running = 0;
  let reruns = 0;
  let overBudgetRuns = 0;
  let wakeAt: number | undefined;

  const pump = (): void => {
    while (running < CONCURRENCY) {
      const now = clock.now();
      let best = -1;
      for (let q = 0; q < queue.length; q++) {
        const item = queue[q] as (typeof queue)[number];
        if (item.readyAt <= now && (best < 0 || item.readyAt < (queue[best] as (typeof queue)[number]).readyAt)) best = q;
      }
      if (best < 0) break;
      const [item] = queue.splice(best, 1) as [(typeof queue)[number]];
      running += 1;
      const startedAt = now;
      scenarios.action
        .execute(events[item.i] as HubSpotEvent, {
          env: world.env,
          sink: quiet,
          now: clock.now,
          deadline: { clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer },
          ...(scenarios.config ? { config: scenarios.config } : {}),
        })
        .then(
          (r) => {
            final[item.i] = { status: String(r.outputFields.status), error: String(r.outputFields.error_code ?? '') };
            finished += 1;
          },
          (error: { status?: number; message?: string }) => {
            const status = typeof error?.status === 'number' ? error.status : 0;
            const end = clock.now();
            if ((status === 429 || status >= 500) && end - item.firstAt < RETRY_FOR_MS) {
              reruns += 1;
              const gap = Math.min(FIRST_RERUN_MS * 2 ** (item.attempt - 1), MAX_RERUN_GAP_MS);
              queue.push({ ...item, attempt: item.attempt + 1, readyAt: end + gap });
            } else {
              final[item.i] = { status: 'thrown', error: error?.message ?? String(error) };
              finished += 1;
            }
          },
        )
        .finally(() => {
          if (clock.now() - startedAt > 20_000) overBudgetRuns += 1;
          running -= 1;
          pump();
        });
    }
    // Nothing ready now: wake up when the earliest re-run is due.
    if (running < CONCURRENCY && queue.length) {
      const due = Math.min(...queue.map((q) => q.readyAt));
      if (due > clock.now() && wakeAt !== due) {
        wakeAt = due;
        clock.setTimer(() => {
          wakeAt = undefined;
          pump();
        }, due - clock.now());
      }
    }
  };

  try {
    pump();
    await clock.run(() => finished === events.length && running === 0);
  } finally {
    world.net.uninstall();
    world.net.latency = undefined;
  }

  const hubspotCalls = world.net.calls.filter((c) => c.url.startsWith(HUBSPOT_ORIGIN) && c.status !== 429).length;
  const counts = world.counts();
  const dupKinds = Object.entries(counts)
    .map(([k, v]) => [k, v - (ref.counts[k] ?? 0)] as const)
    .filter(([, d]) => d !== 0);
  const lost = final.filter((f, i) => ref.outcomes[i]?.status === 'ok' && f?.status !== 'ok').length;
  const floorSeconds = hubspotCalls / (RATE_LIMIT.max / (RATE_LIMIT.windowMs / 1000));
  const simulatedSeconds = clock.now() / 1000;
  return {
    enrollments: events.length,
    concurrency: CONCURRENCY,
    distinctBy: hook ? hook.describe : 'first path, email inputs made distinct',
    simulatedSeconds: round(simulatedSeconds),
    floorSeconds: round(floorSeconds),
    overFloorPct: floorSeconds ? round(((simulatedSeconds - floorSeconds) / floorSeconds) * 100) : 0,
    hubspotCalls,
    refused429: limiter.refused(),
    reruns,
    lost,
    duplicates: dupKinds.reduce((s, [, d]) => s + Math.max(0, d), 0),
    duplicateKinds: dupKinds.map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`).join(', '),
    overBudgetRuns,
    expectedErrors: ref.outcomes.filter((o) => o.status !== 'ok').length,
    realSeconds: round((performance.now() - realStart) / 1000),
  };
}
