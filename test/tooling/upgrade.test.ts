import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';
import { API_CLIENT_CHANGES, matchApiClientChange } from '../../scripts/codemod/api-client-changes';
import { unifiedDiff } from '../../scripts/codemod/diff';
import { upgradeSource } from '../../scripts/codemod/upgrade';
import { runActionFile } from '../../scripts/user-code/run-file';
import { formatUpgrade, upgradeCommand } from '../../scripts/upgrade';

/**
 * The Node 24 codemod (npm run upgrade). Sample actions written for these tests live in test/samples/custom-code/;
 * the expected diff and report of each is a golden file in test/samples/custom-code/expected/ (regenerate with
 * UPDATE_GOLDEN=1 and read the diff before committing). Each sample with a fixture also runs through the harness's
 * file mode before and after the upgrade.
 */
const SAMPLES = path.resolve(import.meta.dirname, '..', 'samples', 'custom-code');
const EXPECTED = path.join(SAMPLES, 'expected');
const SAMPLE_NAMES = ['callback-hubspot-client', 'callback-axios', 'promise-chain', 'search-then-create', 'swallowed-error', 'secret-logging', 'unsafe-callback', 'api-key-client', 'fire-and-forget', 'nested-pending', 'placeholder-token', 'logged-errors', 'secret-in-query', 'create-then-call', 'get-with-body', 'search-per-owner', 'clean-no-outputs'];
const scratch = mkdtempSync(path.join(tmpdir(), 'upgrade-test-'));

