import { moduleCache } from './module-cache';

/**
 * Pacing before the limit: slow down while a vendor's rate window is nearly spent, instead of discovering the
 * limit by 429s. A 429 costs a run seconds of back-off (lib/http.ts) and, when those outlast the 20 s budget, a
 * whole re-run by HubSpot a minute or more later; a few hundred milliseconds of pacing costs neither.
 *
 * Two mechanisms, both pure over a small state object (one per container, kept in module scope so a warm container
 * remembers what the previous run saw):
 *
 * 1. Header-driven (HubSpot, every endpoint but search). Each response carries X-HubSpot-RateLimit-Max,
 *    -Remaining and -Interval-Milliseconds: the app's budget for the rolling window, what is left of it, and the
 *    window's length (190 per 10,000 ms on Professional/Enterprise, 100 on Starter).
 *    https://developers.hubspot.com/docs/developer-tooling/platform/usage-guidelines ("Rate limits", headers table)
 *    Once Remaining (credited with the requests that aged out since) falls below a reserve of 13 % of Max, the next
 *    request waits as long as the missing part of the reserve takes to free up at the app's full rate (Max per
 *    interval), ±50 % jitter so concurrent runs that read the same header do not come back together. Every
 *    concurrent run slows down, so together they settle just inside the reserve, at about the full rate, whatever
 *    the number of runs (which no run knows). After a 429 the run comes back after about the reserve's refill time
 *    too, instead of lib/http.ts's 1, 2, 4 s (runs that backed off that long ran out of their 20 s and were re-run a
 *    minute later).
 *
 * 2. Spacing for limits without headers: HubSpot's search endpoints (their own limit of about 5 requests per
 *    second, and search responses carry no rate-limit headers — https://developers.hubspot.com/docs/api/crm/search,
 *    "Limitations"; usage-guidelines above, exceptions under the headers table) and QuickBooks Online (10 requests
 *    per second per realm and app — https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles).
 *    Both are per-second limits (search: 5 per second; QuickBooks: 10 per second per realm). Without a 429 on
 *    that kind of request lately, a container never waits (it runs one enrollment at a time). After one, it
 *    spaces its requests of that kind one window apart (+0–50 % jitter): the slot its previous request took in the
 *    rolling window frees exactly then, so the containers hold on to the slots they have instead of all racing for
 *    each freed one, and the limit is used in full with few 429s.
 */

/** What X-HubSpot-RateLimit-* said, and when this container read it. */
export interface RateWindow {
  max: number;
  remaining: number;
  intervalMs: number;
  seenAt: number;
}

/** One kind of request with a header-less limit: the limit's window, this container's last send and last 429. */
export interface Lane {
  windowMs: number;
  lastAt: number;
  lastRefusedAt: number;
}

export interface PacerState {
  /** Latest HubSpot rate window, per service (only HubSpot sends one). */
  windows: Record<string, RateWindow>;
  lanes: Record<string, Lane>;
}

export const newPacerState = (): PacerState => ({ windows: {}, lanes: {} });

/**
 * The share of the window kept in reserve: requests wait only once Remaining falls below it (25 of 190, 13 of 100).
 * A rolling window's Remaining falls with the recent rate, so pacing from a share *spent* (tried: from 50 % and 70 %
 * spent) held runs that were under the limit anyway (Salesforce +21 % over the floor, no 429s); a 10 % reserve let
 * Shopify's three parallel calls per run overshoot into more 429s than before; 13 % met every target
 * (bench/README.md, "What was tried").
 */
export const RESERVE_SHARE = 0.13;
/** How long a 429 on a lane keeps this container careful (a few windows of the limit). */
export const CONGESTION_MEMORY_MS = 10_000;
/**
 * A congested container comes back for its slot one window + 0–50 % later. (Tried +0–10 %: the limit was used in full
 * but holders kept their slots and a few runs starved past their 20 s; +0–30 % still starved some.)
 */
export const HOLD_JITTER = 0.5;

/** Reads X-HubSpot-RateLimit-Max / -Remaining / -Interval-Milliseconds (headers lower-cased); undefined if absent. */
export function rateWindowFromHeaders(headers: Record<string, string> | undefined, now: number): RateWindow | undefined {
  if (!headers) return undefined;
  const max = Number(headers['x-hubspot-ratelimit-max']);
  const remaining = Number(headers['x-hubspot-ratelimit-remaining']);
  const intervalMs = Number(headers['x-hubspot-ratelimit-interval-milliseconds']);
  if (!(max > 0) || !(intervalMs > 0) || !Number.isFinite(remaining) || remaining < 0) return undefined;
  return { max, remaining: Math.min(remaining, max), intervalMs, seenAt: now };
}

const jitter = (ms: number, random: () => number): number => Math.round(ms * (0.5 + random()));

/** How long to wait before the next request under this window (0 when it is fresh enough or not known). */
export function delayForWindow(window: RateWindow | undefined, now: number, random: () => number): number {
  // A window older than its own length says nothing about the current one.
  if (!window || now - window.seenAt >= window.intervalMs) return 0;
  const age = Math.max(0, now - window.seenAt);
  // Requests leave a rolling window as they age; assume the spent ones were spread evenly over it.
  const remaining = window.remaining + (window.max - window.remaining) * (age / window.intervalMs);
  const reserve = window.max * RESERVE_SHARE;
  if (remaining >= reserve) return 0;
  // Wait as long as the missing part of the reserve takes to free up at the full rate.
  return jitter((reserve - remaining) * (window.intervalMs / window.max), random);
}

