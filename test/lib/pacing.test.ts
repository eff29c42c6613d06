import { AsyncLocalStorage } from 'node:async_hooks';
import nock from 'nock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDeadline } from '../../lib/deadline';
import { createHubSpotClient } from '../../lib/hubspot';
import { createLogger } from '../../lib/logger';
import { clearModuleCaches } from '../../lib/module-cache';
import {
  delayForWindow,
  laneFor,
  laneRetryDelay,
  learnLane,
  newLane,
  newPacerState,
  pacerFor,
  pacingRuntime,
  RELEASE_CHANCE,
  rateWindowFromHeaders,
  reserveLane,
  type Lane,
  type PacerState,
} from '../../lib/pacing';
import { seededRandom, VirtualClock } from '../../scripts/bench/virtual-clock';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../fakes/hubspot';
import { FakeNetwork } from '../fakes/network';

const defaults = { ...pacingRuntime };
afterEach(() => {
  Object.assign(pacingRuntime, defaults);
  clearModuleCaches();
  nock.cleanAll();
  nock.enableNetConnect();
});

const headers = (max: number, remaining: number, intervalMs = 10_000) => ({
  'x-hubspot-ratelimit-max': String(max),
  'x-hubspot-ratelimit-remaining': String(remaining),
  'x-hubspot-ratelimit-interval-milliseconds': String(intervalMs),
});
const half = () => 0.5; // jitter factor exactly 1


describe('rate window from HubSpot headers', () => {
  it('reads Max / Remaining / Interval-Milliseconds, and nothing from a response without them (search)', () => {
    expect(rateWindowFromHeaders(headers(190, 42), 1_000)).toEqual({ max: 190, remaining: 42, intervalMs: 10_000, seenAt: 1_000 });
    expect(rateWindowFromHeaders({ 'content-type': 'application/json' }, 1_000)).toBeUndefined();
    expect(rateWindowFromHeaders({ ...headers(190, 1), 'x-hubspot-ratelimit-max': 'abc' }, 0)).toBeUndefined();
    expect(rateWindowFromHeaders(headers(100, 250), 0)?.remaining).toBe(100);
  });
});

describe('delay for a rate window', () => {
  const w = (remaining: number, max = 190) => ({ max, remaining, intervalMs: 10_000, seenAt: 0 });
  // 13 % of 190 = 24.7 requests in reserve; one request frees up every 10,000 / 190 = 52.6 ms at the full rate

  it.each([
    [190, 0],
    [95, 0],
    [25, 0], // the reserve is intact: full speed
    [20, Math.round(4.7 * (10_000 / 190))],
    [0, Math.round(24.7 * (10_000 / 190))], // nothing left: the whole reserve's refill time, 1.3 s
  ])('remaining %i of 190 → %d ms', (remaining, expected) => {
    expect(delayForWindow(w(remaining), 0, half)).toBe(expected);
  });

  it('grows as the reserve is spent, on Starter (100) as on Professional (190)', () => {
    for (const max of [100, 190]) {
      const delays = [12, 9, 6, 3, 0].map((left) => delayForWindow(w(Math.round((max * left) / 100), max), 0, half));
      expect(delays).toEqual([...delays].sort((a, b) => a - b));
      expect(delays[0]).toBeGreaterThan(0);
    }
    expect(delayForWindow(w(0, 100), 0, half)).toBe(1_300);
  });

  it('jitters ±50 % so runs that read the same header spread out', () => {
    expect(delayForWindow(w(0), 0, () => 0)).toBe(650);
    expect(delayForWindow(w(0), 0, () => 0.999_999)).toBe(1_950);
  });

  it('credits the requests that aged out since, and forgets a window older than itself', () => {
    expect(delayForWindow(w(0), 1_300, half)).toBe(0); // 13 % of the spent requests left the window
    expect(delayForWindow(w(0), 500, half)).toBe(Math.round((24.7 - 9.5) * (10_000 / 190)));
    expect(delayForWindow(w(0), 10_000, half)).toBe(0);
    expect(delayForWindow(undefined, 0, half)).toBe(0);
  });
});

