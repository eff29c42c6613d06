import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { runFindings, verifyFile, type VerifyReport } from '../../scripts/codemod/verify';
import { verifyCommand } from '../../scripts/verify';
import { upgradeSource } from '../../scripts/codemod/upgrade';
import { listActions } from '../../scripts/build.mjs';

/**
 * npm run verify: static checks with a line each, plus a sandboxed run in which every HTTP call is answered 503.
 * Golden reports of the sample actions live in test/samples/custom-code/expected/*.verify.json (regenerate with
 * UPDATE_GOLDEN=1 and read them before committing). Our own bundles must pass with no error.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const SAMPLES = path.join(ROOT, 'test', 'samples', 'custom-code');
const EXPECTED = path.join(SAMPLES, 'expected');
const SAMPLE_NAMES = ['callback-hubspot-client', 'callback-axios', 'promise-chain', 'search-then-create', 'swallowed-error', 'secret-logging', 'unsafe-callback', 'api-key-client', 'fire-and-forget', 'nested-pending', 'placeholder-token', 'logged-errors', 'secret-in-query', 'create-then-call', 'get-with-body', 'search-per-owner', 'clean-no-outputs'];

/**
 * The hazards each sample really has (rule@line, errors and warnings), judged by reading the sample: verify's static
 * findings must be exactly these, so a missed hazard and a false alarm both fail. test/samples/custom-code/README.md
 * counts them.
 */
const PLANTED: Record<string, string[]> = {
  'callback-hubspot-client': ['callback-style@6', 'no-timeout@7'],
  'callback-axios': ['callback-style@6', 'no-timeout@17'],
  'promise-chain': ['callback-style@8'],
  'search-then-create': ['no-timeout@7', 'search-then-create@19', 'unbounded-pagination@25'],
  'swallowed-error': ['callback-style@6', 'swallowed-error@9'],
  'secret-logging': ['callback-style@3', 'secret-logged@5', 'secret-logged@6', 'no-timeout@8'],
  'unsafe-callback': ['runtime-module@5', 'callback-style@7', 'no-timeout@10'],
  'api-key-client': ['callback-style@7', 'api-key-auth@8', 'no-timeout@8', 'api-key-auth@11'],
  'fire-and-forget': ['callback-style@6', 'unawaited-promise@10'],
  'nested-pending': ['callback-style@8', 'unawaited-promise@12'],
  'placeholder-token': ['no-timeout@7', 'undeclared@7', 'undeclared@9'],
  'logged-errors': ['no-timeout@7', 'secret-logged@23', 'swallowed-error@23'],
  'secret-in-query': ['secret-in-url@8', 'secret-in-url@10'],
  'create-then-call': ['no-timeout@7', 'repeated-create@11', 'repeated-create@14'],
  'get-with-body': ['get-with-body@7', 'get-with-body@14'],
  'search-per-owner': ['no-timeout@5', 'call-per-item@11'],
  'clean-no-outputs': ['no-timeout@8'],
};
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