/**
 * How long to wait before sending on this lane; reserves the slot. Uncongested (no 429 on the lane lately), never.
 * Congested, one window (+0–50 %) after this container's previous request of the kind: in a rolling window the
 * slot that request used frees exactly then, so each container comes back for its own slot instead of racing the
 * others for a random one, and the limit is used in full.
 */
export function reserveLane(lane: Lane, now: number, random: () => number): number {
  if (now - lane.lastRefusedAt >= CONGESTION_MEMORY_MS) {
    lane.lastAt = now;
    return 0;
  }
  const due = lane.lastAt + Math.round(lane.windowMs * (1 + HOLD_JITTER * random()));
  const wait = Math.max(0, due - now);
  lane.lastAt = now + wait;
  return wait;
}

export function learnLane(lane: Lane, refused: boolean, now: number): void {
  if (refused) lane.lastRefusedAt = now;
}


/** Which lane a request belongs to, if its limit has no headers; undefined for header-paced or unpaced requests. */
export function laneFor(service: string, method: string, url: string): { key: string; windowMs: number } | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // relative URL: already a path
  }
  if (service === 'hubspot' && method === 'POST' && /\/search\/?$/.test(path)) return { key: 'hubspot:search', windowMs: 1_000 };
  const realm = /\/v3\/company\/([^/]+)/.exec(path)?.[1];
  if (service === 'quickbooks' && realm) return { key: `quickbooks:${realm}`, windowMs: 1_000 };
  return undefined;
}

/**
 * The seams the benchmark needs: its simulation runs on a virtual clock, with a seeded random, and gives each
 * simulated container its own state (HubSpot runs each container's invocations one at a time; containers share
 * nothing). `enabled: false` measures the code without pacing. In HubSpot, the defaults below are what runs.
 */
const container = moduleCache<PacerState>();
export const pacingRuntime = {
  enabled: true,
  clock: (): number => Date.now(),
  random: (): number => Math.random(),
  state: (): PacerState => container.get('state') ?? (container.set('state', newPacerState()).get('state') as PacerState),
};

export interface Pacer {
  /** Milliseconds to wait before sending (0: send now). */
  before(method: string, url: string): number;
  /**
   * The in-process wait after a 429 on a per-second lane (no Retry-After): about one window (0.5–1.5 s), then
   * half, then a third of that, while the budget allows — instead of lib/http.ts's 1, 2, 4 s, which is scaled for
   * HubSpot's 10 s window. Shorter waits after repeated refusals give a run that keeps losing the race for a freed
   * slot the better chance, so no run starves past its 20 s. Undefined: lib/http.ts decides.
   */
  retryDelay(method: string, url: string, failure: { status?: number; retryAfterSeconds?: number }, attempt: number): number | undefined;
  /** Learns from an answer: HubSpot's headers, or a 429/success on a header-less lane. */
  after(method: string, url: string, status: number | undefined, headers: Record<string, string> | undefined): void;
}

/** The pacer for one service client: HubSpot and QuickBooks are paced, other vendors are not. */
export function pacerFor(service: string): Pacer | undefined {
  if (service !== 'hubspot' && service !== 'quickbooks') return undefined;
  return {
    before(method, url) {
      if (!pacingRuntime.enabled) return 0;
      const state = pacingRuntime.state();
      const now = pacingRuntime.clock();
      const spec = laneFor(service, method, url);
      if (!spec) return delayForWindow(state.windows[service], now, pacingRuntime.random);
      const lane = (state.lanes[spec.key] ??= { windowMs: spec.windowMs, lastAt: Number.NEGATIVE_INFINITY, lastRefusedAt: Number.NEGATIVE_INFINITY });
      return reserveLane(lane, now, pacingRuntime.random);
    },
    retryDelay(method, url, failure, attempt) {
      if (!pacingRuntime.enabled || failure.status !== 429 || failure.retryAfterSeconds !== undefined) return undefined;
      const spec = laneFor(service, method, url);
      if (spec) return Math.round((spec.windowMs * (0.5 + pacingRuntime.random())) / Math.min(attempt, 3));
      const window = pacingRuntime.state().windows[service];
      if (!window) return undefined;
      // The window is spent: the reserve frees up in reserve × interval/max at the full rate; come back about then.
      return jitter(window.max * RESERVE_SHARE * (window.intervalMs / window.max), pacingRuntime.random);
    },
    after(method, url, status, headers) {
      if (!pacingRuntime.enabled) return;
      const state = pacingRuntime.state();
      // A 429 is waited out by the back-off in lib/http.ts; pacing on top of it would wait twice.
      const window = status === 429 ? undefined : rateWindowFromHeaders(headers, pacingRuntime.clock());
      if (window) state.windows[service] = window;
      const spec = laneFor(service, method, url);
      const lane = spec && state.lanes[spec.key];
      if (lane && status !== undefined) learnLane(lane, status === 429, pacingRuntime.clock());
    },
  };
}
