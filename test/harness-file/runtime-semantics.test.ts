import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { probeFile } from '../../scripts/codemod/probe';
import type { Fixture } from '../../scripts/harness/fixture';
import { FixtureReplay } from '../../scripts/user-code/replay-match';
import { runActionFile, runUserCode } from '../../scripts/user-code/run-file';

/**
 * The runtime's semantics as HubSpot documents them
 * (https://developers.hubspot.com/docs/api-reference/legacy/automation/workflow-actions/upgrade-custom-code-actions-to-node-24):
 * Node 24 calls main(event) and settles on its return ("doesn't support callback-style handlers"); the old runtime
 * settled on callback(...) and, as Lambda does with callbackWaitsForEmptyEventLoop, kept running what was pending
 * until the event loop was empty.
 */
const scratch = mkdtempSync(path.join(tmpdir(), 'semantics-'));
const writeFile = (name: string, code: string) => {
  const file = path.join(scratch, name);
  writeFileSync(file, code);
  return file;
};
const EVENT = { object: { objectId: '1', objectType: 'CONTACT' }, inputFields: {} };
const ok = () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' });

describe('the old callback runtime: callback is read as it was', () => {
  it.each([
    ['callback({ outputFields })', 'callback({ outputFields: { a: "1" } });'],
    ['callback(null, { outputFields }) (Node-style)', 'callback(null, { outputFields: { a: "1" } });'],
  ])('%s → outputs', async (_, call) => {
    const file = writeFile('cb-ok.js', `exports.main = (event, callback) => { ${call} };`);
    const report = await runActionFile({ file, event: EVENT });
    expect(report).toMatchObject({ style: 'callback', model: 'callback', outputs: { a: '1' } });
    expect(report.error).toBeUndefined();
  });

  it('callback(err) (Node-style) is the error, with its status: a 503 is re-run by HubSpot', async () => {
    const file = writeFile('cb-err.js', 'exports.main = (event, callback) => { const e = new Error("Service Unavailable"); e.response = { status: 503 }; callback(e); };');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'thrown', status: 503, hubspotReruns: true });
  });

  it('verify reads callback(null, result) the same way (one runner)', async () => {
    const file = writeFile('cb-null.js', 'exports.main = (event, callback) => { callback(null, { outputFields: { a: "1" } }); };');
    const probe = await probeFile(file, { event: EVENT, secretNames: [] });
    expect(probe).toMatchObject({ outcome: 'returned', outputs: { a: '1' }, model: 'callback' });
  });

  it('work pending at callback keeps running until the event loop is empty, and is reported by line', async () => {
    const file = writeFile(
      'cb-pending.js',
      `const axios = require('axios');
exports.main = (event, callback) => {
  callback({ outputFields: { done: 'yes' } });
  setTimeout(() => axios.post('https://hooks.example.com/after'), 200);
};`,
    );
    const result = await runUserCode({ file, event: EVENT, env: {}, client: 'v10', timeoutMs: 5_000, mode: 'replay', answer: ok });
    expect(result).toMatchObject({ model: 'callback', style: 'callback', outputs: { done: 'yes' } });
    expect(result.error).toBeUndefined();
    // The old runtime waited for it: the call after the callback was made.
    expect(result.calls).toEqual([{ method: 'POST', url: 'https://hooks.example.com/after', status: 200, afterCallback: true }]);
    expect(result.pending).toEqual([expect.objectContaining({ line: 4, kinds: ['a timer'] })]);
  });

  it('an unhandled rejection after the callback fails the invocation (Lambda), so the outputs never reach HubSpot', async () => {
    const file = writeFile('cb-late-failure.js', 'exports.main = (event, callback) => {\n  callback({ outputFields: { a: "1" } });\n  setTimeout(() => Promise.reject(new Error("late failure")), 10);\n};');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'thrown', hubspotReruns: false });
    expect(report.error?.message).toMatch(/^after the callback \(with outputs \{"a":"1"\}\), while the old runtime waited for the event loop to empty: late failure — the invocation fails/);
  });

  it('work that never ends after the callback times the old runtime out, and says why', async () => {
    const file = writeFile('cb-forever.js', 'exports.main = (event, callback) => {\n  callback({ outputFields: {} });\n  setInterval(() => {}, 100);\n};');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 1_000 });
    expect(report.error).toMatchObject({ kind: 'timeout' });
    expect(report.error?.message).toMatch(/^called back after \d+ ms, but the old runtime waits for the event loop to empty .*still pending: line 3 \(a timer\)/);
  });
});

describe('Node 24: one-parameter handlers settle on return', () => {
  it('returns at once; an unawaited call is pending work, named by line (lost on Node 24)', async () => {
    const file = writeFile(
      'n24-pending.js',
      `const axios = require('axios');
exports.main = async (event) => {
  const contactId = event.object.objectId;
  axios.post('https://hooks.example.com/notify', { contactId }).then(() => console.log('notified'));
  return { outputFields: { contactId } };
};`,
    );
    const result = await runUserCode({ file, event: EVENT, env: {}, client: 'v10', timeoutMs: 5_000, mode: 'replay', answer: ok });
    expect(result).toMatchObject({ model: 'node24', style: 'return', outputs: { contactId: '1' } });
    expect(result.pending).toEqual([expect.objectContaining({ line: 4, kinds: ['a promise'], code: expect.stringContaining("axios.post('https://hooks.example.com/notify'") })]);
  });

  it('verify: a one-parameter main that returns nothing settles on return (no 20 s "timeout")', async () => {
    const file = writeFile('n24-nothing.js', 'exports.main = async (event) => { console.log(event.object.objectId); };');
    const probe = await probeFile(file, { event: EVENT, secretNames: [], timeoutMs: 10_000 });
    expect(probe.outcome).toBe('returned');
    expect(probe.model).toBe('node24');
  });
});

