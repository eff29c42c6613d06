import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Bytes and cold load of each action's bundle: the shipped dist/<action>.js against a naive esbuild bundle of the
 * same entry with every dependency inlined (`external: []`, so axios — and @hubspot/api-client or a vendor SDK if
 * the entry imports one — are carried in the file), not minified: what `esbuild --bundle --platform=node` gives a
 * user who does not mark HubSpot's pre-installed modules external. The minified size is reported alongside.
 */

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const TMP = path.join(ROOT, 'bench', 'tmp');

interface BuildModule {
  SHARED_OPTIONS: Record<string, unknown>;
  bundleAction(name: string, options?: { config?: unknown; extra?: Record<string, unknown> }): Promise<{ text: string; externals: string[] }>;
}
interface RuntimeModulesModule {
  RUNTIME_MODULES: string[];
}

export async function buildScripts(): Promise<{ build: BuildModule; runtimeModules: Record<string, string> }> {
  const build = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'build.mjs')).href)) as BuildModule;
  const { RUNTIME_MODULES } = (await import(pathToFileURL(path.join(ROOT, 'scripts', 'runtime-modules.mjs')).href)) as RuntimeModulesModule;
  const { defaultRuntimeModules } = createRequire(import.meta.url)('../sandbox.cjs') as { defaultRuntimeModules(names: string[], from: string): Record<string, string> };
  return { build, runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT) };
}

export interface BundleSizes {
  shippedFile: string;
  naiveFile: string;
  shippedBytes: number;
  naiveBytes: number;
  naiveMinifiedBytes: number;
}

/** Writes the naive variants to bench/tmp/ (ignored by lint, not committed) so child processes can load them. */
export async function measureBytes(name: string, build: BuildModule): Promise<BundleSizes> {
  mkdirSync(TMP, { recursive: true });
  const shippedFile = path.join(ROOT, 'dist', `${name}.js`);
  const naive = await build.bundleAction(name, { extra: { external: [] } });
  const naiveMin = await build.bundleAction(name, { extra: { external: [], minify: true } });
  const naiveFile = path.join(TMP, `${name}.naive.js`);
  writeFileSync(naiveFile, naive.text);
  return {
    shippedFile,
    naiveFile,
    shippedBytes: Buffer.byteLength(readFileSync(shippedFile)),
    naiveBytes: Buffer.byteLength(naive.text),
    naiveMinifiedBytes: Buffer.byteLength(naiveMin.text),
  };
}

/**
 * One fresh Node process per sample (process.execPath: the Node 24 that runs the bench), timing only the load: a
 * bundle's sandboxed `require()` (scripts/sandbox.cjs: built-ins and HubSpot's pre-installed modules only), or a plain
 * `require()` of a module by name (`@hubspot/api-client`, what a snippet using HubSpot's SDK loads).
 */
const CHILD = `
const { performance } = require('node:perf_hooks');
const path = require('node:path');
const [kind, target, modules, root] = process.argv.slice(1);
const { loadBundle } = require(path.join(root, 'scripts', 'sandbox.cjs'));
const fromRoot = require('node:module').createRequire(path.join(root, 'package.json'));
const t0 = performance.now();
const loaded = kind === 'bundle' ? loadBundle(target, { runtimeModules: JSON.parse(modules), resolveFrom: root }).exports : fromRoot(target);
const ms = performance.now() - t0;
if (kind === 'bundle' && typeof loaded.main !== 'function') throw new Error('no main');
process.stdout.write(JSON.stringify({ ms }));
`;

export interface ColdLoad {
  samples: number;
  medianMs: number;
  maxMs: number;
}

export interface LoadSubject {
  key: string;
  kind: 'bundle' | 'module';
  /** A file for a bundle, a module name for a module. */
  target: string;
}

/** The baseline subjects every bundle's load is compared with, in the same run. */
export const EMPTY_MODULE = 'empty module';
export const HUBSPOT_CLIENT = '@hubspot/api-client';

/** A bundle that does nothing but export main: the sandbox's own cost. Written to bench/tmp/. */
export function emptyBundle(): string {
  mkdirSync(TMP, { recursive: true });
  const file = path.join(TMP, 'empty.js');
  writeFileSync(file, '"use strict";\nexports.main = async () => ({ outputFields: {} });\n');
  return file;
}

