import { AsyncLocalStorage } from 'node:async_hooks';
import { action as signupOnboarding } from '../../actions/signup-onboarding/index';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RetryableError } from '../../lib/errors';
import { createServiceClient, MAX_RETRIES_IN_RUN } from '../../lib/http';
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
import { seededRandom } from '../../scripts/bench/virtual-clock';
import { FakeHubSpot } from '../fakes/hubspot';
import { FAKE_SECRETS, contactEvent, runAction } from '../support/run';
import { asFakeRequest, virtualNet } from '../support/virtual-fetch';

const defaults = { ...pacingRuntime };
afterEach(() => {
  vi.unstubAllGlobals();
  Object.assign(pacingRuntime, defaults);
  clearModuleCaches();
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

describe('pacing through lib/http.ts, on a virtual clock', () => {
  /** How the simulated runs went; a thrown run is one HubSpot re-runs a minute later. */
  interface Tally {
    refused: number;
    /** Runs thrown for HubSpot's re-run: out of their 20 s, or a request refused more than MAX_RETRIES_IN_RUN times. */
    thrown: number;
    ms: number;
  }
  const tallyThrow = (tally: Tally, error: unknown) => {
    // Only ever a retryable error (429/5xx status): anything else would be a bug the simulation must not hide.
    if (!(error instanceof RetryableError)) throw error;
    tally.thrown += 1;
  };

  /**
   * Containers each running enrollments of 3 reads one after another, on a virtual clock (150 ms per call), against
   * a HubSpot fake that allows 190 requests per rolling 10 s and says so in the documented headers. Unpaced, the
   * runs meet the limit and back off 1, 2, 4 s; paced, they slow down from the headers before it. Seeded jitter:
   * the same numbers on every run of the test.
   */
  async function simulate(paced: boolean, containers = 10, runs = 10, max = 190): Promise<Tally & { accepted: number; pacedWaits: number }> {
    const hubspot = new FakeHubSpot();
    const id = hubspot.seed('contacts', { email: 'ada@acme.io' });
    const sent: number[] = [];
    const tally = { refused: 0, thrown: 0, ms: 0 };
    const net = virtualNet((send) => {
      while (sent.length && (sent[0] as number) <= send.at - 10_000) sent.shift();
      if (sent.length >= max) {
        tally.refused += 1;
        return { status: 429, body: { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' }, headers: headers(max, 0) };
      }
      sent.push(send.at);
      const res = hubspot.handle(asFakeRequest(send));
      return { ...res, headers: { ...res.headers, ...headers(max, max - sent.length) } };
    }, { latencyMs: 150, random: half });
    pacingRuntime.enabled = paced;
    vi.spyOn(Math, 'random').mockImplementation(seededRandom(11));
    const lines: string[] = [];
    await net.run(() => Promise.all(Array.from({ length: containers }, async () => {
      for (let run = 0; run < runs; run++) {
        const client = createHubSpotClient({ accessToken: 'pat-na1-test', log: createLogger({ scope: 'pacing-test', sink: (l) => lines.push(l) }), deadline: net.deadline() });
        try {
          for (let call = 0; call < 3; call++) await client.getObject('contacts', id);
        } catch (error) {
          tallyThrow(tally, error);
        }
      }
    })));
    return { ...tally, accepted: sent.length, pacedWaits: lines.filter((l) => l.includes('http.paced')).length, ms: net.clock.now() };
  }

  /**
   * Signup's pattern against HubSpot's search limit (5 per rolling second, no rate-limit headers,
   * https://developers.hubspot.com/docs/api/crm/search "Limitations"): 10 containers, each running enrollments of one
   * search then one write, one after another, on a virtual clock (150 ms per call).
   */
  async function simulateSearch(paced: boolean, containers = 10, runs = 40): Promise<Tally & { searches: number }> {
    const container = new AsyncLocalStorage<PacerState>();
    const hubspot = new FakeHubSpot();
    const searches: number[] = [];
    const tally = { refused: 0, thrown: 0, ms: 0 };
    // Seeded, so the result is the same on every run: the pacer's jitter, and lib/http.ts's back-off jitter.
    const net = virtualNet((send) => {
      const req = asFakeRequest(send);
      if (req.method === 'POST' && req.pathname.endsWith('/search')) {
        if (searches.filter((t) => t > send.at - 1_000).length >= 5) {
          tally.refused += 1;
          return { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', policyName: 'SECONDLY' } };
        }
        searches.push(send.at);
      }
      return hubspot.handle(req);
    }, { latencyMs: 150, random: seededRandom(7) });
    Object.assign(pacingRuntime, { enabled: paced, state: () => container.getStore() ?? newPacerState() });
    vi.spyOn(Math, 'random').mockImplementation(seededRandom(11));
    // Each container has its own pacing state (its module scope in HubSpot), found from the async context.
    await net.run(() => Promise.all(Array.from({ length: containers }, (_, c) => container.run(newPacerState(), async () => {
      for (let run = 0; run < runs; run++) {
        const client = createHubSpotClient({ accessToken: 'pat-na1-test', log: createLogger({ scope: 'pacing-test', sink: () => {} }), deadline: net.deadline() });
        try {
          await client.searchObjects('companies', { filterGroups: [{ filters: [{ propertyName: 'domain', operator: 'EQ', value: `c${c}.example` }] }] });
          await client.createObjects('contacts', [{ properties: { email: `c${c}r${run}@example.com` } }]);
        } catch (error) {
          tallyThrow(tally, error);
        }
      }
    }))));
    return { ...tally, searches: searches.length, ms: net.clock.now() };
  }

  it('search at 5/s (no headers): paced containers hold their slots, so fewer 429s, fewer runs left to a re-run, no more time per search', async () => {
    const unpaced = await simulateSearch(false);
    const paced = await simulateSearch(true);
    // lib/http.ts's 1, 2, 4 s back-off alone leaves some runs to HubSpot's re-run (out of budget or attempts)
    expect(unpaced.thrown).toBeGreaterThan(0);
    // every run searches once: a run thrown at its search is re-run by HubSpot later
    expect(paced.searches).toBe(400 - paced.thrown);
    expect(paced.thrown).toBeLessThan(unpaced.thrown / 2);
    expect(paced.refused).toBeLessThan(unpaced.refused);
    expect(paced.ms / paced.searches).toBeLessThanOrEqual(unpaced.ms / unpaced.searches);
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

describe('bounded pacing: the pacer decides the waits, not how many', () => {
  /**
   * Issue 21 §8: a search answered 429 forever was sent 48 times in 15 s in one run — the lane's retry delays (2 s,
   * then shorter on each refusal, down to 250 ms) had no attempt cap. Every kind of request now stops after
   * MAX_RETRIES_IN_RUN retries and throws a retryable 429, which HubSpot re-runs later
   * (https://developers.hubspot.com/docs/api/workflows/custom-code-actions: it re-runs on 429/5xx).
   */
  const refusedForever = { status: 429, body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', category: 'RATE_LIMITS' } };
  const silentLog = () => createLogger({ scope: 'pacing-test', sink: () => {} });

  it('HubSpot search (a lane): at most 1 + MAX_RETRIES_IN_RUN sends, then RATE_LIMITED with status 429, well inside the run', async () => {
    const net = virtualNet(() => refusedForever);
    const client = createHubSpotClient({ accessToken: 'pat-na1-test', log: silentLog(), deadline: net.deadline() });
    const error = await net.run(() => client.searchObjects('companies', { filterGroups: [] })).catch((e) => e);
    expect(net.sends.length).toBeLessThanOrEqual(1 + MAX_RETRIES_IN_RUN);
    expect(net.sends.length).toBeGreaterThan(1); // still retried in the run: a slot often frees within seconds
    expect(error).toBeInstanceOf(RetryableError);
    expect(error).toMatchObject({ errorCode: 'RATE_LIMITED', response: { status: 429 } });
    expect(net.clock.now()).toBeLessThan(15_000); // stopped by the cap, not by the deadline
    // The container's next search (the next enrollment it runs) is a new request, not a retry that skips its wait.
    expect(pacingRuntime.state().lanes['hubspot:search']?.retrying).toBe(false);
  });

  it('an action whose search is refused forever throws a 429 for HubSpot\'s re-run after at most 1 + MAX_RETRIES_IN_RUN sends', async () => {
    const net = virtualNet(() => refusedForever);
    const outcome = await net.run(() =>
      runAction(signupOnboarding, contactEvent({ email: 'ada@acme.io', firstname: 'Ada', lastname: 'Lovelace', company: 'Acme', phone: '', website: '', domain: '' }), {
        env: { HUBSPOT_ACCESS_TOKEN: FAKE_SECRETS.HUBSPOT_ACCESS_TOKEN },
        // HubSpot's real 20 s on the virtual clock: the cap, not the deadline, ends the run.
        deadline: { clock: net.clock.now, setTimer: net.clock.setTimer, clearTimer: net.clock.clearTimer },
      }),
    );
    expect(net.sends.every((send) => send.url.pathname.endsWith('/search'))).toBe(true);
    expect(net.sends.length).toBeLessThanOrEqual(1 + MAX_RETRIES_IN_RUN);
    expect(outcome.thrown).toBeInstanceOf(RetryableError);
    expect(outcome.thrown?.response?.status).toBe(429);
    expect(net.clock.now()).toBeLessThan(15_000);
  });

  it('HubSpot outside search (header window) and a QuickBooks realm (a lane): the same cap', async () => {
    const windowed = virtualNet(() => ({ ...refusedForever, headers: headers(190, 0) }));
    // A known window makes the pacer choose the waits (the reserve's refill time), as after any earlier answer; a 1 s window
    // keeps those waits short enough that the cap, not the 20 s budget, ends the run.
    pacingRuntime.state().windows.hubspot = { max: 190, remaining: 100, intervalMs: 1_000, seenAt: 0 };
    const hubspot = createHubSpotClient({ accessToken: 'pat-na1-test', log: silentLog(), deadline: windowed.deadline() });
    const hubspotError = await windowed.run(() => hubspot.getObject('contacts', '1')).catch((e) => e);
    expect(windowed.sends.length).toBe(1 + MAX_RETRIES_IN_RUN);
    expect(hubspotError).toMatchObject({ errorCode: 'RATE_LIMITED', response: { status: 429 } });
    vi.unstubAllGlobals();

    const realm = virtualNet(() => ({ status: 429, body: { fault: { error: [{ message: 'ThrottleExceeded' }] } } }));
    const quickbooks = createServiceClient({ service: 'quickbooks', baseUrl: 'https://quickbooks.api.intuit.com', log: silentLog(), deadline: realm.deadline() });
    const quickbooksError = await realm.run(() => quickbooks.request({ method: 'GET', url: '/v3/company/9130/query', idempotent: true })).catch((e) => e);
    expect(realm.sends.length).toBe(1 + MAX_RETRIES_IN_RUN);
    expect(quickbooksError).toMatchObject({ errorCode: 'RATE_LIMITED', response: { status: 429 } });
  });
});