function golden(name: string, actual: string): void {
  const file = path.join(EXPECTED, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(EXPECTED, { recursive: true });
    writeFileSync(file, actual);
  }
  expect(existsSync(file), `${file} missing: run with UPDATE_GOLDEN=1`).toBe(true);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

function upgradeReport(name: string): string {
  const source = readFileSync(path.join(SAMPLES, `${name}.js`), 'utf8');
  const result = upgradeSource(source);
  const diff = unifiedDiff(source, result.code, `a/${name}.js`, `b/${name}.js`);
  return `${formatUpgrade(`${name}.js`, result, diff).join('\n')}\n`;
}

describe('golden upgrade reports of the sample actions', () => {
  it.each(SAMPLE_NAMES)('%s', (name) => {
    golden(`${name}.upgrade.txt`, upgradeReport(name));
  });
});

/** Upgrades a snippet wrapped in a handler and returns the new handler body (or the status when not rewritten). */
function up(source: string) {
  return upgradeSource(source);
}

describe('callback → return rewrites', () => {
  it.each([
    ['a terminal callback', 'exports.main = async (event, callback) => {\n  const x = 1;\n  callback({ outputFields: { x } });\n};\n', 'exports.main = async (event) => {\n  const x = 1;\n  return { outputFields: { x } };\n};\n'],
    ['an early return callback(...)', 'exports.main = async (event, cb) => {\n  if (!event.a) return cb({ outputFields: { a: 0 } });\n  cb({ outputFields: { a: 1 } });\n};\n', 'exports.main = async (event) => {\n  if (!event.a) return { outputFields: { a: 0 } };\n  return { outputFields: { a: 1 } };\n};\n'],
    ['callback(...); return; inside a branch', 'exports.main = async (event, callback) => {\n  if (event.a) {\n    callback({ outputFields: { a: 1 } });\n    return;\n  }\n  callback({ outputFields: { a: 2 } });\n};\n', 'exports.main = async (event) => {\n  if (event.a) {\n    return { outputFields: { a: 1 } };\n  }\n  return { outputFields: { a: 2 } };\n};\n'],
    ['callback(err) from a catch → throw', 'exports.main = async (event, callback) => {\n  try {\n    callback({ outputFields: await work() });\n  } catch (err) {\n    callback(err);\n  }\n};\n', 'exports.main = async (event) => {\n  try {\n    return { outputFields: await work() };\n  } catch (err) {\n    throw err;\n  }\n};\n'],
    ['a non-async function handler', 'exports.main = function (event, callback) {\n  callback({ outputFields: {} });\n};\n', 'exports.main = async function (event) {\n  return { outputFields: {} };\n};\n'],
    ['an arrow body .then(() => callback(...))', 'exports.main = (event, callback) => {\n  get().then((r) => callback({ outputFields: { r } }));\n};\n', 'exports.main = async (event) => {\n  return get().then((r) => ({ outputFields: { r } }));\n};\n'],
    ['an awaited chain', 'exports.main = async (event, callback) => {\n  await get().then((r) => {\n    callback({ outputFields: { r } });\n  });\n};\n', 'exports.main = async (event) => {\n  return await get().then((r) => {\n    return { outputFields: { r } };\n  });\n};\n'],
    ['a function declaration exported by name, comments kept', 'async function main(event, callback) {\n  // keep me\n  callback({ outputFields: {} }); // and me\n}\nexports.main = main;\n', 'async function main(event) {\n  // keep me\n  return { outputFields: {} }; // and me\n}\nexports.main = main;\n'],
    ['module.exports = { main }', 'module.exports = {\n  main(event, callback) {\n    callback({ outputFields: {} });\n  },\n};\n', 'module.exports = {\n  async main(event) {\n    return { outputFields: {} };\n  },\n};\n'],
  ])('%s', (_name, before, after) => {
    const result = up(before);
    expect(result.unsafe).toEqual([]);
    expect(result.status).toBe('rewritten');
    expect(result.code).toBe(after);
    // Running the codemod again changes nothing.
    expect(upgradeSource(result.code)).toMatchObject({ status: 'already', code: after });
  });

  it.each([
    ['code after the callback', 'exports.main = (event, callback) => {\n  callback({ outputFields: {} });\n  log();\n};\n', 2, /code after this callback/],
    ['a callback in setTimeout', 'exports.main = (event, callback) => {\n  setTimeout(() => callback({ outputFields: {} }), 1);\n};\n', 2, /setTimeout/],
    ['a callback in an event listener', "exports.main = (event, callback) => {\n  res.on('end', () => callback({ outputFields: {} }));\n};\n", 2, /\.on\(\)/],
    ['the callback passed on', 'exports.main = (event, callback) => {\n  helper(event, callback);\n};\n', 2, /passed on or stored/],
    ['a callback inside an expression', 'exports.main = (event, callback) => {\n  event.a && callback({ outputFields: {} });\n};\n', 2, /inside an expression/],
    ['a promise chain followed by more code', 'exports.main = (event, callback) => {\n  get().then(() => callback({ outputFields: {} }));\n  log();\n};\n', 2, /followed by code/],
  ])('leaves the handler alone and reports %s', (_name, source, line, reason) => {
    const result = up(source);
    expect(result.status).toBe('blocked');
    expect(result.code).toBe(source);
    expect(result.unsafe).toContainEqual({ line, reason: expect.stringMatching(reason) });
  });

  it('reports callback(null, result) as a behaviour change (HubSpot took the FIRST argument as the result)', () => {
    const result = up('exports.main = async (event, callback) => {\n  callback(null, { outputFields: { a: 1 } });\n};\n');
    expect(result.code).toContain('return { outputFields: { a: 1 } };');
    expect(result.notes).toEqual([{ line: 2, reason: expect.stringMatching(/handed HubSpot null/) }]);
  });

  it('keeps every byte outside the rewritten sites (formatting, comments, odd spacing)', () => {
    const source = readFileSync(path.join(SAMPLES, 'callback-hubspot-client.js'), 'utf8');
    const { code } = upgradeSource(source);
    const removed = source.split('\n').filter((l) => !code.split('\n').includes(l));
    // Only the handler line and the callback call lines change.
    expect(removed).toEqual(['exports.main = (event, callback) => {', '  hubspotClient.crm.contacts.basicApi', '      callback({', '      });']);
  });
});

describe('issue 20 §4: work pending at callback(), refusal reasons, error-first callbacks', () => {
  it('a promise started in main and left running at callback() is awaited where it starts, and said so', () => {
    const result = up("const axios = require('axios');\nexports.main = (event, callback) => {\n  axios.post('https://hooks.example/x', {}, { timeout: 5000 }).then(() => console.log('sent'));\n  void axios.put('https://hooks.example/y', {}, { timeout: 5000 });\n  callback({ outputFields: { ok: true } });\n};\n");
    expect(result.status).toBe('rewritten');
    expect(result.code).toBe("const axios = require('axios');\nexports.main = async (event) => {\n  await axios.post('https://hooks.example/x', {}, { timeout: 5000 }).then(() => console.log('sent'));\n  await axios.put('https://hooks.example/y', {}, { timeout: 5000 });\n  return { outputFields: { ok: true } };\n};\n");
    expect(result.notes).toEqual([
      { line: 3, reason: expect.stringMatching(/^axios\.post\(…\)\.then\(…\) was left running at callback\(\).*now awaited here/) },
      { line: 4, reason: expect.stringMatching(/^axios\.put\(…\) was left running/) },
    ]);
  });

  it('the fire-and-forget sample: never "ready" with an unreturned axios.post(...).then(...)', () => {
    const result = upgradeSource(readFileSync(path.join(SAMPLES, 'fire-and-forget.js'), 'utf8'));
    expect(result.status).toBe('rewritten');
    expect(result.code).toMatch(/await axios\n\s+\.post\(/);
    expect(result.notes).toEqual([{ line: 10, reason: expect.stringMatching(/left running at callback/) }]);
    expect(result.findings).toEqual([]);
  });

  it('a handler already in the return style with an unreturned axios.post(…).then(…) is not "ready": the line is listed to fix by hand', () => {
    const result = up("const axios = require('axios');\nexports.main = async (event) => {\n  axios.post('https://hooks.example/x', {}, { timeout: 5000 }).then(() => console.log('sent'));\n  return { outputFields: {} };\n};\n");
    expect(result.status).toBe('already');
    expect(result.findings).toEqual([expect.objectContaining({ rule: 'unawaited-promise', severity: 'error', line: 3 })]);
  });

  it.each([
    ['a request started inside a nested function', "const axios = require('axios');\nexports.main = (event, callback) => {\n  axios.get('https://x.example', { timeout: 5000 }).then((r) => {\n    axios.post('https://x.example/log', r.data, { timeout: 5000 });\n    callback({ outputFields: {} });\n  });\n};\n", 4, /axios\.post\(…\) is started inside a nested function and not returned/],
    ['requests started in a loop', "const axios = require('axios');\nexports.main = (event, callback) => {\n  for (const id of event.inputFields.ids.split(',')) {\n    axios.delete(`https://x.example/${id}`, { timeout: 5000 });\n  }\n  callback({ outputFields: {} });\n};\n", 4, /started in a loop and not awaited.*Promise\.all/],
    ['a timer', "exports.main = (event, callback) => {\n  setTimeout(() => console.log('later'), 1000);\n  callback({ outputFields: {} });\n};\n", 2, /setTimeout\(…\) schedules work/],
    ['a forEach(async …)', "const axios = require('axios');\nexports.main = async (event, callback) => {\n  event.inputFields.ids.split(',').forEach(async (id) => {\n    await axios.delete(`https://x.example/${id}`, { timeout: 5000 });\n  });\n  callback({ outputFields: {} });\n};\n", 3, /forEach\(async …\) starts promises it drops/],
  ])('refuses with the line and the reason: %s still running at callback()', (_name, source, line, reason) => {
    const result = up(source);
    expect(result.status).toBe('blocked');
    expect(result.code).toBe(source);
    expect(result.unsafe).toContainEqual({ line, reason: expect.stringMatching(reason) });
  });

  it.each([
    ['if (callback)', 'exports.main = (event, callback) => {\n  if (callback) {\n    callback({ outputFields: {} });\n  }\n};\n'],
    ["typeof callback === 'function'", "exports.main = (event, callback) => {\n  if (typeof callback === 'function') callback({ outputFields: {} });\n};\n"],
    ['callback && callback(…)', 'exports.main = (event, callback) => {\n  callback && callback({ outputFields: {} });\n};\n'],
  ])('%s is a test of the callback, not "passed on or stored"', (_name, source) => {
    const result = up(source);
    expect(result.status).toBe('blocked');
    expect(result.unsafe).toContainEqual({ line: 2, reason: expect.stringMatching(/is tested here.*HubSpot always passed a callback/) });
    expect(result.unsafe.map((u) => u.reason).join('\n')).not.toMatch(/passed on or stored/);
  });

  it('the nested-pending sample names both reasons with their lines', () => {
    const result = upgradeSource(readFileSync(path.join(SAMPLES, 'nested-pending.js'), 'utf8'));
    expect(result.status).toBe('blocked');
    expect(result.unsafe).toEqual([
      { line: 12, reason: expect.stringMatching(/^axios\.patch\(…\) is started inside a nested function/) },
      { line: 13, reason: expect.stringMatching(/^`callback` is tested here/) },
    ]);
  });

  it.each([
    ['callback(null, result) in a .then arrow', 'exports.main = (event, callback) => {\n  get().then((r) => callback(null, { outputFields: { r } }));\n};\n', 'exports.main = async (event) => {\n  return get().then((r) => ({ outputFields: { r } }));\n};\n'],
    ['callback(err) in a .catch arrow', 'exports.main = (event, callback) => {\n  return get().then((r) => callback({ outputFields: { r } })).catch((err) => callback(err));\n};\n', 'exports.main = async (event) => {\n  return get().then((r) => ({ outputFields: { r } })).catch((err) => { throw err; });\n};\n'],
    ['callback(new Error(…)) and callback(null, result) as statements', "exports.main = async (event, callback) => {\n  if (!event.inputFields.email) {\n    callback(new Error('email missing'));\n    return;\n  }\n  callback(null, { outputFields: { email: event.inputFields.email } });\n};\n", "exports.main = async (event) => {\n  if (!event.inputFields.email) {\n    throw new Error('email missing');\n  }\n  return { outputFields: { email: event.inputFields.email } };\n};\n"],
    ['callback(err, null) from a catch', 'exports.main = async (event, callback) => {\n  try {\n    callback({ outputFields: await work() });\n  } catch (e) {\n    callback(e, null);\n  }\n};\n', 'exports.main = async (event) => {\n  try {\n    return { outputFields: await work() };\n  } catch (e) {\n    throw e;\n  }\n};\n'],
  ])('error-first callbacks: %s', (_name, before, after) => {
    const result = up(before);
    expect(result.unsafe).toEqual([]);
    expect(result.code).toBe(after);
  });
});

describe('what the codemod reports as not changeable safely', () => {
  it.each([
    ["const moment = require('moment');\nexports.main = async () => ({ outputFields: { d: moment().format() } });\n", 'runtime-module', 1],
    ["const hubspot = require('@hubspot/api-client');\nconst client = new hubspot.Client({ accessToken: 'x' });\nexports.main = async (event) => {\n  await client.crm.contacts.associationsApi.create(event.object.objectId, 'companies', '1', 'contact_to_company');\n  return { outputFields: {} };\n};\n", 'api-client-change', 4],
    ["const hubspot = require('@hubspot/api-client');\nexports.main = async (event) => {\n  const client = new hubspot.Client({ accessToken: 'x' });\n  const r = await client.crm.contacts.basicApi.getById('1', ['email']);\n  return { outputFields: { email: r.body.properties.email } };\n};\n", 'api-client-change', 5],
    ["const axios = require('axios');\nexports.main = async () => {\n  try {\n    await axios.get('https://x.example', { timeout: 1000 });\n  } catch (e) {\n    console.log(e.message);\n  }\n  return { outputFields: {} };\n};\n", 'swallowed-error', 5],
    ['exports.main = async () => {\n  console.log(`token ${process.env.API_TOKEN}`);\n  return { outputFields: {} };\n};\n', 'secret-logged', 2],
  ])('%#: %s → %s at line %i', (source, rule, line) => {
    expect(upgradeSource(source).findings).toContainEqual(expect.objectContaining({ rule, line }));
  });

  it('does not report a catch that re-throws, nor a logged boolean about a secret', () => {
    const source = "const axios = require('axios');\nexports.main = async () => {\n  console.log('token set:', !!process.env.API_TOKEN);\n  try {\n    await axios.get('https://x.example', { timeout: 1000 });\n  } catch (e) {\n    if (e.response?.status === 429 || e.response?.status >= 500) throw e;\n  }\n  return { outputFields: {} };\n};\n";
    expect(upgradeSource(source).findings).toEqual([]);
  });
});

describe('@hubspot/api-client changes, checked against the two installed clients', () => {
  const require = createRequire(import.meta.url);
  const v10 = new (require('hubspot-api-client-v10').Client)({ accessToken: 'x' });
  const latest = new (require('@hubspot/api-client').Client)({ accessToken: 'x' });
  const at = (client: unknown, dotted: string) => dotted.split('.').reduce<any>((o, k) => o?.[k], client);
  const params = (fn: unknown) => /^[^(]*\(([^)]*)\)/.exec(String(fn))?.[1]?.split(',').map((p) => p.trim().replace(/\s*=.*/, '')) ?? [];

  it.each([
    ['crm.objects.associationsApi.create', 'api removed in 11.0.0'],
    ['crm.contacts.publicObjectApi.merge', 'moved to basicApi in 13.0.0'],
    ['crm.contacts.gdprApi.purge', 'moved to basicApi in 13.0.0'],
  ])('%s exists in 10.2.0 and is gone from the latest (%s), and the table flags it', (dotted) => {
    expect(typeof at(v10, dotted)).toBe('function');
    expect(at(latest, dotted)).toBeUndefined();
    expect(matchApiClientChange(dotted, 1)).toBeDefined();
  });

  it('merge() and purge() are on basicApi in the latest client, where the fixes send users', () => {
    expect(typeof latest.crm.contacts.basicApi.merge).toBe('function');
    expect(typeof latest.crm.contacts.basicApi.purge).toBe('function');
  });

  it('cards getById swapped its first two arguments after 10.2.0', () => {
    expect(params(v10.crm.extensions.cards.cardsApi.getById).slice(0, 2)).toEqual(['appId', 'cardId']);
    expect(params(latest.crm.extensions.cards.cardsApi.getById).slice(0, 2)).toEqual(['cardId', 'appId']);
  });

  it('basicApi.getById takes propertiesWithHistory third in both installed clients (the 6.0.0 change the table warns about)', () => {
    for (const client of [v10, latest]) expect(params(client.crm.contacts.basicApi.getById).slice(0, 4)).toEqual(['contactId', 'properties', 'propertiesWithHistory', 'associations']);
    expect(matchApiClientChange('crm.contacts.basicApi.getById', 3)?.since).toBe('6.0.0');
    expect(matchApiClientChange('crm.contacts.basicApi.getById', 2)).toBeUndefined();
  });

  it.each([
    ['10.2.0', v10],
    ['latest', latest],
  ])('apiRequest() of %s resolves to a fetch Response on a 500 instead of rejecting (what the apiRequest entry warns about)', async (_name, client) => {
    const nock = (await import('nock')).default;
    nock.disableNetConnect();
    nock('https://api.hubapi.com').get('/crm/v3/objects/contacts/1').reply(500, { message: 'boom' });
    try {
      const res = await client.apiRequest({ method: 'GET', path: '/crm/v3/objects/contacts/1' });
      expect(res.status).toBe(500);
      expect(res.ok).toBe(false);
      expect(await res.json()).toEqual({ message: 'boom' });
    } finally {
      nock.cleanAll();
      nock.enableNetConnect();
    }
    expect(matchApiClientChange('apiRequest', 1)?.what).toMatch(/fetch Response.*does not reject/);
  });

  it('flags `.body` on what a client call resolved to (the pre-6.0.0 { response, body } shape)', () => {
    const source = "const hubspot = require('@hubspot/api-client');\nconst client = new hubspot.Client({ accessToken: 'x' });\nexports.main = async (event) => {\n  return client.crm.deals.basicApi.getById(event.object.objectId, ['amount']).then((results) => ({ outputFields: { amount: results.body.properties.amount } }));\n};\n";
    expect(upgradeSource(source).findings).toContainEqual(expect.objectContaining({ rule: 'api-client-change', severity: 'error', line: 4, message: expect.stringMatching(/^results\.body/) }));
  });

  it('every entry names its version, a severity and a fix', () => {
    for (const change of API_CLIENT_CHANGES) expect(change).toMatchObject({ since: expect.any(String), severity: expect.stringMatching(/^(error|warning)$/), fix: expect.any(String) });
  });
});

describe('each sample through the harness before and after the upgrade', () => {
  const WITH_FIXTURES = ['callback-hubspot-client', 'callback-axios', 'promise-chain', 'search-then-create', 'swallowed-error', 'secret-logging'];
  it.each(WITH_FIXTURES)('%s', async (name) => {
    const file = path.join(SAMPLES, `${name}.js`);
    const fixture = path.join(SAMPLES, 'fixtures', `${name}.json`);
    const upgraded = path.join(scratch, `${name}.js`);
    writeFileSync(upgraded, upgradeSource(readFileSync(file, 'utf8')).code);
    const before = await runActionFile({ file, fixture });
    const after = await runActionFile({ file: upgraded, fixture });
    // After: returns its outputs (the Node 24 style) and replays the fixture exactly.
    expect(after.style).toBe('return');
    expect(after.problems).toEqual([]);
    expect(after.calls.map((c) => c.status)).toEqual(before.calls.map((c) => c.status));
    if (name === 'search-then-create') expect(before.style).toBe('return');
    else expect(before.style).toBe('callback');
    // promise-chain calls back Node-style, callback(null, result): the old runtime read it as the result (Lambda's
    // callback(error, result)), so before and after agree there too.
    expect(before.problems).toEqual([]);
    expect(after.outputs).toEqual(before.outputs);
  }, 30_000);

  it('unsafe-callback fails at load before (moment is not pre-installed) and is not rewritten', async () => {
    const file = path.join(SAMPLES, 'unsafe-callback.js');
    const report = await runActionFile({ file, event: { object: { objectId: '1', objectType: 'CONTACT' }, inputFields: { date: '2026-01-01' } } });
    expect(report.error?.message).toMatch(/moment/);
    expect(upgradeSource(readFileSync(file, 'utf8')).status).toBe('blocked');
  });
});

describe('npm run upgrade (the command)', () => {
  it('--write replaces the file and keeps the original as .bak; exit 0 when nothing is left to fix by hand', async () => {
    const file = path.join(scratch, 'write-me.js');
    const original = readFileSync(path.join(SAMPLES, 'callback-axios.js'), 'utf8');
    writeFileSync(file, original);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await upgradeCommand([file, '--write']);
    expect(code).toBe(0);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe(original);
    expect(readFileSync(file, 'utf8')).toBe(upgradeSource(original).code);
    expect(log.mock.calls.flat().join('\n')).toContain(`wrote ${file}`);
  });

  it('exits 1 and writes nothing when the handler cannot be rewritten safely', async () => {
    const file = path.join(scratch, 'blocked.js');
    const original = readFileSync(path.join(SAMPLES, 'unsafe-callback.js'), 'utf8');
    writeFileSync(file, original);
    vi.spyOn(console, 'log').mockImplementation(() => {});
    expect(await upgradeCommand([file, '--write'])).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(original);
    expect(existsSync(`${file}.bak`)).toBe(false);
  });

  it('--fixture runs the file before and after through the harness and prints both', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await upgradeCommand([path.join(SAMPLES, 'callback-hubspot-client.js'), '--fixture', path.join(SAMPLES, 'fixtures', 'callback-hubspot-client.json')]);
    const printed = log.mock.calls.flat().join('\n');
    expect(code).toBe(0);
    expect(printed).toMatch(/── before the upgrade[\s\S]*outputs \(via callback\)[\s\S]*── after the upgrade[\s\S]*PASS[\s\S]*outputs \(returned\)/);
  }, 30_000);
});
