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
 * 2. Slots for limits without headers: HubSpot's search endpoints (their own limit of about 5 requests per
 *    second, and search responses carry no rate-limit headers — https://developers.hubspot.com/docs/api/crm/search,
 *    "Limitations"; usage-guidelines above, exceptions under the headers table) and QuickBooks Online (10 requests
 *    per second and 500 per minute per realm and app —
 *    https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles). Without a 429 on that kind of
 *    request lately, a container never waits. After one, it holds its slot: in a rolling window, the slot its last
 *    accepted request took frees exactly one window later whatever the other containers do, so it sends its next
 *    request of the kind then (plus a 2 % margin for clock and network skew) and gets no 429 for it. Three times in
 *    ten it lets the slot go for up to another window, so containers without a slot get one and no run starves. A
 *    container without a slot can only find one by trying: a refused request is retried after about two seconds
 *    for search (one for QuickBooks), sooner on each further refusal, so a run that has waited long wins the next
 *    freed slot before its 20 s run out. No state is shared between containers (each HubSpot container runs one
 *    enrollment at a time and shares nothing), so this is all a container can know of the others.
 */

/** What X-HubSpot-RateLimit-* said, and when this container read it. */
export interface RateWindow {
  max: number;
  remaining: number;
  intervalMs: number;
  seenAt: number;
}

/** One kind of request with a header-less limit: the limit, and what this container knows of its own slots. */
export interface Lane {
  windowMs: number;
  /** The documented requests per window (search 5 per 1,000 ms, QuickBooks 10 per 1,000 ms per realm). */
  max: number;
  /** When this container last sent (or will send, after its wait) a request of the kind. */
  sentAt: number;
  /** When its last accepted request of the kind was sent: that slot of the rolling window frees one window later. */
  acceptedAt: number;
  /** Its last 429 on the lane. */
  refusedAt: number;
  /** The next request is a retry of a refused one: it waits only its retry delay. */
  retrying: boolean;
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
/*
 * The slot constants below were chosen with the benchmark's 1,000-enrollment simulation (bench/README.md, "What was
 * tried"): each trades 429s against idle slots. Spacing by a learnt gap (AIMD, as TCP does) instead of holding slots
 * met 10 % over the floor only at about 1,600 search 429s, or 500 at +23 %.
 */
/** How long a 429 on a lane keeps this container holding its slots (a few windows of the limit). */
export const CONGESTION_MEMORY_MS = 10_000;
/** A held slot is taken this share of a window after it frees: clock and network skew between us and the limiter. */
export const HOLD_MARGIN = 0.02;
/** The chance a container lets its slot go for up to a window, so containers without one get theirs. */
export const RELEASE_CHANCE = 0.3;
/** A refused request is retried after this many slots (window / limit) ±50 %, divided by the refusals so far (≤ 8). */
export const PROBE_SLOTS = 10;
export const PROBE_SPEEDUP_MAX = 8;

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

export const newLane = (windowMs: number, max: number): Lane => ({ windowMs, max, sentAt: Number.NEGATIVE_INFINITY, acceptedAt: Number.NEGATIVE_INFINITY, refusedAt: Number.NEGATIVE_INFINITY, retrying: false });

/**
 * How long to wait before sending on this lane; reserves the send time. Uncongested (no 429 lately), never. A retry
 * of a refused request, not again (its retry delay was the wait). Congested, until the slot this container's last
 * accepted request holds frees (one window after it, plus a small margin): in a rolling window that slot is free
 * then whatever the others do, so the container keeps its place without a 429. RELEASE_CHANCE of the time it lets
 * the slot go for up to another window, so a container without a slot gets one.
 */
export function reserveLane(lane: Lane, now: number, random: () => number): number {
  const congested = now - lane.refusedAt < CONGESTION_MEMORY_MS;
  if (!congested || lane.retrying) {
    lane.retrying = false;
    lane.sentAt = now;
    return 0;
  }
  let due = lane.acceptedAt + Math.round(lane.windowMs * (1 + HOLD_MARGIN));
  if (random() < RELEASE_CHANCE) due += Math.round(lane.windowMs * random());
  const wait = Math.max(0, due - now);
  lane.sentAt = now + wait;
  return wait;
}

/** Learns from an answer on the lane. */
export function learnLane(lane: Lane, refused: boolean): void {
  if (refused) {
    lane.refusedAt = lane.sentAt;
    lane.retrying = true;
  } else lane.acceptedAt = lane.sentAt;
}

/**
 * The wait before retrying a request refused on a lane (attempt = refusals so far): PROBE_SLOTS slots ±50 % (2 s for
 * search, 1 s for QuickBooks), then a half, a third, … of that. Trying sooner finds freed slots sooner but costs
 * more 429s; trying sooner as the refusals add up lets a run that has waited long take the next freed slot.
 */
export function laneRetryDelay(lane: Pick<Lane, 'windowMs' | 'max'>, random: () => number, attempt: number): number {
  return Math.round(((lane.windowMs / lane.max) * PROBE_SLOTS * (0.5 + random())) / Math.min(Math.max(1, attempt), PROBE_SPEEDUP_MAX));
}

/** Which lane a request belongs to, if its limit has no headers; undefined for header-paced or unpaced requests. */
export function laneFor(service: string, method: string, url: string): { key: string; windowMs: number; max: number } | undefined {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // relative URL: already a path
  }
  if (service === 'hubspot' && method === 'POST' && /\/search\/?$/.test(path)) return { key: 'hubspot:search', windowMs: 1_000, max: 5 };
  const realm = /\/v3\/company\/([^/]+)/.exec(path)?.[1];
  if (service === 'quickbooks' && realm) return { key: `quickbooks:${realm}`, windowMs: 1_000, max: 10 };
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
   * The in-process wait after a 429 (no Retry-After). On a lane: laneRetryDelay (2 s for search, then shorter on
   * each further refusal) — instead of lib/http.ts's 1, 2, 4 s, scaled for HubSpot's 10 s window, which ran runs
   * that kept losing the race for a freed slot out of their 20 s. Under HubSpot's headers: the reserve's refill
   * time. Undefined: lib/http.ts decides. Only how long: how often is lib/http.ts's MAX_RETRIES_IN_RUN.
   */
  retryDelay(method: string, url: string, failure: { status?: number; retryAfterSeconds?: number }, attempt: number): number | undefined;
  /** Learns from an answer: HubSpot's headers, or a 429/success on a header-less lane. */
  after(method: string, url: string, status: number | undefined, headers: Record<string, string> | undefined): void;
  /**
   * lib/http.ts stopped resending a refused request (its retries or the budget ran out): the next request of the
   * kind is a new one, which holds its slot like any other, not a retry that skips the wait.
   */
  gaveUp(method: string, url: string): void;
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
      const lane = (state.lanes[spec.key] ??= newLane(spec.windowMs, spec.max));
      return reserveLane(lane, now, pacingRuntime.random);
    },
    retryDelay(method, url, failure, attempt) {
      if (!pacingRuntime.enabled || failure.status !== 429 || failure.retryAfterSeconds !== undefined) return undefined;
      const spec = laneFor(service, method, url);
      if (spec) return laneRetryDelay(spec, pacingRuntime.random, attempt);
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
      if (lane && status !== undefined) learnLane(lane, status === 429);
    },
    gaveUp(method, url) {
      const spec = laneFor(service, method, url);
      const lane = spec && pacingRuntime.state().lanes[spec.key];
      if (lane) lane.retrying = false;
    },
  };
}
