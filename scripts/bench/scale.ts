import { AsyncLocalStorage } from 'node:async_hooks';
import type { HubSpotEvent } from '../../lib/action';
import { newPacerState, pacingRuntime, type PacerState } from '../../lib/pacing';
import { clearModuleCaches } from '../../lib/module-cache';
import { HUBSPOT_ORIGIN } from '../../test/fakes/hubspot';
import { QUICKBOOKS_ORIGIN, QUICKBOOKS_SANDBOX_ORIGIN } from '../../test/fakes/quickbooks';
import type { FakeNetwork } from '../../test/fakes/network';
import type { ActionScenarios, World } from '../../test/support/scenario';
import { round } from './bundles';
import { CALL_LATENCY_MS, catchUpSearch, quiet } from './enrollments';
import { wrapRoute, wrapRouteIfRouted } from './routes';
import { seededRandom, VirtualClock } from './virtual-clock';

/**
 * 1,000 enrollments of one action against the documented limits, with HubSpot's re-run rule, on a virtual clock
 * (scripts/bench/virtual-clock.ts) so minutes of HubSpot time take seconds.
 *
 * Model (assumptions stated in bench/README.md):
 * - HubSpot per-app burst limit: BURST requests per 10 s rolling — 190 on Professional/Enterprise, 100 on Starter
 *   (`BENCH_BURST=100`) — https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines. Every
 *   answer carries X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds (same page, headers table); a refused
 *   request answers 429 with the documented TEN_SECONDLY_ROLLING body and does not use up the window.
 * - HubSpot search endpoints: their own limit of 5 requests per rolling second
 *   (https://developers.hubspot.com/docs/api/crm/search, "Limitations"); their answers carry no rate-limit headers.
 *   A search also counts toward the burst limit (undocumented; assumed, because the usage page lists no exemption).
 * - QuickBooks Online: 10 requests per rolling second and 500 per rolling minute per realm
 *   (https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles), refused with HTTP 429. The
 *   QuickBooks fake's own throttle (the same two limits, on wall-clock time) is switched off in the simulation and
 *   the reference run, so this is the one model of it: on wall-clock time, the reference run's 1,000 back-to-back
 *   invoices would wait out real seconds and minutes of throttling.
 * - HubSpot's search index lags writes: records become searchable every SEARCH_LAG_MS.
 * - Every HTTP call (HubSpot or vendor) takes 150 ms of virtual time.
 * - HubSpot runs up to CONCURRENCY enrollments of the action at once, oldest ready first, each in its own
 *   container (Lambda runs one invocation per container at a time), so each has its own module scope for pacing
 *   (lib/pacing.ts) — a container is reused for its next enrollment (warm), and shares nothing with the others.
 *   OAuth token caches stay shared (one process), as in one reused container.
 * - A run that throws with status 429/5xx is re-run whole, first 1 minute later, then at doubling intervals
 *   capped at 8 hours, for up to 3 days (https://developers.hubspot.com/docs/api/workflows/custom-code-actions,
 *   "Limitations"); anything else a run throws is not retried (lost).
 */

export const ENROLLMENTS = 1_000;
export const CONCURRENCY = 10;
const BURST = Number(process.env.BENCH_BURST ?? 190);
if (BURST !== 190 && BURST !== 100) throw new Error(`BENCH_BURST must be 190 (Professional/Enterprise) or 100 (Starter), not ${process.env.BENCH_BURST}`);
export const RATE_LIMIT = { max: BURST, windowMs: 10_000 };
export const SEARCH_LIMIT = { max: 5, windowMs: 1_000 };
export const QUICKBOOKS_LIMIT = { max: 10, windowMs: 1_000 };
/** Intuit's other per-realm throttle: 500 requests per minute (same page); 10/s alone would allow 600. */
export const QUICKBOOKS_MINUTE_LIMIT = { max: 500, windowMs: 60_000 };
/** `BENCH_PACING=0` measures the same code with lib/pacing.ts switched off (the "before" of issue 15). */
export const PACING = process.env.BENCH_PACING !== '0';
/** HubSpot's search index catches up with writes "within a few seconds" (undocumented figure; assumed 5 s). */
export const SEARCH_LAG_MS = 5_000;
/** `BENCH_DEBUG=1`: print each re-run's log lines (virtual ms first) on stderr. */
const DEBUG = process.env.BENCH_DEBUG === '1';
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

/** A rolling window of accepted request times. */
class RollingWindow {
  private readonly accepted: number[] = [];
  constructor(private readonly limit: { max: number; windowMs: number }) {}

  /** Accepts (and counts) a request at `now`, or refuses it. */
  take(now: number): boolean {
    if (!this.hasRoom(now)) return false;
    this.accepted.push(now);
    return true;
  }

  hasRoom(now: number): boolean {
    while (this.accepted.length && (this.accepted[0] as number) <= now - this.limit.windowMs) this.accepted.shift();
    return this.accepted.length < this.limit.max;
  }

