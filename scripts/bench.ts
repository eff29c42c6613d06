/**
 * The benchmark (issue 8): what each action costs in HubSpot's runtime, next to what a user would otherwise paste.
 *
 *   npm run bench            (builds dist/ first; not part of `npm test`: timings are noisy, nothing here fails)
 *   BENCH_ONLY=a,b npm run bench      only these actions
 *   BENCH_COLD_SAMPLES=15 BENCH_ENROLLMENTS=1000 BENCH_SCALE=0   (defaults; BENCH_SCALE=0 skips the simulation)
 *
 * Per action: bytes (shipped vs naive bundle), cold load (fresh Node processes, sandboxed require), API calls and
 * latency per path (stateful fakes, 150 ms per call), a 1,000-enrollment rate-limit simulation on a virtual clock,
 * and the seed's code for the same integration against the same fakes. Prints a table, writes bench/results.json
 * and the table into bench/README.md (between the RESULTS markers).
 */
import { readdirSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT, buildScripts, measureBytes, measureColdLoad, measureSeedBytes, round, type BundleSizes, type ColdLoad } from './bench/bundles';
import { CALL_LATENCY_MS, loadScenarios, measurePaths, type PathMeasure } from './bench/enrollments';
import { CONCURRENCY, ENROLLMENTS, RATE_LIMIT, simulateScale, type ScaleHook, type ScaleResult } from './bench/scale';
import { SCALE_HOOKS } from './bench/scale-hooks';
import { runSeed, type SeedMeasure } from './bench/seed';
import { parseOrExit, usageLines, type CommandSpec } from './lib-tooling/cli.mjs';

export const BENCH_CLI: CommandSpec = {
  command: 'npm run bench --',
  summary: 'Measures every action (bundle bytes, cold load, API calls per path, a rate-limit simulation) next to the code it replaces.',
  usage: ['[--only <a,b>] [--cold-samples <n>] [--enrollments <n>] [--no-scale]'],
  options: [
    { name: 'only', value: '<a,b>', description: 'only these actions (comma-separated); same as BENCH_ONLY=a,b' },
    { name: 'cold-samples', value: '<n>', description: 'fresh Node processes per cold-load measurement (default 15; BENCH_COLD_SAMPLES)' },
    { name: 'enrollments', value: '<n>', description: 'enrollments in the rate-limit simulation (default 1000; BENCH_ENROLLMENTS)' },
    { name: 'no-scale', description: 'skip the rate-limit simulation (BENCH_SCALE=0)' },
  ],
  notes: ['Builds dist/ first (npm run build --quiet). Timings are noisy; nothing here fails a build.'],
  maxPositionals: 0,
};

// The flags are the environment variables' long names: set them before the settings below are read.
{
  const { values, flags } = parseOrExit(BENCH_CLI, process.argv.slice(2));
  const count = (name: string, value: string) => {
    if (!/^\d+$/.test(value)) {
      process.stderr.write(`--${name} ${value}: give a whole number\n${usageLines(BENCH_CLI)}\n`);
      process.exit(2);
    }
    return value;
  };
  if (values.only) process.env.BENCH_ONLY = values.only;
  if (values['cold-samples']) process.env.BENCH_COLD_SAMPLES = count('cold-samples', values['cold-samples']);
  if (values.enrollments) process.env.BENCH_ENROLLMENTS = count('enrollments', values.enrollments);
  if (flags.has('no-scale')) process.env.BENCH_SCALE = '0';
}

const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 15);
const N = Number(process.env.BENCH_ENROLLMENTS ?? ENROLLMENTS);
const SCALE = process.env.BENCH_SCALE !== '0';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);

interface ActionResultRow {
  action: string;
  bytes: BundleSizes & { ratio: number };
  coldLoad: { shipped: ColdLoad; naive: ColdLoad };
  scenarios: boolean;
  skipped?: string;
  paths?: PathMeasure[];
  scale?: ScaleResult;
  seed?: SeedMeasure;
  seedBytes?: { bytes?: number; minifiedBytes?: number; error?: string };
}

