/**
 * The benchmark (issues 8 and 15): what each action costs in HubSpot's runtime, next to the original snippets this
 * project replaces. `npm run bench -- --help` lists the options.
 *
 * Per action: bytes (shipped vs naive bundle vs the original snippet bundled with its SDKs), cold load (fresh Node
 * processes, sandboxed require), API calls and latency per path (stateful fakes, 150 ms per call), a
 * 1,000-enrollment rate-limit simulation on a virtual clock with an SVG chart, and the original snippet for the same
 * integration against the same fakes. Writes bench/out/ (git-ignored); `--update` also writes the committed
 * bench/results.json, bench/charts/ and the table in bench/README.md. Exits non-zero when a shipped bundle's cold
 * load regresses past LOAD_LIMITS: ratios to an empty bundle's and to @hubspot/api-client's load, measured in the
 * same rounds (issue 23 §4: an absolute 5 ms failed on every loaded machine; a ratio cancels the machine out).
 *
 * Installs bench/package.json's SDKs (only when bench/node_modules does not match its lockfile) and builds dist/
 * itself, after the arguments are parsed: `--help` installs nothing.
 */
// First: the command line sets the BENCH_* settings that the modules below read when they load.
import { UPDATE } from './bench/cli';
import { readdirSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { EMPTY_MODULE, HUBSPOT_CLIENT, LOAD_LIMITS, ROOT, loadProblems, buildScripts, emptyBundle, loadRatio, measureBytes, measureColdLoads, measureSeedBytes, round, type BundleSizes, type ColdLoad, type ColdLoads } from './bench/bundles';
import { buildDist, ensureBenchPackages } from './bench/prepare';
import { CALL_LATENCY_MS, loadScenarios, measurePaths, type PathMeasure } from './bench/enrollments';
import { scaleChart } from './bench/chart';
import { CONCURRENCY, ENROLLMENTS, PACING, QUICKBOOKS_LIMIT, QUICKBOOKS_MINUTE_LIMIT, RATE_LIMIT, SEARCH_LAG_MS, SEARCH_LIMIT, simulateScale, type ScaleHook, type ScaleResult } from './bench/scale';
import { SCALE_HOOKS } from './bench/scale-hooks';
import { runSeed, type SeedMeasure } from './bench/seed';


const OUT = path.join(ROOT, 'bench', 'out');
const COLD_SAMPLES = Number(process.env.BENCH_COLD_SAMPLES ?? 15);
const N = Number(process.env.BENCH_ENROLLMENTS ?? ENROLLMENTS);
const SCALE = process.env.BENCH_SCALE !== '0';
const ONLY = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean);

