import type { Action, HubSpotEvent } from '../../lib/action';
import type { FakeNetwork } from '../fakes/network';

/**
 * The contract every action's test folder fulfils in `test/actions/<action>/scenarios.ts`, so that the shared
 * suites (fault matrix × re-runs, hostile inputs, secret leaks, concurrency — test/reliability/) and the
 * benchmark (scripts/bench.ts) can drive every action the same way.
 */
export interface World {
  /** A FakeNetwork with every vendor fake routed on it. Not installed yet: the suite installs and uninstalls it. */
  net: FakeNetwork;
  /** Secret values, distinctive so leak checks can search for them. */
  env: Record<string, string>;
  /** The end state of all fake systems, stable across runs (no generated ids, no timestamps). */
  snapshot(): unknown;
  /** Records per kind, to assert "exactly one": e.g. { contacts: 1, companies: 1, deals: 1, leads: 1 }. */
  counts(): Record<string, number>;
  /** Every secret-like value the fakes handed out (OAuth access/refresh tokens), for leak checks. */
  issuedSecrets(): string[];
}

export interface ScenarioPath {
  /** e.g. "new record", "existing record". */
  name: string;
  event: HubSpotEvent;
  /** Seeds the fake systems for this path. */
  setup?(world: World): void;
  /** Outputs a clean run must produce (subset). */
  expect: Record<string, string | number | boolean>;
}

export interface ActionScenarios {
  action: Action<any, any, any, any>;
  /** Fresh fake systems for one test. */
  world(): World;
  /** The main paths: at least "new record" and "existing record". A re-run of a completed enrollment is derived. */
  paths: ScenarioPath[];
  /** Input field values to try hostile values in (the suite substitutes each hostile value into each field). */
  hostileFields: string[];
  /** Many enrollments sharing one key, run concurrently; the check asserts exactly one record per key. */
  concurrency?: { name: string; events: HubSpotEvent[]; setup?(world: World): void; check(world: World): void };
  /** Build-time config overrides used in tests, if any. */
  config?: Record<string, unknown>;
}
