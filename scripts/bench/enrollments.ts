import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ActionResult, HubSpotEvent, RunOptions } from '../../lib/action';
import { clearModuleCaches } from '../../lib/module-cache';
import { HUBSPOT_ORIGIN } from '../../test/fakes/hubspot';
import type { CallRecord, FakeRequest } from '../../test/fakes/network';
import type { ActionScenarios, ScenarioPath, World } from '../../test/support/scenario';
import { ROOT, round } from './bundles';

/**
 * API calls and latency per enrollment, per main path, counted on the wire (FakeNetwork.calls) while the action
 * runs from source against the same stateful fakes its tests use (test/actions/<action>/scenarios.ts).
 */

export const CALL_LATENCY_MS = 150;

export async function loadScenarios(name: string): Promise<ActionScenarios | undefined> {
  const file = path.join(ROOT, 'test', 'actions', name, 'scenarios.ts');
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { scenarios?: ActionScenarios };
  return mod.scenarios;
}

export const quiet: RunOptions['sink'] = () => {};

/** A completed enrollment is re-run minutes or days later: HubSpot's search index has caught up by then. */
export function catchUpSearch(world: World): void {
  (world as World & { hubspot?: { indexSearch?: () => void } }).hubspot?.indexSearch?.();
}

export interface RunRecord {
  outputs?: ActionResult['outputFields'];
  thrown?: string;
  calls: CallRecord[];
  hubspotCalls: number;
  wallMs: number;
  /** Calls that had no other call of this run in flight: the run's critical path, from observed intervals. */
  criticalPathCalls: number;
}

/** Runs one enrollment on an installed world; returns only this run's calls. */
export async function runOnce(scenarios: ActionScenarios, world: World, event: HubSpotEvent, { latencyMs = 0 } = {}): Promise<RunRecord> {
  const before = world.net.calls.length;
  const intervals: Array<[number, number]> = [];
  world.net.latency = latencyMs
    ? async (_req: FakeRequest) => {
        const start = performance.now();
        await new Promise((resolve) => setTimeout(resolve, latencyMs));
        intervals.push([start, performance.now()]);
      }
    : undefined;
  const started = performance.now();
  let outputs: ActionResult['outputFields'] | undefined;
  let thrown: string | undefined;
  try {
    outputs = (await scenarios.action.execute(event, { env: world.env, sink: quiet, ...(scenarios.config ? { config: scenarios.config } : {}) })).outputFields;
  } catch (error) {
    thrown = `${(error as Error).name}: ${(error as Error).message}`;
  }
  const wallMs = performance.now() - started;
  world.net.latency = undefined;
  const calls = world.net.calls.slice(before);
  return { outputs, thrown, calls, hubspotCalls: calls.filter((c) => c.url.startsWith(HUBSPOT_ORIGIN)).length, wallMs, criticalPathCalls: criticalPath(intervals, latencyMs) };
}

/** Length of the union of in-flight intervals, in whole calls: parallel calls count once. */
function criticalPath(intervals: Array<[number, number]>, latencyMs: number): number {
  if (!latencyMs || intervals.length === 0) return intervals.length;
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let union = 0;
  let [curStart, curEnd] = sorted[0] as [number, number];
  for (const [s, e] of sorted.slice(1)) {
    if (s > curEnd) {
      union += curEnd - curStart;
      [curStart, curEnd] = [s, e];
    } else curEnd = Math.max(curEnd, e);
  }
  union += curEnd - curStart;
  return Math.max(1, Math.round(union / latencyMs));
}

export interface PathMeasure {
  path: string;
  calls: number;
  hubspotCalls: number;
  methods: string;
  ok: boolean;
  note?: string;
  latencyMs: number;
  floorMs: number;
  overheadPct: number;
}

function matches(expect: ScenarioPath['expect'], outputs: ActionResult['outputFields'] | undefined): boolean {
  return outputs !== undefined && Object.entries(expect).every(([k, v]) => outputs[k] === v);
}

const describeCalls = (calls: CallRecord[]) => calls.map((c) => `${c.method} ${new URL(c.url).pathname}`).join(', ');

/**
 * Each scenario path in a fresh world and a cold container (module caches cleared: worst case, an OAuth token
 * fetched), then the derived "re-run of a completed enrollment": the first path's event again in the same world,
 * after HubSpot's search index caught up (the module caches stay warm, as in a reused container).
 * Counting runs without latency; the latency runs repeat the same steps with 150 ms per call.
 */
export async function measurePaths(scenarios: ActionScenarios): Promise<PathMeasure[]> {
  const out: PathMeasure[] = [];
  const plan: Array<{ label: string; path: ScenarioPath; rerun: boolean }> = [
    ...scenarios.paths.map((p) => ({ label: p.name, path: p, rerun: false })),
    ...(scenarios.paths[0] ? [{ label: `re-run of completed "${scenarios.paths[0].name}"`, path: scenarios.paths[0], rerun: true }] : []),
  ];
  for (const step of plan) {
    const measure = async (latencyMs: number) => {
      clearModuleCaches();
      const world = scenarios.world();
      step.path.setup?.(world);
      world.net.install();
      try {
        if (step.rerun) {
          await runOnce(scenarios, world, step.path.event);
          catchUpSearch(world);
        }
        return await runOnce(scenarios, world, step.path.event, { latencyMs });
      } finally {
        world.net.uninstall();
      }
    };
    const counted = await measure(0);
    const timed = await measure(CALL_LATENCY_MS);
    const ok = counted.thrown === undefined && (step.rerun ? counted.outputs?.status === 'ok' : matches(step.path.expect, counted.outputs));
    const floorMs = timed.criticalPathCalls * CALL_LATENCY_MS;
    out.push({
      path: step.label,
      calls: counted.calls.length,
      hubspotCalls: counted.hubspotCalls,
      methods: describeCalls(counted.calls),
      ok,
      ...(ok ? {} : { note: counted.thrown ?? `outputs ${JSON.stringify(counted.outputs)}` }),
      latencyMs: round(timed.wallMs),
      floorMs,
      overheadPct: floorMs ? round(((timed.wallMs - floorMs) / floorMs) * 100) : 0,
    });
  }
  return out;
}
