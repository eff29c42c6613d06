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
 *    Once 70 % of the window is spent, the next request waits a delay that grows with the square of how much
 *    more is spent (up to half a window when nothing is left), ±50 % jitter so concurrent runs that read the same
 *    header do not come back together. Concurrent runs each slow down, so together they settle where the delay
 *    balances the refill, well before Remaining reaches 0 — whatever the number of runs, which no run knows.
 *
 * 2. Spacing for limits without headers: HubSpot's search endpoints (their own limit of about 5 requests per
 *    second, and search responses carry no rate-limit headers — https://developers.hubspot.com/docs/api/crm/search,
 *    "Limitations"; usage-guidelines above, exceptions under the headers table) and QuickBooks Online (10 requests
 *    per second per realm and app — https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles).
 *    A lane learns the share the other containers leave this one the way TCP does (AIMD): every 429 doubles the
 *    gap between this container's requests of that kind (at least 2/limit), every success shortens it by a quarter
 *    of 1/limit, with ±50 % jitter on top. A container runs one enrollment at a time, so without 429s it never waits.
 */

/** What X-HubSpot-RateLimit-* said, and when this container read it. */
export interface RateWindow {
  max: number;
  remaining: number;
  intervalMs: number;
  seenAt: number;
}

/** One kind of request with a header-less limit: 1/limit, the gap learned from 429s, this container's last send. */
export interface Lane {
  minGapMs: number;
  gapMs: number;
  lastAt: number;
}

export interface PacerState {
  /** Latest HubSpot rate window, per service (only HubSpot sends one). */
  windows: Record<string, RateWindow>;
  lanes: Record<string, Lane>;
}

export const newPacerState = (): PacerState => ({ windows: {}, lanes: {} });

/**
 * From 70 % of the window spent, requests wait; half a window at most when nothing remains. (Tried: from 50 %, and
 * a quarter window at most — both either slowed a few runs that could have gone at full speed, or left 429s; see
 * bench/README.md.)
 */
export const PACE_FROM_SPENT_SHARE = 0.7;
export const MAX_WAIT_WINDOW_SHARE = 0.5;
/** A lane never waits more than this for its share (a run has 20 s; the back-off in lib/http.ts takes over). */
export const MAX_LANE_GAP_MS = 4_000;

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
  const spent = 1 - remaining / window.max;
  if (spent <= PACE_FROM_SPENT_SHARE) return 0;
  const pressure = Math.min(1, (spent - PACE_FROM_SPENT_SHARE) / (1 - PACE_FROM_SPENT_SHARE));
  return jitter(window.intervalMs * MAX_WAIT_WINDOW_SHARE * pressure ** 2, random);
}

/** How long to wait before sending on this lane; reserves the slot (the lane's last send moves to then). */
export function reserveLane(lane: Lane, now: number, random: () => number): number {
  const due = lane.lastAt + jitter(lane.gapMs, random);
  const wait = Math.max(0, due - now);
  lane.lastAt = now + wait;
  return wait;
}

/**
 * AIMD: a 429 doubles the gap (at least twice the minimum: others are using the limit too), a success shortens it
 * by a quarter of the minimum, down to 0 — an uncongested container never waits.
 */
export function learnLane(lane: Lane, refused: boolean): void {
  lane.gapMs = refused ? Math.min(MAX_LANE_GAP_MS, Math.max(lane.gapMs * 2, lane.minGapMs * 2)) : Math.max(0, lane.gapMs - lane.minGapMs / 4);
}

/** HubSpot's search limit: about 5 requests per second (CRM search guide, "Limitations"). */
export const HUBSPOT_SEARCH_PER_SECOND = 5;
/** QuickBooks Online: 10 requests per second per realm and app (Intuit, "API call limits and throttles"). */
export const QUICKBOOKS_PER_SECOND_PER_REALM = 10;

/** Which lane a request belongs to, if its limit has no headers; undefined for header-paced or unpaced requests. */
export function laneFor(service: string, method: string, url: string): { key: string; minGapMs: number } | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // relative URL: already a path
  }
  if (service === 'hubspot' && method === 'POST' && /\/search\/?$/.test(path)) return { key: 'hubspot:search', minGapMs: 1000 / HUBSPOT_SEARCH_PER_SECOND };
  const realm = /\/v3\/company\/([^/]+)/.exec(path)?.[1];
  if (service === 'quickbooks' && realm) return { key: `quickbooks:${realm}`, minGapMs: 1000 / QUICKBOOKS_PER_SECOND_PER_REALM };
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
      const lane = (state.lanes[spec.key] ??= { minGapMs: spec.minGapMs, gapMs: 0, lastAt: Number.NEGATIVE_INFINITY });
      return reserveLane(lane, now, pacingRuntime.random);
    },
    after(method, url, status, headers) {
      if (!pacingRuntime.enabled) return;
      const state = pacingRuntime.state();
      // A 429 is waited out by the back-off in lib/http.ts; pacing on top of it would wait twice.
      const window = status === 429 ? undefined : rateWindowFromHeaders(headers, pacingRuntime.clock());
      if (window) state.windows[service] = window;
      const spec = laneFor(service, method, url);
      const lane = spec && state.lanes[spec.key];
      if (lane && status !== undefined) learnLane(lane, status === 429);
    },
  };
}