  remaining(): number {
    return this.limit.max - this.accepted.length;
  }
}

/** What the chart shows: every accepted and refused request, by limit, at its virtual time. */
export interface Traffic {
  hubspot: number[];
  search: number[];
  quickbooks: number[];
  refused: Array<{ at: number; limit: 'hubspot' | 'search' | 'quickbooks' }>;
}

const isSearch = (method: string, pathname: string) => method === 'POST' && /\/search\/?$/.test(pathname);

/** Wraps the HubSpot route (and QuickBooks', when routed) with the documented limits. */
function enforceLimits(net: FakeNetwork, clock: VirtualClock): Traffic {
  const traffic: Traffic = { hubspot: [], search: [], quickbooks: [], refused: [] };
  const burst = new RollingWindow(RATE_LIMIT);
  const search = new RollingWindow(SEARCH_LIMIT);
  const rateHeaders = () => ({
    'x-hubspot-ratelimit-interval-milliseconds': String(RATE_LIMIT.windowMs),
    'x-hubspot-ratelimit-max': String(RATE_LIMIT.max),
    'x-hubspot-ratelimit-remaining': String(burst.remaining()),
  });
  wrapRoute(net, HUBSPOT_ORIGIN, (hubspot) => async (req) => {
    const now = clock.now();
    if (isSearch(req.method, req.pathname)) {
      // Search answers carry no X-HubSpot-RateLimit-* headers, refused or not.
      if (!search.take(now)) {
        traffic.refused.push({ at: now, limit: 'search' });
        // Undocumented for search; assumed the same shape as HubSpot's other 429 bodies, SECONDLY policy.
        return { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: '5f6e2a4c-0000-4000-8000-000000000005', policyName: 'SECONDLY' } };
      }
      if (!burst.take(now)) {
        traffic.refused.push({ at: now, limit: 'hubspot' });
        return { status: 429, body: TEN_SECONDLY_BODY };
      }
      traffic.search.push(now);
      traffic.hubspot.push(now);
      return hubspot(req);
    }
    if (!burst.take(now)) {
      traffic.refused.push({ at: now, limit: 'hubspot' });
      // Shape: usage-guidelines page ("Rate limits" error response)
      return { status: 429, body: TEN_SECONDLY_BODY, headers: rateHeaders() };
    }
    traffic.hubspot.push(now);
    const answer = await hubspot(req);
    return { ...answer, headers: { ...answer.headers, ...rateHeaders() } };
  });
  const realms = new Map<string, { second: RollingWindow; minute: RollingWindow }>();
  for (const origin of [QUICKBOOKS_ORIGIN, QUICKBOOKS_SANDBOX_ORIGIN]) {
    wrapRouteIfRouted(net, origin, (quickbooks) => (req) => {
      const realm = /^\/v3\/company\/([^/]+)/.exec(req.pathname)?.[1] ?? '';
      let windows = realms.get(realm);
      if (!windows) realms.set(realm, (windows = { second: new RollingWindow(QUICKBOOKS_LIMIT), minute: new RollingWindow(QUICKBOOKS_MINUTE_LIMIT) }));
      const now = clock.now();
      // Only Accounting API calls count (the OAuth token endpoint is another host, not routed here). A request
      // refused by either limit uses up neither.
      if (!windows.second.hasRoom(now) || !windows.minute.hasRoom(now)) {
        traffic.refused.push({ at: now, limit: 'quickbooks' });
        // Intuit: "You'll see HTTP Status Code 429 when throttling occurs" (limits-and-throttles page).
        return { status: 429, body: { Fault: { Error: [{ Message: 'message=ThrottleExceeded; errorCode=003001; statusCode=429', Detail: 'The request limit was reached.', code: '3001' }], type: 'ThrottleExceeded' }, time: new Date(now).toISOString() } };
      }
      windows.second.take(now);
      windows.minute.take(now);
      traffic.quickbooks.push(now);
      return quickbooks(req);
    });
  }
  return traffic;
}

const TEN_SECONDLY_BODY = { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: '5f6e2a4c-0000-4000-8000-000000000429', policyName: 'TEN_SECONDLY_ROLLING' };

