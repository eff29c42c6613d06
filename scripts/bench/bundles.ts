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
 * One fresh Node process per sample (process.execPath: the Node 24 that runs the bench), timing only the
 * sandboxed `require()` of the bundle (scripts/sandbox.cjs: built-ins and HubSpot's pre-installed modules only),
 * which includes loading axios from node_modules for the shipped variant, as HubSpot's runtime must too.
 */
const CHILD = `
const { performance } = require('node:perf_hooks');
const [file, modules, root] = process.argv.slice(1);
const { loadBundle } = require(require('node:path').join(root, 'scripts', 'sandbox.cjs'));
const t0 = performance.now();
const loaded = loadBundle(file, { runtimeModules: JSON.parse(modules), resolveFrom: root });
const ms = performance.now() - t0;
if (typeof loaded.exports.main !== 'function') throw new Error('no main');
process.stdout.write(JSON.stringify({ ms }));
`;

export interface ColdLoad {
  samples: number;
  medianMs: number;
  maxMs: number;
}

export function measureColdLoad(file: string, runtimeModules: Record<string, string>, samples: number): ColdLoad {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const out = execFileSync(process.execPath, ['-e', CHILD, file, JSON.stringify(runtimeModules), ROOT], { cwd: ROOT, encoding: 'utf8' });
    times.push((JSON.parse(out) as { ms: number }).ms);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 ? (times[mid] as number) : ((times[mid - 1] as number) + (times[mid] as number)) / 2;
  return { samples, medianMs: round(median), maxMs: round(times[times.length - 1] as number) };
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