interface ActionResultRow {
  action: string;
  bytes: BundleSizes & { ratio: number };
  coldLoad: { shipped: ColdLoad; naive: ColdLoad; vsEmpty: number; vsHubSpotClient: number };
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

/** Progress on stderr, so a slow stage is visible while it runs. */
function stage(action: string, what: string): void {
  process.stderr.write(`bench: ${action}: ${what}…\n`);
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

async function benchAction(name: string, build: Awaited<ReturnType<typeof buildScripts>>, sizes: BundleSizes, loads: ColdLoads): Promise<ActionResultRow> {
  const row: ActionResultRow = {
    action: name,
    bytes: { ...sizes, ratio: round(sizes.naiveBytes / sizes.shippedBytes, 2) },
    coldLoad: {
      shipped: loads.stats[`${name} shipped`] as ColdLoad,
      naive: loads.stats[`${name} naive`] as ColdLoad,
      vsEmpty: loadRatio(loads, `${name} shipped`, EMPTY_MODULE),
      vsHubSpotClient: loadRatio(loads, `${name} shipped`, HUBSPOT_CLIENT),
    },
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
  stage(name, 'calls and latency per path');
  row.paths = await measurePaths(scenarios);
  if (SCALE) {
    stage(name, `rate-limit simulation (${N} enrollments)`);
    const mod = (await import(pathToFileURL(path.join(ROOT, 'test', 'actions', name, 'scenarios.ts')).href)) as { scale?: ScaleHook };
    row.scale = await simulateScale(scenarios, mod.scale ?? SCALE_HOOKS[name], N);
  }
  stage(name, 'the original snippet');
  row.seed = await runSeed(name, scenarios);
  if (row.seed.file) row.seedBytes = await measureSeedBytes(row.seed.file, build.build);
  return row;
}

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => (c ?? '').padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(head), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}

function render(results: ActionResultRow[], meta: { node: string; timestamp: string; build: string; cpus: number }, baselines: { empty: ColdLoad; client: ColdLoad }): string {
  const out: string[] = [];
  out.push(`Node ${meta.node} · ${meta.timestamp} · build ${meta.build} · ${meta.cpus} CPUs`);
  out.push('', '### Bytes and cold load', '');
  out.push(
    `Cold loads are measured in ${COLD_SAMPLES} interleaved rounds (one fresh process per load): an empty bundle ${baselines.empty.medianMs} ms, ` +
      `\`require('@hubspot/api-client')\` ${baselines.client.medianMs} ms (medians). The ratios, median over rounds, are what the bench checks: ` +
      `at most ${LOAD_LIMITS[HUBSPOT_CLIENT]}× the client and ${LOAD_LIMITS[EMPTY_MODULE]}× the empty bundle.`,
    '',
  );
  out.push(
    table(
      ['action', 'shipped', 'naive (external: [])', 'naive minified', 'ratio', `cold load shipped median/max (n=${COLD_SAMPLES})`, '× empty bundle', '× @hubspot/api-client', 'cold load naive median/max', 'original snippet bundled with its SDKs (min.)'],
      results.map((r) => [
        r.action,
        kb(r.bytes.shippedBytes),
        kb(r.bytes.naiveBytes),
        kb(r.bytes.naiveMinifiedBytes),
        `1/${r.bytes.ratio}`,
        `${r.coldLoad.shipped.medianMs} / ${r.coldLoad.shipped.maxMs} ms`,
        `${r.coldLoad.vsEmpty}×${r.coldLoad.vsEmpty > LOAD_LIMITS[EMPTY_MODULE] ? ' (OVER)' : ''}`,
        `${r.coldLoad.vsHubSpotClient}×${r.coldLoad.vsHubSpotClient > LOAD_LIMITS[HUBSPOT_CLIENT] ? ' (OVER)' : ''}`,
        `${r.coldLoad.naive.medianMs} / ${r.coldLoad.naive.maxMs} ms`,
        r.seedBytes?.bytes ? `${kb(r.seedBytes.bytes)} (${kb(r.seedBytes.minifiedBytes ?? 0)})` : r.seedBytes?.error ? `n/a: ${r.seedBytes.error.slice(0, 60)}` : 'none',
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
        seed ? `${seed.calls ?? 'n/a'}${seed.outcome.startsWith('ok') ? '' : ' (failed)'}${/duplicates/.test(seed.note ?? '') ? ' (duplicates)' : ''}` : r.seed?.available ? '-' : 'none',
        `${p.latencyMs} ms`,
        `${p.floorMs} ms`,
        `${p.overheadPct > 0 ? '+' : ''}${p.overheadPct}%`,
      ]);
    }
  }
  out.push(table(['action', 'path', 'calls', 'HubSpot calls', 'original snippet calls', 'latency', 'floor', 'vs floor'], pathRows));
  out.push(
    '',
    `### Scale: ${N} enrollments, ${CONCURRENCY} containers, HubSpot ${RATE_LIMIT.max} requests / ${RATE_LIMIT.windowMs / 1000} s rolling (BENCH_BURST), search ${SEARCH_LIMIT.max} / s, QuickBooks ${QUICKBOOKS_LIMIT.max} / s and ${QUICKBOOKS_MINUTE_LIMIT.max} / min per realm, pacing ${PACING ? 'on' : 'off (BENCH_PACING=0)'}, virtual clock`,
    '',
  );
  out.push(
    table(
      ['action', 'enrollments', 'simulated', 'rate floor (set by)', 'vs floor', 'HubSpot calls (search)', '429s (by limit)', 're-runs', 'lost', 'duplicates', '> 20 s runs', 'real time', 'chart'],
      results.map((r) =>
        r.scale
          ? [
              r.action,
              `${r.scale.enrollments} (${r.scale.distinctBy})`,
              `${r.scale.simulatedSeconds} s`,
              `${r.scale.floorSeconds} s (${r.scale.floorBy})`,
              `${r.scale.overFloorPct > 0 ? '+' : ''}${r.scale.overFloorPct}%`,
              `${r.scale.hubspotCalls} (${r.scale.searchCalls})${r.scale.quickbooksCalls ? ` + QuickBooks ${r.scale.quickbooksCalls}` : ''}`,
              `${r.scale.refused429}${r.scale.refused429 ? ` (${Object.entries(r.scale.refusedBy).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}`,
              String(r.scale.reruns),
              String(r.scale.lost),
              `${r.scale.duplicates}${r.scale.duplicateKinds ? ` (${r.scale.duplicateKinds})` : ''}`,
              String(r.scale.overBudgetRuns),
              `${r.scale.realSeconds} s`,
              `[svg](charts/${r.action}.svg)`,
            ]
          : [r.action, r.skipped ?? (SCALE ? 'skipped' : 'BENCH_SCALE=0'), '', '', '', '', '', '', '', '', '', '', ''],
      ),
    ),
  );
  const charts = results.filter((r) => r.scale).map((r) => `![${r.action}: requests per second against the limits](charts/${r.action}.svg)`);
  if (charts.length) out.push('', ...charts);
  const seedNotes = results
    .filter((r) => r.seed?.note)
    .flatMap((r) => [`- **${r.action}** (bench/original/${r.seed?.file}): ${r.seed?.note}`, ...(r.seed?.paths ?? []).map((p) => `  - ${p.path}: ${p.calls} calls, ${(p.note ?? p.outcome).replace(/\s+/g, ' ')}`)]);
  if (seedNotes.length) out.push('', '### The original snippets, run (same fakes, same paths)', '', ...seedNotes);
  return out.join('\n');
}

async function main(): Promise<void> {
  const started = performance.now();
  ensureBenchPackages();
  buildDist();
  const build = await buildScripts();
  const actions = listActions();
  const sizes = new Map<string, BundleSizes>();
  for (const name of actions) sizes.set(name, await measureBytes(name, build.build));
  process.stderr.write(`bench: cold loads (${COLD_SAMPLES} interleaved rounds)…\n`);
  const loads = measureColdLoads(
    [
      { key: EMPTY_MODULE, kind: 'bundle', target: emptyBundle() },
      { key: HUBSPOT_CLIENT, kind: 'module', target: '@hubspot/api-client' },
      ...actions.flatMap((name) => [
        { key: `${name} shipped`, kind: 'bundle' as const, target: sizes.get(name)!.shippedFile },
        { key: `${name} naive`, kind: 'bundle' as const, target: sizes.get(name)!.naiveFile },
      ]),
    ],
    build.runtimeModules,
    COLD_SAMPLES,
  );
  const results: ActionResultRow[] = [];
  for (const name of actions) {
    process.stderr.write(`bench: ${name}…\n`);
    results.push(await benchAction(name, build, sizes.get(name)!, loads));
  }
  const manifest = JSON.parse(readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8')) as { build: string };
  const meta = { node: process.version, timestamp: new Date().toISOString(), build: manifest.build, cpus: (await import('node:os')).availableParallelism() };
  const baselines = { empty: loads.stats[EMPTY_MODULE] as ColdLoad, client: loads.stats[HUBSPOT_CLIENT] as ColdLoad };
  const text = render(results, meta, baselines);
  console.log(text);
  console.log(`\nbench took ${round((performance.now() - started) / 1000)} s`);
  const settings = {
    coldSamples: COLD_SAMPLES,
    loadLimits: LOAD_LIMITS,
    loadBaselines: baselines,
    callLatencyMs: CALL_LATENCY_MS,
    enrollments: N,
    concurrency: CONCURRENCY,
    rateLimit: RATE_LIMIT,
    searchLimit: SEARCH_LIMIT,
    searchLagMs: SEARCH_LAG_MS,
    quickbooksLimit: QUICKBOOKS_LIMIT,
    quickbooksMinuteLimit: QUICKBOOKS_MINUTE_LIMIT,
    pacing: PACING,
    naiveBundle: 'bundleAction(name, { extra: { external: [] } }): SHARED_OPTIONS (not minified) with nothing external',
  };
  // The per-request traffic is for the charts; the JSON keeps the totals.
  const json = `${JSON.stringify({ ...meta, settings, actions: results.map((r) => (r.scale ? { ...r, scale: { ...r.scale, traffic: undefined } } : r)) }, null, 2)}\n`;
  const write = (dir: string, withReadme: boolean) => {
    mkdirSync(path.join(dir, 'charts'), { recursive: true });
    writeFileSync(path.join(dir, 'results.json'), json);
    for (const r of results) if (r.scale) writeFileSync(path.join(dir, 'charts', `${r.action}.svg`), scaleChart(r.action, r.scale));
    if (!withReadme) return writeFileSync(path.join(dir, 'results.md'), `${text}\n`);
    const readme = path.join(dir, 'README.md');
    const current = readFileSync(readme, 'utf8');
    writeFileSync(readme, current.replace(/<!-- RESULTS:START -->[\s\S]*<!-- RESULTS:END -->/, `<!-- RESULTS:START -->\n${text}\n<!-- RESULTS:END -->`));
  };
  write(OUT, false);
  console.log(`\nwrote ${path.relative(ROOT, OUT)}/ (results.md, results.json, charts/)`);
  if (UPDATE) {
    write(path.join(ROOT, 'bench'), true);
    console.log('updated bench/README.md, bench/results.json, bench/charts/');
  }
  const problems = loadProblems(results);
  if (problems.length) {
    console.error(`bench check FAILED (cold load, median over ${COLD_SAMPLES} interleaved rounds):\n  ${problems.join('\n  ')}`);
    process.exitCode = 1;
  }
}

main().catch((error) => {
  console.error(`bench failed: ${(error as Error).stack ?? error}`);
  process.exit(1);
});
