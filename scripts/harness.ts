/**
 * Runs an action locally against a recorded fixture, the way HubSpot would run it.
 *
 *   npm run harness -- <action> [case]          run from TypeScript source
 *   npm run harness -- <action> [case] --bundle run the built dist/<action>.js in the runtime sandbox
 *   npm run harness -- --all [--bundle]         replay every fixture of every action
 *   npm run harness -- <action> <new-case> --record --event event.json
 *                                               run live with credentials from .env, save a redacted fixture
 *
 * Prints outputs, log lines, each HTTP call, the duration against HubSpot's 20 s and the peak memory against
 * 128 MB. Exits non-zero when an outcome differs from the fixture's expectation.
 */
import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import nock from 'nock';
import { clearModuleCaches } from '../lib/module-cache';
import { invoke, type Main, type RunReport } from './harness/invoke';
import { compareOutcome, fixtureDir, fixtureFromRecording, interceptFixture, listFixtures, readFixture, ROOT, type Fixture, type RecordedCall } from './harness/fixture';

const require = createRequire(import.meta.url);
const { loadBundle, defaultRuntimeModules } = require('./sandbox.cjs');

import { MEMORY_LIMIT_MB, TIME_LIMIT_MS } from './harness/invoke';

async function loadMain(action: string, bundle: boolean): Promise<Main> {
  if (bundle) {
    const file = path.join(ROOT, 'dist', `${action}.js`);
    if (!existsSync(file)) throw new Error(`dist/${action}.js not found: run \`npm run build\` first`);
    const { RUNTIME_MODULES } = await import('./runtime-modules.mjs');
    return loadBundle(file, { runtimeModules: defaultRuntimeModules(RUNTIME_MODULES, ROOT), resolveFrom: ROOT }).exports.main;
  }
  clearModuleCaches();
  const mod = await import(path.join(ROOT, 'actions', action, 'index.ts'));
  return mod.main as Main;
}

async function replay(action: string, name: string, bundle: boolean, verbose: boolean): Promise<boolean> {
  const fixture = readFixture(action, name);
  const main = await loadMain(action, bundle);
  const intercept = interceptFixture(fixture);
  let report: RunReport;
  try {
    report = await invoke(main, fixture.event, fixture.secrets);
  } finally {
    intercept.done();
  }
  const problems = compareOutcome(fixture, report);
  const unused = intercept.pending();
  if (unused.length) problems.push(`recorded calls never made: ${unused.join(', ')}`);
  const ok = problems.length === 0;
  console.log(`\n${ok ? 'PASS' : 'FAIL'} ${action}/${name}${bundle ? ' (bundle)' : ''} — ${fixture.description}`);
  if (verbose || !ok) {
    console.log('  outputs:', report.outputFields ? JSON.stringify(report.outputFields) : `threw (status ${report.thrownStatus}): ${report.thrownMessage}`);
    console.log('  logs:');
    for (const line of report.logs) console.log(`    ${line}`);
  }
  console.log('  http:');
  for (const c of intercept.calls) console.log(`    ${c.method} ${c.url} → ${c.status}`);
  console.log(`  time: ${report.ms.toFixed(0)} ms of ${TIME_LIMIT_MS / 1000} s · peak heap added by the run: ${report.peakMb.toFixed(1)} MB of ${MEMORY_LIMIT_MB} MB`);
  for (const p of problems) console.log(`  ✗ ${p}`);
  return ok;
}

function readDotEnv(): Record<string, string> {
  const file = path.join(ROOT, '.env');
  if (!existsSync(file)) return {};
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    const m = /^\s*([A-Z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (m?.[1]) out[m[1]] = (m[2] ?? '').replace(/^(['"])(.*)\1$/, '$2');
  }
  return out;
}

async function record(action: string, name: string, eventFile: string): Promise<boolean> {
  const mod = await import(path.join(ROOT, 'actions', action, 'index.ts'));
  const env = readDotEnv();
  const secrets = Object.fromEntries(Object.keys(mod.action.definition.secrets).filter((k) => env[k]).map((k) => [k, env[k] as string]));
  const event = JSON.parse(readFileSync(eventFile, 'utf8'));
  nock.recorder.rec({ output_objects: true, dont_print: true, enable_reqheaders_recording: false });
  let report: RunReport;
  try {
    report = await invoke(mod.main, event, secrets);
  } finally {
    nock.restore();
  }
  const recorded = nock.recorder.play() as unknown as RecordedCall[];
  nock.recorder.clear();
  const fixture: Fixture = fixtureFromRecording({
    description: `recorded live run of ${action}`,
    event,
    secrets,
    recorded,
    outcome: report.thrownStatus !== undefined ? { throws: { status: report.thrownStatus } } : { outputFields: report.outputFields ?? {} },
  });
  mkdirSync(fixtureDir(action), { recursive: true });
  const file = path.join(fixtureDir(action), `${name}.json`);
  writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
  console.log(`recorded ${recorded.length} calls into ${path.relative(ROOT, file)} (secrets and tokens redacted)`);
  return true;
}

async function cli(argv: string[]): Promise<number> {
  const flags = new Set(argv.filter((a) => a.startsWith('--')));
  const positional = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--event');
  const bundle = flags.has('--bundle');
  if (flags.has('--record')) {
    const eventIndex = argv.indexOf('--event');
    const [action, name] = positional;
    if (!action || !name || eventIndex < 0 || !argv[eventIndex + 1]) {
      console.error('usage: npm run harness -- <action> <new-case> --record --event <event.json>   (credentials from .env)');
      return 2;
    }
    return (await record(action, name, argv[eventIndex + 1] as string)) ? 0 : 1;
  }
  const { listActions } = await import('./build.mjs');
  const actions: string[] = flags.has('--all') ? listActions() : positional.slice(0, 1);
  if (!actions.length) {
    console.error('usage: npm run harness -- <action> [case] [--bundle] | --all [--bundle]');
    console.error(`actions: ${listActions().join(', ')}`);
    return 2;
  }
  let failed = 0;
  let total = 0;
  for (const action of actions) {
    if (!listActions().includes(action)) {
      console.error(`unknown action "${action}"; actions: ${listActions().join(', ')}`);
      return 2;
    }
    const cases = !flags.has('--all') && positional[1] ? [positional[1]] : listFixtures(action);
    for (const name of cases) {
      total += 1;
      if (!(await replay(action, name, bundle, !flags.has('--all')))) failed += 1;
    }
  }
  console.log(`\n${total - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

cli(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(`harness: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