export interface ScaleResult {
  enrollments: number;
  concurrency: number;
  distinctBy: string;
  simulatedSeconds: number;
  floorSeconds: number;
  overFloorPct: number;
  hubspotCalls: number;
  searchCalls: number;
  quickbooksCalls: number;
  /** Which limit sets the floor. */
  floorBy: string;
  refused429: number;
  refusedBy: Record<string, number>;
  burst: number;
  pacing: boolean;
  traffic: Traffic;
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
  unthrottleQuickBooks(world);
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

/** The QuickBooks fake's wall-clock throttle off: enforceLimits models Intuit's limits on the virtual clock. */
function unthrottleQuickBooks(world: World): void {
  const quickbooks = (world as { quickbooks?: { limits: { perSecond: number; perMinute: number } } }).quickbooks;
  if (quickbooks) quickbooks.limits = { perSecond: Infinity, perMinute: Infinity };
}

export async function simulateScale(scenarios: ActionScenarios, hook: ScaleHook | undefined, n = ENROLLMENTS): Promise<ScaleResult> {
  const realRandom = Math.random;
  const realPacing = { ...pacingRuntime };
  Math.random = seededRandom(20_261_123);
  try {
    return await simulate(scenarios, hook, n);
  } finally {
    Math.random = realRandom;
    Object.assign(pacingRuntime, realPacing);
  }
}

/** Each simulated container's module scope for lib/pacing.ts, found from the run's async context. */
const container = new AsyncLocalStorage<PacerState>();

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
  const traffic = enforceLimits(world.net, clock);
  const containers: PacerState[] = Array.from({ length: CONCURRENCY }, () => newPacerState());
  const idle = containers.map((_, slot) => slot);
  Object.assign(pacingRuntime, { enabled: PACING, clock: clock.now, state: () => container.getStore() ?? newPacerState() });
  unthrottleQuickBooks(world);
  world.net.latency = () => clock.sleep(CALL_LATENCY_MS);
  world.net.install();
  const indexSearch = (): void => {
    catchUpSearch(world);
    clock.setTimer(indexSearch, SEARCH_LAG_MS);
  };
  clock.setTimer(indexSearch, SEARCH_LAG_MS);

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
      const slot = idle.shift() as number;
      const runLog: string[] = [];
      container
        .run(containers[slot] as PacerState, () => scenarios.action.execute(events[item.i] as HubSpotEvent, {
          env: world.env,
          sink: DEBUG ? (line: string) => runLog.push(`${clock.now()} ${line}`) : quiet,
          now: clock.now,
          deadline: { clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer },
          ...(scenarios.config ? { config: scenarios.config } : {}),
        }))
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
              if (DEBUG) process.stderr.write(`re-run of enrollment ${item.i} (container ${slot}) after ${end - startedAt} ms, at ${end} ms: ${error?.message}\n${runLog.join('\n')}\n`);
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
          idle.push(slot);
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

  const hubspotCalls = traffic.hubspot.length;
  const counts = world.counts();
  const dupKinds = Object.entries(counts)
    .map(([k, v]) => [k, v - (ref.counts[k] ?? 0)] as const)
    .filter(([, d]) => d !== 0);
  const lost = final.filter((f, i) => ref.outcomes[i]?.status === 'ok' && f?.status !== 'ok').length;
  // The rate floor: the accepted calls of each limit at that limit's full rate; the slowest limit sets it.
  const floors: Array<[string, number]> = [
    [`HubSpot ${RATE_LIMIT.max}/10 s`, hubspotCalls / (RATE_LIMIT.max / (RATE_LIMIT.windowMs / 1000))],
    ['HubSpot search 5/s', traffic.search.length / (SEARCH_LIMIT.max / (SEARCH_LIMIT.windowMs / 1000))],
    ['QuickBooks 10/s', traffic.quickbooks.length / (QUICKBOOKS_LIMIT.max / (QUICKBOOKS_LIMIT.windowMs / 1000))],
    ['QuickBooks 500/min', traffic.quickbooks.length / (QUICKBOOKS_MINUTE_LIMIT.max / (QUICKBOOKS_MINUTE_LIMIT.windowMs / 1000))],
  ];
  const [floorBy, floorSeconds] = floors.reduce((a, b) => (b[1] > a[1] ? b : a));
  const refusedBy: Record<string, number> = {};
  for (const r of traffic.refused) refusedBy[r.limit] = (refusedBy[r.limit] ?? 0) + 1;
  const simulatedSeconds = clock.now() / 1000;
  return {
    enrollments: events.length,
    concurrency: CONCURRENCY,
    distinctBy: hook ? hook.describe : 'first path, email inputs made distinct',
    simulatedSeconds: round(simulatedSeconds),
    floorSeconds: round(floorSeconds),
    overFloorPct: floorSeconds ? round(((simulatedSeconds - floorSeconds) / floorSeconds) * 100) : 0,
    hubspotCalls,
    searchCalls: traffic.search.length,
    quickbooksCalls: traffic.quickbooks.length,
    floorBy,
    refused429: traffic.refused.length,
    refusedBy,
    burst: RATE_LIMIT.max,
    pacing: PACING,
    traffic,
    reruns,
    lost,
    duplicates: dupKinds.reduce((s, [, d]) => s + Math.max(0, d), 0),
    duplicateKinds: dupKinds.map(([k, d]) => `${k} ${d > 0 ? '+' : ''}${d}`).join(', '),
    overBudgetRuns,
    expectedErrors: ref.outcomes.filter((o) => o.status !== 'ok').length,
    realSeconds: round((performance.now() - realStart) / 1000),
  };
}