/**
 * A shipped bundle's cold load, as the median over rounds of its load divided by the baseline's in the same round.
 * Issue 15 asked for ≤ 5 ms where @hubspot/api-client loads in ~50 ms (2026-12, 2 cores, idle): 10 % of the client.
 * Against the empty bundle (the sandbox alone, ~0.2 ms) our bundles measured 10–25×; 50× leaves room for noise on
 * a sub-millisecond baseline while still catching a bundle that starts loading a large dependency.
 */
export const LOAD_LIMITS = { [HUBSPOT_CLIENT]: 0.1, [EMPTY_MODULE]: 50 } as const;

/** The bundles whose load is over a limit, one line each. */
export function loadProblems(results: Array<{ action: string; coldLoad: { vsEmpty: number; vsHubSpotClient: number } }>): string[] {
  return results.flatMap((r) => [
    ...(r.coldLoad.vsHubSpotClient > LOAD_LIMITS[HUBSPOT_CLIENT] ? [`${r.action} loads in ${r.coldLoad.vsHubSpotClient}× @hubspot/api-client's time (limit ${LOAD_LIMITS[HUBSPOT_CLIENT]}×)`] : []),
    ...(r.coldLoad.vsEmpty > LOAD_LIMITS[EMPTY_MODULE] ? [`${r.action} loads in ${r.coldLoad.vsEmpty}× an empty bundle's time (limit ${LOAD_LIMITS[EMPTY_MODULE]}×)`] : []),
  ]);
}

export interface ColdLoads {
  /** Per subject key: every sample, in round order (round i of every subject ran back to back). */
  samples: Record<string, number[]>;
  stats: Record<string, ColdLoad>;
}

/**
 * Cold loads of every subject, interleaved: round i loads each subject once, in turn, so a burst of load on a shared
 * machine slows every subject of that round alike, and the per-round ratios (loadRatio) cancel it out.
 */
export function measureColdLoads(subjects: LoadSubject[], runtimeModules: Record<string, string>, rounds: number): ColdLoads {
  const samples: Record<string, number[]> = Object.fromEntries(subjects.map((s) => [s.key, []]));
  for (let i = 0; i < rounds; i++) {
    for (const subject of subjects) {
      const out = execFileSync(process.execPath, ['-e', CHILD, subject.kind, subject.target, JSON.stringify(runtimeModules), ROOT], { cwd: ROOT, encoding: 'utf8' });
      samples[subject.key]!.push((JSON.parse(out) as { ms: number }).ms);
    }
  }
  const stats = Object.fromEntries(Object.entries(samples).map(([key, times]) => [key, { samples: times.length, medianMs: round(median(times)), maxMs: round(Math.max(...times)) }]));
  return { samples, stats };
}

/** The median over rounds of subject's load divided by the baseline's load in the same round. */
export function loadRatio(loads: ColdLoads, subject: string, baseline: string): number {
  const a = loads.samples[subject] ?? [];
  const b = loads.samples[baseline] ?? [];
  return round(median(a.map((ms, i) => ms / (b[i] as number))), 3);
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * What a user who bundles the original snippet would paste: bench/original/<file> with everything inlined (the HubSpot
 * client and the vendor SDK included), same options as the naive bundle. Undefined when esbuild cannot bundle it.
 */
export async function measureSeedBytes(file: string, build: BuildModule): Promise<{ bytes?: number; minifiedBytes?: number; error?: string }> {
  const { build: esbuild } = (await import('esbuild')) as typeof import('esbuild');
  const bundle = async (minify: boolean) => {
    const result = await esbuild({ ...build.SHARED_OPTIONS, entryPoints: [path.join(ROOT, 'bench', 'original', file)], external: [], minify, write: false });
    return Buffer.byteLength((result.outputFiles[0] as { text: string }).text);
  };
  try {
    return { bytes: await bundle(false), minifiedBytes: await bundle(true) };
  } catch (error) {
    return { error: (error as Error).message.split('\n')[0] };
  }
}