describe('lanes for limits without headers', () => {
  it('HubSpot search (any API version) and QuickBooks realms have lanes; other calls do not', () => {
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/v3/objects/companies/search')).toEqual({ key: 'hubspot:search', windowMs: 1_000, max: 5 });
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/objects/2026-09/companies/search')?.key).toBe('hubspot:search');
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/v3/objects/companies/batch/upsert')).toBeUndefined();
    expect(laneFor('quickbooks', 'GET', 'https://quickbooks.api.intuit.com/v3/company/9130/query')).toEqual({ key: 'quickbooks:9130', windowMs: 1_000, max: 10 });
    expect(laneFor('clearbit', 'GET', 'https://person.clearbit.com/v2/combined/find')).toBeUndefined();
  });

  it('an uncongested container never waits; after a 429 it holds its slot: one window (+2 %) after its last accepted request', () => {
    const lane: Lane = newLane(1_000, 5);
    const keep = () => 0.9; // above RELEASE_CHANCE: the container keeps its slot
    expect(reserveLane(lane, 0, keep)).toBe(0);
    learnLane(lane, false);
    expect(lane.acceptedAt).toBe(0);
    expect(reserveLane(lane, 300, keep)).toBe(0);
    learnLane(lane, true); // refused at 300: congested from now on
    expect(lane.refusedAt).toBe(300);
    // the retry of the refused request waits only its retry delay, not for the slot
    expect(reserveLane(lane, 700, keep)).toBe(0);
    learnLane(lane, false);
    expect(lane.acceptedAt).toBe(700);
    // the next request: when the slot taken at 700 frees, plus the margin
    expect(reserveLane(lane, 900, keep)).toBe(700 + 1_020 - 900);
    learnLane(lane, false);
    expect(lane.acceptedAt).toBe(1_720);
    // sometimes it lets the slot go for up to another window
    expect(reserveLane(lane, 2_000, () => RELEASE_CHANCE / 2)).toBe(1_720 + 1_020 + Math.round(1_000 * (RELEASE_CHANCE / 2)) - 2_000);
    learnLane(lane, false);
    // ten seconds without a 429: careless again
    expect(reserveLane(lane, 10_300, keep)).toBe(0);
  });

  it('a refused request is retried after about two seconds for search, one for QuickBooks, sooner after each further refusal', () => {
    const search = newLane(1_000, 5);
    expect([1, 2, 3, 4, 8, 12].map((attempt) => laneRetryDelay(search, half, attempt))).toEqual([2_000, 1_000, 667, 500, 250, 250]);
    expect(laneRetryDelay(search, () => 0, 1)).toBe(1_000);
    expect(laneRetryDelay(search, () => 0.999, 1)).toBe(2_998);
    expect(laneRetryDelay(newLane(1_000, 10), half, 1)).toBe(1_000);
  });

  it('after a 429: lane retries by laneRetryDelay, HubSpot 429s by the reserve refill once a window is known', () => {
    const state = newPacerState();
    Object.assign(pacingRuntime, { state: () => state, clock: () => 0, random: half });
    const pacer = pacerFor('hubspot');
    const search = 'https://api.hubapi.com/crm/v3/objects/companies/search';
    expect([1, 2, 3].map((attempt) => pacer?.retryDelay('POST', search, { status: 429 }, attempt))).toEqual([2_000, 1_000, 667]);
    expect(pacer?.retryDelay('POST', search, { status: 429, retryAfterSeconds: 2 }, 1)).toBeUndefined();
    // A HubSpot 429 outside search: lib/http.ts's back-off until a window is known, then the reserve's refill time
    expect(pacer?.retryDelay('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1', { status: 429 }, 1)).toBeUndefined();
    pacer?.after('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1', 200, headers(190, 100));
    expect(pacer?.retryDelay('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1', { status: 429 }, 5)).toBe(1_300);
    expect(pacer?.retryDelay('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1', { status: 503 }, 1)).toBeUndefined();
    expect(pacerFor('quickbooks')?.retryDelay('GET', 'https://quickbooks.api.intuit.com/v3/company/9130/query', { status: 429 }, 1)).toBe(1_000);
  });
});