describe('errors point at the user\'s file', () => {
  it('a syntax error shows file:line:column', async () => {
    const file = writeFile('syntax.js', 'exports.main = async (event) => {\n  const x = ;\n  return { outputFields: {} };\n};\n');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.error).toMatchObject({ kind: 'load', name: 'SyntaxError', location: { line: 2 } });
    expect(report.error?.frames?.[0]).toContain(`${file}:2`);
  });

  it('a throw shows the user\'s frames only (not the runner\'s), with line and column', async () => {
    const file = writeFile('throws.js', 'function parseAmount(value) {\n  if (!value) throw new TypeError("amount missing");\n}\nexports.main = async (event) => {\n  parseAmount(event.inputFields.amount);\n  return { outputFields: {} };\n};\n');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.error).toMatchObject({ kind: 'thrown', name: 'TypeError', message: 'amount missing', location: { line: 2, column: 21 } });
    expect(report.error?.frames).toEqual([`at parseAmount (${file}:2:21)`, `at exports.main (${file}:5:3)`]);
  });
});

describe('replay: a call the fixture does not hold', () => {
  const fixtureFile = path.join(scratch, 'list.fixture.json');
  const fixture: Fixture = {
    description: 'one recorded list call',
    event: EVENT,
    secrets: {},
    interactions: [{ request: { method: 'GET', url: 'https://api.example.com/v1/items?limit=10&archived=false' }, response: { status: 200, body: { results: [] } } }],
    expect: { outputFields: { count: 0 } },
  };
  writeFileSync(fixtureFile, JSON.stringify(fixture));

  it('says "no recorded response matches GET …" with the difference, never a re-run verdict', async () => {
    const file = writeFile('list.js', "const axios = require('axios');\nexports.main = async () => {\n  const r = await axios.get('https://api.example.com/v1/items', { params: { limit: 20, archived: false } });\n  return { outputFields: { count: r.data.results.length } };\n};\n");
    const report = await runActionFile({ file, fixture: fixtureFile });
    const miss = 'no recorded response matches GET https://api.example.com/v1/items?limit=20&archived=false; closest recorded: GET https://api.example.com/v1/items?limit=10&archived=false (query differs — limit: recorded "10", sent "20")';
    expect(report.problems).toContain(miss);
    expect(report.error).toMatchObject({ hubspotReruns: false, hubspotAction: `not judged: the run met a call the fixture does not hold — ${miss}` });
    expect(report.calls).toEqual([{ method: 'GET', url: 'https://api.example.com/v1/items?limit=20&archived=false', status: 'NO MATCH' }]);
  });
});

describe('fixtures replay across @hubspot/api-client versions', () => {
  const recorded = (url: string): Fixture => ({ description: '', event: EVENT, secrets: {}, interactions: [{ request: { method: 'GET', url }, response: { status: 200, body: {} } }], expect: { outputFields: {} } });
  it.each([
    ['recorded with the latest (repeated properties=), replayed by v10 (properties=a,b)', 'https://api.hubapi.com/crm/v3/objects/contacts/1?properties=email&properties=phone', 'https://api.hubapi.com/crm/v3/objects/contacts/1?properties=email%2Cphone'],
    ['recorded with v10, replayed by the latest', 'https://api.hubapi.com/crm/v3/objects/contacts/1?properties=email%2Cphone', 'https://api.hubapi.com/crm/v3/objects/contacts/1?properties=phone&properties=email'],
  ])('%s', (_, recordedUrl, sentUrl) => {
    expect(new FixtureReplay(recorded(recordedUrl)).answer('GET', sentUrl, undefined)).toMatchObject({ status: 200 });
  });

  it('a different value is still a miss', () => {
    expect(new FixtureReplay(recorded('https://api.hubapi.com/crm/v3/objects/contacts/1?properties=email')).answer('GET', 'https://api.hubapi.com/crm/v3/objects/contacts/1?properties=phone', undefined)).toEqual({
      refuse: 'no recorded response matches GET https://api.hubapi.com/crm/v3/objects/contacts/1?properties=phone; closest recorded: GET https://api.hubapi.com/crm/v3/objects/contacts/1?properties=email (query differs — properties: recorded "email", sent "phone")',
    });
  });
});

describe('throws end the run on either runtime', () => {
  it('a callback-style main that throws before calling back fails at once, even with work pending', async () => {
    const file = writeFile('cb-throws.js', 'exports.main = async (event, callback) => {\n  setInterval(() => {}, 100);\n  throw Object.assign(new Error("Too Many Requests"), { response: { status: 429 } });\n};');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 3_000 });
    expect(report.error).toMatchObject({ kind: 'thrown', status: 429, hubspotReruns: true, location: { line: 3 } });
  });
});
