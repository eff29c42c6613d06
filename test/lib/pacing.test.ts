import nock from 'nock';
import { afterEach, describe, expect, it } from 'vitest';
import { createDeadline } from '../../lib/deadline';
import { createHubSpotClient } from '../../lib/hubspot';
import { createLogger } from '../../lib/logger';
import { clearModuleCaches } from '../../lib/module-cache';
import {
  MAX_LANE_GAP_MS,
  delayForWindow,
  laneFor,
  learnLane,
  newPacerState,
  pacerFor,
  pacingRuntime,
  rateWindowFromHeaders,
  reserveLane,
  type Lane,
  type PacerState,
} from '../../lib/pacing';
import { VirtualClock } from '../../scripts/bench/virtual-clock';
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

  it.each([
    [190, 0],
    [95, 0],
    [57, 0], // 70 % spent: not yet
    [19, 5_000 * (2 / 3) ** 2], // 90 % spent
    [0, 5_000], // nothing left: half a window
  ])('remaining %i of 190 → %d ms', (remaining, expected) => {
    expect(delayForWindow(w(remaining), 0, half)).toBe(Math.round(expected));
  });

  it('grows as the window is spent, on Starter (100) as on Professional (190)', () => {
    for (const max of [100, 190]) {
      const delays = [0.75, 0.8, 0.85, 0.9, 1].map((spent) => delayForWindow(w(Math.round(max * (1 - spent)), max), 0, half));
      expect(delays).toEqual([...delays].sort((a, b) => a - b));
      expect(delays[0]).toBeGreaterThan(0);
    }
  });

  it('jitters ±50 % so runs that read the same header spread out', () => {
    expect(delayForWindow(w(0), 0, () => 0)).toBe(2_500);
    expect(delayForWindow(w(0), 0, () => 0.999_999)).toBe(7_500);
  });

  it('credits the requests that aged out since, and forgets a window older than itself', () => {
    expect(delayForWindow(w(0), 3_000, half)).toBe(0); // 30 % of the spent requests left the window: 70 % spent
    expect(delayForWindow(w(0), 1_500, half)).toBe(Math.round(5_000 * 0.5 ** 2));
    expect(delayForWindow(w(0), 10_000, half)).toBe(0);
    expect(delayForWindow(undefined, 0, half)).toBe(0);
  });
});

describe('lanes for limits without headers', () => {
  it('HubSpot search (any API version) and QuickBooks realms have lanes; other calls do not', () => {
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/v3/objects/companies/search')).toEqual({ key: 'hubspot:search', minGapMs: 200 });
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/objects/2026-09/companies/search')?.key).toBe('hubspot:search');
    expect(laneFor('hubspot', 'POST', 'https://api.hubapi.com/crm/v3/objects/companies/batch/upsert')).toBeUndefined();
    expect(laneFor('quickbooks', 'GET', 'https://quickbooks.api.intuit.com/v3/company/9130/query')).toEqual({ key: 'quickbooks:9130', minGapMs: 100 });
    expect(laneFor('clearbit', 'GET', 'https://person.clearbit.com/v2/combined/find')).toBeUndefined();
  });

  it('an uncongested container never waits; each 429 doubles the gap, each success shortens it', () => {
    const lane: Lane = { minGapMs: 200, gapMs: 0, lastAt: Number.NEGATIVE_INFINITY };
    expect(reserveLane(lane, 0, half)).toBe(0);
    expect(reserveLane(lane, 10, half)).toBe(0);
    learnLane(lane, true);
    expect(lane.gapMs).toBe(400);
    expect(reserveLane(lane, 100, half)).toBe(310); // 10 + 400 - 100
    expect(lane.lastAt).toBe(410);
    learnLane(lane, true);
    learnLane(lane, true);
    expect(lane.gapMs).toBe(1_600);
    learnLane(lane, false);
    expect(lane.gapMs).toBe(1_550);
    for (let i = 0; i < 20; i++) learnLane(lane, true);
    expect(lane.gapMs).toBe(MAX_LANE_GAP_MS);
    for (let i = 0; i < 200; i++) learnLane(lane, false);
    expect(lane.gapMs).toBe(0);
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
    expect(hubspot?.before('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1')).toBe(5_000);
    // search answers carry no headers and have their own limit: the general window does not hold them back
    expect(hubspot?.before('POST', 'https://api.hubapi.com/crm/v3/objects/companies/search')).toBe(0);
    hubspot?.after('POST', 'https://api.hubapi.com/crm/v3/objects/companies/search', 429, {});
    expect(state.lanes['hubspot:search']?.gapMs).toBe(400);
    pacingRuntime.enabled = false;
    expect(hubspot?.before('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1')).toBe(0);
  });
});

describe('pacing through the fake network (lib/http.ts hook)', () => {
  /**
   * 10 containers each running 10 enrollments of 3 reads, on a virtual clock (150 ms per call), against a HubSpot
   * fake that allows 190 requests per rolling 10 s and says so in the documented headers. Unpaced, the runs meet the limit and wait out 429s; paced,
   * they slow down from the headers before it.
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

  it('slows down before the limit: a fraction of the unpaced 429s, in no more time', async () => {
    const unpaced = await simulate(false);
    const paced = await simulate(true);
    expect(unpaced.refused).toBeGreaterThan(0);
    expect(unpaced.pacedWaits).toBe(0);
    expect(paced.pacedWaits).toBeGreaterThan(0);
    expect(paced.refused).toBeLessThan(unpaced.refused / 4);
    expect(paced.thrown).toBe(0);
    // 300 calls at 19 per second: a floor of 15.8 s
    expect(paced.ms).toBeLessThan(unpaced.ms * 1.1);
  });
});