describe('the sample suite: verify reports exactly the hazards each sample has (no miss, no false alarm)', () => {
  it.each(SAMPLE_NAMES)('%s', async (name) => {
    const report = await verifyFile(path.join(SAMPLES, `${name}.js`), { staticOnly: true });
    const found = report.findings.filter((f) => f.severity !== 'info').map((f) => `${f.rule}@${f.line}`);
    expect(found.sort()).toEqual([...(PLANTED[name] ?? [])].sort());
  });
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

describe('issue 20 §3: no false positives', () => {
  const staticReport = (name: string, code: string) => verifyFile(snippet(name, code), { staticOnly: true });

  it('a handler that declares no outputs is not "missing-return", and upgrade says the same (one shared verdict)', async () => {
    const code = "const axios = require('axios');\nexports.main = async (event) => {\n  if (!event.inputFields.email) return;\n  await axios.post('https://hooks.example/x', { email: event.inputFields.email }, { timeout: 5000 });\n};\n";
    const report = await staticReport('no-outputs.js', code);
    expect(rules(report)).not.toEqual(expect.arrayContaining([expect.stringMatching(/^missing-return/)]));
    expect(report.handler).toEqual({ line: 2, style: 'return', outputs: 'none' });
    const upgraded = upgradeSource(code);
    expect(upgraded).toMatchObject({ status: 'already', outputs: 'none', findings: [] });
  });

  it('a handler that returns outputs on one path and falls off on another: verify errors, upgrade lists the same finding', async () => {
    const code = "exports.main = async (event) => {\n  if (event.inputFields.a) return { outputFields: { a: 1 } };\n  console.log('no a');\n};\n";
    const report = await staticReport('partial.js', code);
    expect(rules(report, 'error')).toEqual(['missing-return@4']);
    expect(upgradeSource(code)).toMatchObject({ status: 'already', outputs: 'partial', findings: [expect.objectContaining({ rule: 'missing-return', line: 4 })] });
  });

  it('the run of a handler without outputs ending with none is not "missing-return" either (one that declares outputs is)', () => {
    // The probe's verdict on one-parameter handlers is the runner's (issue 20 §2); this is verify's reading of it.
    const probe = { mainIsFunction: true, required: [], envRead: [], outcome: 'returned' as const, callbacks: 0, calls: [], secretsInLogs: [], logs: [], ms: 1 };
    expect(runFindings(probe, true).map((f) => f.rule)).not.toContain('missing-return');
    expect(runFindings(probe, false).map((f) => f.rule)).toContain('missing-return');
  });

  it('logging a caught @hubspot/api-client error is not "secret-logged" even when the file requires axios (ApiException has no request headers)', async () => {
    const code = "const axios = require('axios');\nconst hubspot = require('@hubspot/api-client');\nconst client = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });\nexports.main = async (event) => {\n  try {\n    await client.crm.contacts.basicApi.getById(event.object.objectId, ['email']);\n  } catch (err) {\n    console.error(err);\n    throw err;\n  }\n  await axios.post('https://hooks.example/x', {}, { timeout: 5000 }).catch((e) => { console.error(e); throw e; });\n  return { outputFields: {} };\n};\n";
    const report = await staticReport('api-exception-logged.js', code);
    expect(rules(report).filter((r) => r.startsWith('secret-logged'))).toEqual([]);
  });

  it('the ApiException really carries no request headers, and an AxiosError really prints its Authorization header', async () => {
    const { inspect } = await import('node:util');
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const { ApiException } = require('@hubspot/api-client/lib/codegen/crm/contacts/apis/exception.js');
    const apiError = new ApiException(503, 'unavailable', { message: 'x' }, { 'content-type': 'application/json' });
    const { AxiosError } = require('axios');
    const axiosError = new AxiosError('fail', 'ERR_BAD_RESPONSE', { url: 'https://x.example', headers: { Authorization: 'Bearer secret-value-123' } });
    expect(inspect(apiError)).not.toMatch(/Bearer|Authorization/);
    expect(inspect(axiosError)).toContain('secret-value-123');
  });

  it.each([
    ['getById(id, props, undefined, associations)', "c.crm.contacts.basicApi.getById(id, ['email'], undefined, ['companies'])"],
    ['getById(id, props, propertiesWithHistory)', "c.crm.contacts.basicApi.getById(id, ['email'], ['lifecyclestage'])"],
    ['getById with all six arguments', "c.crm.deals.basicApi.getById(id, ['amount'], undefined, ['companies'], false, 'hs_object_id')"],
    ['getPage(limit, after, props, undefined, associations)', "c.crm.deals.basicApi.getPage(10, undefined, ['amount'], undefined, ['companies'])"],
  ])('no getById/getPage arity warning on a call already in the current signature: %s', async (_name, call) => {
    const code = `const hubspot = require('@hubspot/api-client');\nconst c = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });\nexports.main = async (event) => {\n  const id = event.object.objectId;\n  await ${call};\n  return { outputFields: {} };\n};\n`;
    const report = await staticReport('get-by-id-current.js', code);
    expect(rules(report).filter((r) => r.startsWith('api-client-change'))).toEqual([]);
  });

  it.each([
    ['getById(id, props, [types])', "c.crm.contacts.basicApi.getById(id, ['email'], ['companies'])"],
    ['getById(id, props, associations, archived)', "c.crm.contacts.basicApi.getById(id, ['email'], assocTypes, false)"],
    ['getPage(limit, after, props, [types])', "c.crm.deals.basicApi.getPage(10, undefined, ['amount'], ['companies'])"],
  ])('still warns on a call written for the old signature: %s', async (_name, call) => {
    const code = `const hubspot = require('@hubspot/api-client');\nconst c = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });\nconst assocTypes = ['companies'];\nexports.main = async (event) => {\n  const id = event.object.objectId;\n  await ${call};\n  return { outputFields: {} };\n};\n`;
    const report = await staticReport('get-by-id-old.js', code);
    expect(rules(report, 'warning')).toContain('api-client-change@6');
  });
});

describe('issue 20 §3: hazards found', () => {
  const staticReport = (name: string, code: string) => verifyFile(snippet(name, code), { staticOnly: true });
  const find = (report: VerifyReport, rule: string) => report.findings.filter((f) => f.rule === rule);

  it('.catch(err => console.error(err)) on an axios call that sends the token: secret-logged (arrow form)', async () => {
    const code = "const axios = require('axios');\nexports.main = async (event) => {\n  const headers = { Authorization: `Bearer ${process.env.HUBSPOT_ACCESS_TOKEN}` };\n  const res = await axios\n    .get('https://api.hubapi.com/crm/v3/objects/contacts/1', { headers, timeout: 5000 })\n    .catch((err) => console.error(err));\n  return { outputFields: { ok: Boolean(res) } };\n};\n";
    const report = await staticReport('catch-arrow-logged.js', code);
    expect(find(report, 'secret-logged')).toEqual([expect.objectContaining({ severity: 'error', line: 6, message: expect.stringMatching(/process\.env\.HUBSPOT_ACCESS_TOKEN/) })]);
  });

  it('a catch clause logging an axios error whose request carries the token (through an axios.create instance)', async () => {
    const code = "const axios = require('axios');\nconst api = axios.create({ baseURL: 'https://api.example', timeout: 5000, headers: { 'X-Api-Key': process.env.VENDOR_KEY } });\nexports.main = async (event) => {\n  try {\n    await api.post('/orders', { id: event.object.objectId });\n  } catch (error) {\n    console.log('failed', { error });\n    throw error;\n  }\n  return { outputFields: {} };\n};\n";
    const report = await staticReport('catch-instance-logged.js', code);
    expect(find(report, 'secret-logged')).toEqual([expect.objectContaining({ line: 7, message: expect.stringMatching(/api's default headers/) })]);
  });
});

describe('issue 20 §3: each new hazard, and its look-alikes that are fine', () => {
  const staticRules = async (name: string, code: string) => rules(await verifyFile(snippet(name, code), { staticOnly: true }));
  const main = (body: string, head = "const axios = require('axios');\nconst hubspot = require('@hubspot/api-client');\nconst client = new hubspot.Client({ accessToken: process.env.HUBSPOT_ACCESS_TOKEN });\n") => `${head}exports.main = async (event) => {\n${body}\n  return { outputFields: {} };\n};\n`;

  it.each([
    ['an awaited call, and a promise kept in a variable and awaited later', "  await axios.put('https://x.example', {}, { timeout: 5000 });\n  const p = axios.get('https://x.example', { timeout: 5000 });\n  await p;"],
    ['a typeof test of an undeclared name, implicit globals, hoisting and Node globals', "  if (typeof LOCAL_ONLY !== 'undefined') console.log('set');\n  helper = () => 1;\n  console.log(helper(), Buffer.from('a'), URLSearchParams.name, __dirname, hoisted, later());\n  var hoisted = 1;\n  function later() { return hoisted; }\n  for (const [k, { v = hoisted }] of Object.entries({})) console.log(k, v);\n  try { JSON.parse('x'); } catch ({ message }) { console.log(message); }"],
    ['a loop over a short literal list, and a page loop (unbounded-pagination is its own rule)', "  for (const t of ['contacts', 'companies']) await client.crm.objects.basicApi.getPage(t, 1);"],
    ['a create as the last call of the run', "  await client.crm.contacts.basicApi.getById('1');\n  await client.crm.objects.notes.basicApi.create({ properties: {} });"],
    ['a batch update and a legacy createOrUpdate followed by more calls', "  await axios.post('https://api.hubapi.com/crm/v3/objects/deals/batch/update', { inputs: [] }, { timeout: 5000 });\n  await axios.post(`https://api.hubapi.com/contacts/v1/contact/createOrUpdate/email/${event.inputFields.email}`, {}, { timeout: 5000 });\n  await axios.get('https://x.example', { timeout: 5000 });"],
    ['a search POST followed by more calls', "  await axios.post('https://api.hubapi.com/crm/v3/objects/deals/search', {}, { timeout: 5000 });\n  await axios.get('https://x.example', { timeout: 5000 });"],
    ['a secret in a header, and a non-secret in the query', "  await axios.get(`https://x.example/?email=${event.inputFields.email}`, { headers: { Authorization: `Bearer ${process.env.T}` }, timeout: 5000 });"],
    ['a fetch and an axios call whose method is computed (our bundles\' one request function)', "  const req = { method: event.inputFields.method };\n  await fetch('https://x.example', { method: req.method, body: '{}', signal: AbortSignal.timeout(5000) });\n  await axios({ url: 'https://x.example', method: req.method, data: {}, timeout: 5000 });"],
    ['an axios GET with params, a POST fetch with a body (last)', "  await axios.get('https://x.example', { params: { q: 1 }, timeout: 5000 });\n  await fetch('https://x.example', { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });"],
    ['calls of the request library and https.request (callback and event APIs, not promises)', "  const request = require('request');\n  const https = require('https');\n  request.post({ url: 'https://x.example', json: {}, timeout: 5000 }, () => {});\n  https.get({ host: 'x.example', timeout: 5000 }, () => {});"],
  ])('none of the new rules fires on %s', async (_name, body) => {
    const found = await staticRules('look-alike.js', main(body));
    expect(found.filter((r) => /^(api-key-auth|secret-in-url|get-with-body|unawaited-promise|undeclared|repeated-create|call-per-item)@/.test(r))).toEqual([]);
  });

  it.each([
    ['api-key-auth', "  const c = new hubspot.Client({ apiKey: process.env.HAPIKEY });\n  await c.crm.contacts.basicApi.getById('1');", 'api-key-auth@5'],
    ['api-key-auth (params)', "  await axios.get('https://api.hubapi.com/crm/v3/owners', { params: { hapikey: process.env.HAPIKEY }, timeout: 5000 });", 'api-key-auth@5'],
    ['secret-in-url (concatenation)', "  await axios.get('https://x.example/v1?key=' + process.env.VENDOR_KEY, { timeout: 5000 });", 'secret-in-url@5'],
    ['get-with-body (apiRequest)', "  await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/contacts', body: { limit: 1 } });", 'get-with-body@5'],
    ['unawaited-promise (void)', "  void axios.post('https://x.example', {}, { timeout: 5000 });", 'unawaited-promise@5'],
    ['unawaited-promise (forEach async)', "  event.inputFields.ids.split(',').forEach(async (id) => {\n    await client.crm.contacts.basicApi.archive(id);\n  });", 'unawaited-promise@5'],
    ['unawaited-promise (a local async function)', "  notify(event);\n}\nasync function notify(e) {\n  await axios.post('https://x.example', e, { timeout: 5000 });", 'unawaited-promise@5'],
    ['undeclared (declared only in another function)', "  const id = event.object.objectId;\n  return { outputFields: { email: contact.properties.email, id } };\n}\nasync function load(id) {\n  const contact = await client.crm.contacts.basicApi.getById(id);\n  return contact;", 'undeclared@6'],
    ['undeclared (a let used outside its block)', "  if (event.inputFields.a) {\n    let label = 'a';\n  }\n  console.log(label);", 'undeclared@8'],
    ['call-per-item (map in Promise.all)', "  const ids = event.inputFields.ids.split(',');\n  await Promise.all(ids.map((id) => client.crm.contacts.basicApi.getById(id)));", 'call-per-item@6'],
    ['call-per-item (for over .length)', "  const ids = event.inputFields.ids.split(',');\n  for (let i = 0; i < ids.length; i++) await client.crm.contacts.basicApi.getById(ids[i]);", 'call-per-item@6'],
    ['repeated-create (fetch POST then another call)', "  await fetch('https://api.vendor.example/tickets', { method: 'POST', body: '{}', signal: AbortSignal.timeout(5000) });\n  await client.crm.contacts.basicApi.update('1', { properties: {} });", 'repeated-create@5'],
  ])('%s', async (_name, body, expected) => {
    expect(await staticRules('hazard.js', main(body))).toContain(expected);
  });
});
