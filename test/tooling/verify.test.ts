import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { verifyFile, type VerifyReport } from '../../scripts/codemod/verify';
import { verifyCommand } from '../../scripts/verify';
import { listActions } from '../../scripts/build.mjs';

/**
 * npm run verify: static checks with a line each, plus a sandboxed run in which every HTTP call is answered 503.
 * Golden reports of the sample actions live in test/samples/custom-code/expected/*.verify.json (regenerate with
 * UPDATE_GOLDEN=1 and read them before committing). Our own bundles must pass with no error.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLES = path.join(ROOT, 'test', 'samples', 'custom-code');
const EXPECTED = path.join(SAMPLES, 'expected');
const SAMPLE_NAMES = ['callback-hubspot-client', 'callback-axios', 'promise-chain', 'search-then-create', 'swallowed-error', 'secret-logging', 'unsafe-callback'];
const scratch = mkdtempSync(path.join(tmpdir(), 'verify-test-'));

/** The report without what varies from run to run (time) or machine to machine (absolute paths). */
function stable(report: VerifyReport): unknown {
  const { run, file, ...rest } = report;
  const { ms: _ms, ...runRest } = run ?? ({} as NonNullable<VerifyReport['run']>);
  return { file: path.relative(ROOT, file), ...rest, ...(run ? { run: runRest } : {}) };
}