describe('pacer per service', () => {
  it('paces HubSpot by the latest headers, QuickBooks by realm, and leaves other vendors alone', () => {
    const state: PacerState = newPacerState();
    Object.assign(pacingRuntime, { state: () => state, clock: () => 0, random: half });
    const hubspot = pacerFor('hubspot');
    expect(pacerFor('clearbit')).toBeUndefined();
    expect(hubspot?.before('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1')).toBe(0);
    hubspot?.after('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1', 200, headers(190, 0));
    expect(hubspot?.before('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1')).toBe(1_300);
    // search answers carry no headers and have their own limit: the general window does not hold them back
    expect(hubspot?.before('POST', 'https://api.hubapi.com/crm/v3/objects/companies/search')).toBe(0);
    hubspot?.after('POST', 'https://api.hubapi.com/crm/v3/objects/companies/search', 429, {});
    expect(state.lanes['hubspot:search']?.refusedAt).toBe(0);
    pacingRuntime.enabled = false;
    expect(hubspot?.before('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1')).toBe(0);
  });
});

describe('pacing through the fake network (lib/http.ts hook)', () => {
  /**
   * Containers each running enrollments of 3 reads one after another, on a virtual clock (150 ms per call), against
   * a HubSpot fake that allows 190 requests per rolling 10 s and says so in the documented headers. Unpaced, the
   * runs meet the limit and back off 1, 2, 4 s; paced, they slow down from the headers before it.
   */
  async function simulate(paced: boolean, containers = 10, runs = 10, max = 190): Promise<{ refused: number; thrown: number; accepted: number; pacedWaits: number; ms: number }> {
    const clock = new VirtualClock();
    Object.assign(pacingRuntime, { enabled: paced, clock: clock.now, random: half });
    const hubspot = new FakeHubSpot();
    const id = hubspot.seed('contacts', { email: 'ada@acme.io' });
    const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle);
    const sent: number[] = [];
    let refused = 0;
    let thrown = 0;
    net.wrapRoute(HUBSPOT_ORIGIN, (inner) => async (req) => {
      const now = clock.now();
      while (sent.length && (sent[0] as number) <= now - 10_000) sent.shift();
      if (sent.length >= max) {
        refused += 1;
        return { status: 429, body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }, headers: headers(max, 0) };
      }
      sent.push(now);
      const res = await inner(req);
      return { ...res, headers: { ...res.headers, ...headers(max, max - sent.length) } };
    });
    net.latency = () => clock.sleep(150);
    net.install();
    const lines: string[] = [];
    let done = false;
    const work = Promise.all(Array.from({ length: containers }, async () => {
      for (let run = 0; run < runs; run++) {
        const deadline = createDeadline({ clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
        const client = createHubSpotClient({ accessToken: 'pat-na1-test', log: createLogger({ scope: 'pacing-test', sink: (l) => lines.push(l) }), deadline });
        try {
          for (let call = 0; call < 3; call++) await client.getObject('contacts', id);
        } catch {
          thrown += 1; // out of budget: HubSpot would re-run it a minute later
        }
      }
    })).finally(() => (done = true));
    try {
      await clock.run(() => done);
      await work;
    } finally {
      net.uninstall();
    }
    return { refused, thrown, accepted: sent.length, pacedWaits: lines.filter((l) => l.includes('http.paced')).length, ms: clock.now() };
  }

  /**
   * Signup's pattern against HubSpot's search limit (5 per rolling second, no rate-limit headers,
   * https://developers.hubspot.com/docs/api/crm/search "Limitations"): 10 containers, each running enrollments of one
   * search then one write, one after another, on a virtual clock (150 ms per call).
   */
  async function simulateSearch(paced: boolean, containers = 10, runs = 40): Promise<{ refused: number; thrown: number; searches: number; ms: number }> {
    const clock = new VirtualClock();
    const container = new AsyncLocalStorage<PacerState>();
    // Seeded, so the result is the same on every run: the pacer's jitter, and lib/http.ts's back-off jitter.
    Object.assign(pacingRuntime, { enabled: paced, clock: clock.now, random: seededRandom(7), state: () => container.getStore() ?? newPacerState() });
    vi.spyOn(Math, 'random').mockImplementation(seededRandom(11));
    const hubspot = new FakeHubSpot();
    const net = new FakeNetwork().route(HUBSPOT_ORIGIN, hubspot.handle);
    const searches: number[] = [];
    let refused = 0;
    let thrown = 0;
    net.wrapRoute(HUBSPOT_ORIGIN, (inner) => async (req) => {
      if (req.method === 'POST' && req.pathname.endsWith('/search')) {
        const now = clock.now();
        if (searches.filter((t) => t > now - 1_000).length >= 5) {
          refused += 1;
          return { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' } };
        }
        searches.push(now);
      }
      return inner(req);
    });
    net.latency = () => clock.sleep(150);
    net.install();
    let done = false;
    // Each container has its own pacing state (its module scope in HubSpot), found from the async context.
    const work = Promise.all(Array.from({ length: containers }, (_, c) => container.run(newPacerState(), async () => {
      for (let run = 0; run < runs; run++) {
        const deadline = createDeadline({ clock: clock.now, setTimer: clock.setTimer, clearTimer: clock.clearTimer });
        const client = createHubSpotClient({ accessToken: 'pat-na1-test', log: createLogger({ scope: 'pacing-test', sink: () => {} }), deadline });
        try {
          await client.searchObjects('companies', { filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: `c${c}.example` }] }] });
          await client.createObjects('contacts', [{ properties: { email: `c${c}r${run}@example.com` } }]);
        } catch {
          thrown += 1; // out of budget: HubSpot would re-run it a minute later
        }
      }
    }))).finally(() => (done = true));
    try {
      await clock.run(() => done);
      await work;
    } finally {
      net.uninstall();
      vi.restoreAllMocks();
    }
    return { refused, thrown, searches: searches.length, ms: clock.now() };
  }

  it('search at 5/s (no headers): paced containers hold their slots, so fewer 429s, no run out of budget, no more time', async () => {
    const unpaced = await simulateSearch(false);
    const paced = await simulateSearch(true);
    expect(unpaced.thrown).toBeGreaterThan(0); // lib/http.ts's 1, 2, 4 s back-off alone runs some out of their 20 s
    expect(paced.searches).toBe(400);
    expect(paced.thrown).toBe(0);
    expect(paced.refused).toBeLessThan(unpaced.refused);
    expect(paced.ms).toBeLessThanOrEqual(unpaced.ms);
    // the floor is 400 searches at 5 per second
    expect(paced.ms).toBeLessThan(80_000 * 1.15);
  });

  it('under heavy load (20 containers): no run runs out of its budget, where unpaced runs do, in no more time', async () => {
    const unpaced = await simulate(false, 20, 15);
    const paced = await simulate(true, 20, 15);
    expect(unpaced.thrown).toBeGreaterThan(0);
    expect(unpaced.pacedWaits).toBe(0);
    expect(paced.pacedWaits).toBeGreaterThan(0);
    expect(paced.thrown).toBe(0);
    expect(paced.ms).toBeLessThanOrEqual(unpaced.ms);
  });

  it('under light load (3 containers near the limit): slows down before it, so no 429 at all', async () => {
    const unpaced = await simulate(false, 3, 100);
    const paced = await simulate(true, 3, 100);
    expect(unpaced.refused).toBeGreaterThan(0);
    expect(paced.refused).toBe(0);
  });
});