function listActions(): string[] {
  return readdirSync(path.join(ROOT, 'actions'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(ROOT, 'actions', d.name, 'index.ts')) && existsSync(path.join(ROOT, 'dist', `${d.name}.js`)))
    .map((d) => d.name)
    .filter((n) => !ONLY || ONLY.includes(n))
    .sort();
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function benchAction(name: string, build: Awaited<ReturnType<typeof buildScripts>>): Promise<ActionResultRow> {
  const sizes = await measureBytes(name, build.build);
  const row: ActionResultRow = {
    action: name,
    bytes: { ...sizes, ratio: round(sizes.naiveBytes / sizes.shippedBytes, 2) },
    coldLoad: { shipped: measureColdLoad(sizes.shippedFile, build.runtimeModules, COLD_SAMPLES), naive: measureColdLoad(sizes.naiveFile, build.runtimeModules, COLD_SAMPLES) },
    scenarios: false,
  };
  row.bytes.shippedFile = path.relative(ROOT, sizes.shippedFile);
  row.bytes.naiveFile = path.relative(ROOT, sizes.naiveFile);
  let scenarios;
  try {
    scenarios = await loadScenarios(name);
  } catch (error) {
    row.skipped = `scenarios.ts failed to load: ${(error as Error).message}`;
  }
  if (!scenarios) {
    row.skipped ??= `no test/actions/${name}/scenarios.ts yet: calls, latency and scale not measured`;
    return row;
  }
  row.scenarios = true;
  row.paths = await measurePaths(scenarios);
  if (SCALE) {
    const mod = (await import(pathToFileURL(path.join(ROOT, 'test', 'actions', name, 'scenarios.ts')).href)) as { scale?: ScaleHook };
    row.scale = await simulateScale(scenarios, mod.scale ?? SCALE_HOOKS[name], N);
  }
  row.seed = await runSeed(name, scenarios);
  if (row.seed.file) row.seedBytes = await measureSeedBytes(row.seed.file, build.build);
  return row;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function render(results: ActionResultRow[], meta: { node: string; timestamp: string; commit: string; cpus: number }): string {
  const out: string[] = [];
  out.push(`Node ${meta.node} · ${meta.timestamp} · commit ${meta.commit} · ${meta.cpus} CPUs`);
  out.push('', '### Bytes and cold load', '');
  out.push(
    table(
      ['action', 'shipped', 'naive (external: [])', 'naive minified', 'ratio', `cold load shipped median/max (n=${COLD_SAMPLES})`, 'cold load naive median/max', 'seed code bundled (min.)'],
      results.map((r) => [
        r.action,
        kb(r.bytes.shippedBytes),
        kb(r.bytes.naiveBytes),
        kb(r.bytes.naiveMinifiedBytes),
        `1/${r.bytes.ratio}`,
        `${r.coldLoad.shipped.medianMs} / ${r.coldLoad.shipped.maxMs} ms`,
        `${r.coldLoad.naive.medianMs} / ${r.coldLoad.naive.maxMs} ms`,
        r.seedBytes?.bytes ? `${kb(r.seedBytes.bytes)} (${kb(r.seedBytes.minifiedBytes ?? 0)})` : r.seedBytes?.error ? `n/a: ${r.seedBytes.error.slice(0, 60)}` : 'no seed',
      ]),
    ),
  );
  out.push('', `### API calls and latency per enrollment (${CALL_LATENCY_MS} ms per call)`, '');
  const pathRows: string[][] = [];
  for (const r of results) {
    if (!r.paths) {
      pathRows.push([r.action, `skipped: ${r.skipped ?? ''}`, '', '', '', '', '', '']);
      continue;
    }
    for (const p of r.paths) {
      const seed = r.seed?.paths?.find((s) => s.path === p.path);
      pathRows.push([
        r.action,
        p.path + (p.ok ? '' : ` (NOT OK: ${p.note?.slice(0, 80)})`),
        String(p.calls),
        String(p.hubspotCalls),
        seed ? `${seed.calls ?? 'n/a'}${seed.outcome.startsWith('ok') ? '' : ' (failed)'}${/duplicates/.test(seed.note ?? '') ? ' (duplicates)' : ''}` : r.seed?.available ? '-' : 'no seed',
        `${p.latencyMs} ms`,
        `${p.floorMs} ms`,
        `${p.overheadPct > 0 ? '+' : ''}${p.overheadPct}%`,
      ]);
    }
  }
  out.push(table(['action', 'path', 'calls', 'HubSpot calls', 'seed calls', 'latency', 'floor', 'vs floor'], pathRows));
  out.push('', `### Scale: enrollments against ${RATE_LIMIT.max} HubSpot requests / ${RATE_LIMIT.windowMs / 1000} s rolling, ${CONCURRENCY} concurrent runs, virtual clock`, '');
  out.push(
    table(
      ['action', 'enrollments', 'simulated', 'rate floor', 'vs floor', 'HubSpot calls', '429s', 're-runs', 'lost', 'duplicates', '> 20 s runs', 'real time'],
      results.map((r) =>
        r.scale
          ? [
              r.action,
              `${r.scale.enrollments} (${r.scale.distinctBy})`,
              `${r.scale.simulatedSeconds} s`,
              `${r.scale.floorSeconds} s`,
              `${r.scale.overFloorPct > 0 ? '+' : ''}${r.scale.overFloorPct}%`,
              String(r.scale.hubspotCalls),
              String(r.scale.refused429),
              String(r.scale.reruns),
              String(r.scale.lost),
              `${r.scale.duplicates}${r.scale.duplicateKinds ? ` (${r.scale.duplicateKinds})` : ''}`,
              String(r.scale.overBudgetRuns),
              `${r.scale.realSeconds} s`,
            ]
          : [r.action, r.skipped ?? (SCALE ? 'skipped' : 'BENCH_SCALE=0'), '', '', '', '', '', '', '', '', '', ''],
      ),
    ),
  );
  const seedNotes = results
    .filter((r) => r.seed?.note)
    .flatMap((r) => [`- **${r.action}** (bench/seed/${r.seed?.file}): ${r.seed?.note}`, ...(r.seed?.paths ?? []).map((p) => `  - ${p.path}: ${p.calls} calls, ${(p.note ?? p.outcome).replace(/\s+/g, ' ')}`)]);
  if (seedNotes.length) out.push('', '### Seed runs (same fakes, same paths)', '', ...seedNotes);
  return out.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  const build = await buildScripts();
  const actions = listActions();
  const results: ActionResultRow[] = [];
  for (const name of actions) {
    process.stderr.write(`bench: ${name}…\n`);
    results.push(await benchAction(name, build));
  }
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8')) as { commit: string };
  const meta = { node: process.version, timestamp: new Date().toISOString(), commit: manifest.commit, cpus: (await import('node:os')).availableParallelism() };
  const text = render(results, meta);
  console.log(text);
  console.log(`\nbench took ${round((performance.now() - started) / 1000)} s`);
  const settings = { coldSamples: COLD_SAMPLES, callLatencyMs: CALL_LATENCY_MS, enrollments: N, concurrency: CONCURRENCY, rateLimit: RATE_LIMIT, naiveBundle: 'bundleAction(name, { extra: { external: [] } }): SHARED_OPTIONS (not minified) with nothing external' };
  writeFileSync(path.join(ROOT, 'bench', 'results.json'), `${JSON.stringify({ ...meta, settings, actions: results }, null, 2)}\n`);
  const readme = path.join(ROOT, 'bench', 'README.md');
  if (existsSync(readme)) {
    const current = readFileSync(readme, 'utf8');
    const updated = current.replace(/<!-- RESULTS:START -->[\s\S]*<!-- RESULTS:END -->/, `<!-- RESULTS:START -->\n${text}\n<!-- RESULTS:END -->`);
    writeFileSync(readme, updated);
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