function golden(name: string, actual: string): void {
  const file = path.join(EXPECTED, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function snippet(name: string, code: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, code);
  return file;
}

const rules = (report: VerifyReport, severity?: string) => report.findings.filter((f) => !severity || f.severity === severity).map((f) => `${f.rule}@${f.line}`);

describe('golden verify reports of the sample actions (fixture events, every call answered 503)', () => {
  it.each(SAMPLE_NAMES)('%s', async (name) => {
    const fixture = path.join(SAMPLES, 'fixtures', `${name}.json`);
    const given = existsSync(fixture) ? (JSON.parse(readFileSync(fixture, 'utf8')) as { event: object; secrets: Record<string, string> }) : undefined;
    const report = await verifyFile(path.join(SAMPLES, `${name}.js`), given ? { event: given.event, secrets: given.secrets } : {});
    golden(`${name}.verify.json`, `${JSON.stringify(stable(report), null, 2)}\n`);
  }, 30_000);
});

describe('what the samples show', () => {
  it('swallowed-error: flagged statically at the catch, and by the run (503 yet outputs)', async () => {
    const report = await verifyFile(path.join(SAMPLES, 'swallowed-error.js'));
    expect(report.ok).toBe(false);
    expect(rules(report, 'error')).toEqual(expect.arrayContaining(['callback-style@6', 'swallowed-error@9', 'swallowed-error@0']));
    expect(report.run).toMatchObject({ outcome: 'returned', outputs: { notified: true } });
    expect(report.run?.calls).toEqual([{ method: 'POST', url: expect.stringMatching(/^https:\/\/probe\.verify\.example\//), status: 503 }]);
  });

  it('secret-logging: both console lines, and the values seen in the run logs', async () => {
    const report = await verifyFile(path.join(SAMPLES, 'secret-logging.js'));
    expect(rules(report, 'error')).toEqual(expect.arrayContaining(['secret-logged@5', 'secret-logged@6', 'secret-logged@0']));
    expect(report.secrets.uses.map((u) => u.name)).toEqual(['HUBSPOT_ACCESS_TOKEN', 'WEBHOOK_SECRET']);
  });

  it('search-then-create: the create of a company after a search, and the unbounded page loop', async () => {
    const report = await verifyFile(path.join(SAMPLES, 'search-then-create.js'), { staticOnly: true });
    const finding = report.findings.find((f) => f.rule === 'search-then-create');
    expect(finding).toMatchObject({ severity: 'error', line: 19, message: expect.stringMatching(/line 10\b.*create the company twice/), fix: expect.stringMatching(/batch\/upsert.*idProperty/) });
    expect(rules(report)).toContain('unbounded-pagination@25');
    expect(report.outputs).toEqual([
      { name: 'company_id', types: ['unknown'], lines: [31] },
      { name: 'deal_count', types: ['number'], lines: [31] },
    ]);
  });
});

describe('our bundles pass verify with no error', () => {
  if (!existsSync(path.join(ROOT, 'dist', 'manifest.json'))) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--quiet'], { cwd: ROOT });
  const bundles = readdirSync(path.join(ROOT, 'dist')).filter((f) => f.endsWith('.js'));
  // One bundle per actions/<name>/index.ts, however many there are: a new action needs no edit here (issue 23 §3).
  it('there is one per action', () => expect(bundles.map((f) => f.replace(/\.js$/, ''))).toEqual(listActions()));
  it.each(bundles)('%s', async (bundle) => {
    const action = bundle.replace(/\.js$/, '');
    const fixtures = path.join(ROOT, 'test', 'actions', action, 'fixtures');
    // A fixture of a successful run: its event gets past input validation to the API calls.
    const cases = readdirSync(fixtures).filter((f) => f.endsWith('.json')).sort().map((f) => JSON.parse(readFileSync(path.join(fixtures, f), 'utf8')) as { event: object; secrets: Record<string, string>; interactions: unknown[]; expect: { outputFields?: { status?: string } } });
    const { event, secrets } = cases.find((c) => c.interactions.length > 0 && c.expect.outputFields?.status === 'ok')!;
    const report = await verifyFile(path.join(ROOT, 'dist', bundle), { event, secrets });
    expect(report.findings.filter((f) => f.severity === 'error')).toEqual([]);
    expect(report.secrets.fits).toBe(true);
    expect(report.secrets.uses.map((u) => u.name)).toContain('HUBSPOT_ACCESS_TOKEN');
    expect(report.outputs.map((o) => o.name)).toEqual(expect.arrayContaining(['status', 'error_code']));
    // The run reached HubSpot or the vendor, got 503s, and the bundle threw so HubSpot re-runs it.
    expect(report.run?.calls.length).toBeGreaterThan(0);
    expect(report.run).toMatchObject({ outcome: 'threw', hubspotReruns: true });
  }, 30_000);
});

describe('static checks, one at a time', () => {
  it.each([
    ['no exports.main', 'module.exports = {};\n', 'no-main@1'],
    ['a path without a return', "exports.main = async (event) => {\n  if (event.a) return { outputFields: {} };\n  console.log('x');\n};\n", 'missing-return@4'],
    ['a bare return', 'exports.main = async (event) => {\n  if (event.a) return;\n  return { outputFields: {} };\n};\n', 'missing-return@2'],
    ['callback style', 'exports.main = (event, callback) => {\n  callback({ outputFields: {} });\n};\n', 'callback-style@1'],
    ['a secret in an output', 'exports.main = async () => ({ outputFields: { key: process.env.API_KEY } });\n', 'secret-in-output@1'],
    ['a secret over budget', 'exports.main = async () => {\n  const k = process.env.SIGNING_PRIVATE_KEY;\n  return { outputFields: { ok: Boolean(k) } };\n};\n', 'secret-budget@2'],
    ['a .catch that swallows', "const axios = require('axios');\nexports.main = async () => {\n  await axios.get('https://x.example', { timeout: 5000 }).catch((e) => console.log(e.message));\n  return { outputFields: {} };\n};\n", 'swallowed-error@3'],
    ['search then create of deals via fetch', "exports.main = async () => {\n  const h = { signal: AbortSignal.timeout(5000), method: 'POST' };\n  await fetch('https://api.hubapi.com/crm/v3/objects/deals/search', { ...h, method: 'POST', signal: AbortSignal.timeout(5000) });\n  await fetch('https://api.hubapi.com/crm/v3/objects/deals', { method: 'POST', signal: AbortSignal.timeout(5000) });\n  return { outputFields: {} };\n};\n", 'search-then-create@4'],
  ])('%s → error', async (_name, code, expected) => {
    const report = await verifyFile(snippet(`${_name.replace(/\W+/g, '-')}.js`, code), { staticOnly: true });
    expect(rules(report, 'error')).toContain(expected);
    expect(report.ok).toBe(false);
  });

  it.each([
    ['axios without a timeout', "const axios = require('axios');\nexports.main = async () => {\n  await axios.post('https://x.example', {});\n  return { outputFields: {} };\n};\n", 'no-timeout@3'],
    ['fetch without a signal', "exports.main = async () => {\n  await fetch('https://x.example');\n  return { outputFields: {} };\n};\n", 'no-timeout@2'],
    ['@hubspot/api-client with retries', "const hubspot = require('@hubspot/api-client');\nconst c = new hubspot.Client({ accessToken: 'x', numberOfApiCallRetries: 3 });\nexports.main = async () => ({ outputFields: {} });\n", 'client-retries@2'],
    ['an unbounded while (after)', "exports.main = async () => {\n  let after = '0';\n  while (after) {\n    const r = await fetch('https://x.example?after=' + after, { signal: AbortSignal.timeout(5000) }).then((x) => x.json());\n    after = r.paging?.next?.after;\n  }\n  return { outputFields: {} };\n};\n", 'unbounded-pagination@3'],
    ['an output with two types', 'exports.main = async (event) => {\n  if (event.a) return { outputFields: { n: 1 } };\n  return { outputFields: { n: "1" } };\n};\n', 'output-type@2'],
  ])('%s → warning', async (_name, code, expected) => {
    const report = await verifyFile(snippet(`${_name.replace(/\W+/g, '-')}.js`, code), { staticOnly: true });
    expect(rules(report, 'warning')).toContain(expected);
  });

  it('a bounded page loop, a timeout under 20 s and a re-throwing catch pass clean', async () => {
    const code = "const axios = require('axios');\nexports.main = async () => {\n  let after;\n  for (let page = 0; page < 10; page++) {\n    try {\n      const r = await axios.get('https://x.example', { params: { after }, timeout: 5000 });\n      after = r.data.paging?.next?.after;\n    } catch (e) {\n      if (e.response?.status === 429 || e.response?.status >= 500) throw e;\n      return { outputFields: { status: 'error' } };\n    }\n    if (!after) break;\n  }\n  return { outputFields: { status: 'ok' } };\n};\n";
    const report = await verifyFile(snippet('clean.js', code), { staticOnly: true });
    expect(report.findings).toEqual([]);
    expect(report.outputs).toEqual([{ name: 'status', types: ['string'], lines: [10, 14] }]);
  });

  it('lists every process.env read with its typical length and the total against 1,000', async () => {
    const code = "exports.main = async () => {\n  const { STRIPE_SECRET_KEY } = process.env;\n  const hook = process.env['SLACK_WEBHOOK_URL'];\n  return { outputFields: { a: Boolean(STRIPE_SECRET_KEY && hook), b: Boolean(process.env.MY_THING) } };\n};\n";
    const report = await verifyFile(snippet('env.js', code), { staticOnly: true });
    expect(report.secrets).toMatchObject({
      uses: [
        { name: 'STRIPE_SECRET_KEY', lines: [2], typicalLength: 107 },
        { name: 'SLACK_WEBHOOK_URL', lines: [3], typicalLength: 80 },
        { name: 'MY_THING', lines: [4], typicalLength: 40 },
      ],
      typicalTotal: 227,
      budget: 1000,
      fits: true,
    });
  });
});

describe('the run (every HTTP call answered 503)', () => {
  it('an error without a 429/5xx status is flagged: HubSpot would not re-run it', async () => {
    const code = "exports.main = async () => {\n  const r = await fetch('https://x.example', { signal: AbortSignal.timeout(5000) });\n  if (!r.ok) throw new Error('failed');\n  return { outputFields: {} };\n};\n";
    const report = await verifyFile(snippet('no-status.js', code));
    expect(report.run).toMatchObject({ outcome: 'threw', hubspotReruns: false });
    expect(rules(report, 'error')).toContain('retry-lost@0');
  });

  it('calling back twice is flagged', async () => {
    const code = 'exports.main = (event, callback) => {\n  callback({ outputFields: { a: 1 } });\n  callback({ outputFields: { a: 2 } });\n};\n';
    const report = await verifyFile(snippet('twice.js', code));
    expect(rules(report, 'error')).toContain('callback-twice@0');
  });

  it('a require HubSpot cannot resolve fails the load', async () => {
    const report = await verifyFile(path.join(SAMPLES, 'unsafe-callback.js'));
    expect(rules(report, 'error')).toEqual(expect.arrayContaining(['runtime-module@5', 'load@0']));
  });
});

describe('npm run verify (the command)', () => {
  it('--json prints the report and exits 1 on errors, 0 on a clean file', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await verifyCommand([path.join(SAMPLES, 'swallowed-error.js'), '--json'])).toBe(1);
    const printed = JSON.parse(String(log.mock.calls.at(-1)?.[0])) as VerifyReport;
    expect(printed.ok).toBe(false);
    expect(printed.counts.error).toBeGreaterThan(0);
    const clean = snippet('ok.js', 'exports.main = async (event) => ({ outputFields: { id: String(event.object.objectId) } });\n');
    expect(await verifyCommand([clean, '--json'])).toBe(0);
  });
});
