import { createServer, type Server } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RecordFailedError, runActionFile, type RuntimeClient } from '../../scripts/user-code/run-file';

/**
 * runActionFile runs files nobody in this project wrote: hand-written actions on HubSpot's pre-installed
 * @hubspot/api-client (callback style) and axios (return style), replaying fixtures shaped like the vendors'
 * documented answers. Each run is a real child process with a 128 MB heap, so these tests cost ~0.5 s each.
 */
const HERE = import.meta.dirname;
const sample = (name: string) => path.join(HERE, 'samples', `${name}.js`);
const fixture = (name: string) => path.join(HERE, 'fixtures', `${name}.json`);
const scratch = mkdtempSync(path.join(tmpdir(), 'run-file-'));
const writeFile = (name: string, code: string) => {
  const file = path.join(scratch, name);
  writeFileSync(file, code);
  return file;
};
const EVENT = { object: { objectId: '1', objectType: 'CONTACT' }, inputFields: {} };

describe.each<RuntimeClient>(['v10', 'latest'])('a hand-written @hubspot/api-client action (callback style), client %s', (client) => {
  it('replays the happy path: outputs from the callback, both calls, the log line', async () => {
    const report = await runActionFile({ file: sample('hubspot-client-email-domain'), fixture: fixture('hubspot-client-email-domain.ok'), client });
    expect(report.problems).toEqual([]);
    expect(report.style).toBe('callback');
    expect(report.outputs).toEqual({ email_domain: 'example.com' });
    expect(report.calls.map((c) => `${c.method} ${c.status}`)).toEqual(['GET 200', 'PATCH 200']);
    expect(report.logs).toContain('contact 101: domain example.com');
    expect(report.nodeVersion).toMatch(/^v24\./);
    expect(report.ms).toBeLessThan(report.timeLimitMs);
    expect(report.memoryMb).toBeGreaterThan(0);
    expect(report.heapPeakMb).toBeLessThan(report.heapLimitMb);
  });

  it('a 429 from HubSpot is thrown with its status: HubSpot re-runs the action', async () => {
    const report = await runActionFile({ file: sample('hubspot-client-email-domain'), fixture: fixture('hubspot-client-email-domain.rate-limited'), client });
    expect(report.problems).toEqual([]);
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'thrown', status: 429, hubspotReruns: true });
    expect(report.error?.hubspotAction).toMatch(/^HubSpot re-runs the action/);
  });

  it('a 502 on the write is thrown with its status: HubSpot re-runs the action', async () => {
    const report = await runActionFile({ file: sample('hubspot-client-email-domain'), fixture: fixture('hubspot-client-email-domain.server-error'), client });
    expect(report.problems).toEqual([]);
    expect(report.error).toMatchObject({ status: 502, hubspotReruns: true });
    expect(report.calls.map((c) => c.status)).toEqual([200, 502]);
  });
});

describe('a hand-written axios action (return style)', () => {
  it.each([
    ['ok', { job_title: 'Founder and CEO', found: 'true' }],
    ['not-found', { job_title: '', found: 'false' }],
  ])('replays %s: outputs from the returned value', async (name, outputs) => {
    const report = await runActionFile({ file: sample('axios-clearbit-title'), fixture: fixture(`axios-clearbit-title.${name}`) });
    expect(report.problems).toEqual([]);
    expect(report.style).toBe('return');
    expect(report.outputs).toEqual(outputs);
    expect(report.calls).toHaveLength(1);
  });

  it.each([
    ['rate-limited', 429, true],
    ['server-error', 503, true],
    ['unauthorized', 401, false],
  ])('%s: status %i, HubSpot re-runs it: %s', async (name, status, reruns) => {
    const report = await runActionFile({ file: sample('axios-clearbit-title'), fixture: fixture(`axios-clearbit-title.${name}`) });
    expect(report.problems).toEqual([]);
    expect(report.error).toMatchObject({ status, hubspotReruns: reruns });
    expect(report.error?.hubspotAction).toMatch(reruns ? /^HubSpot re-runs/ : /^HubSpot does not re-run the action: status 401/);
  });

  it('reports a mismatch with the fixture instead of passing it', async () => {
    const wrong = path.join(scratch, 'wrong-expectation.json');
    const original = JSON.parse(readFileSync(fixture('axios-clearbit-title.ok'), 'utf8'));
    writeFileSync(wrong, JSON.stringify({ ...original, expect: { outputFields: { job_title: 'CTO', found: 'true' } } }));
    const report = await runActionFile({ file: sample('axios-clearbit-title'), fixture: wrong });
    expect(report.problems).toEqual(['output job_title: expected "CTO", got "Founder and CEO"']);
  });
});

describe('the sandbox is HubSpot\'s runtime, not this repository', () => {
  it('only built-ins and the pre-installed modules resolve', async () => {
    const file = writeFile('needs-nock.js', "const nock = require('nock'); exports.main = async () => ({ outputFields: {} });");
    const report = await runActionFile({ file, event: EVENT });
    expect(report.error).toMatchObject({ kind: 'load', hubspotReruns: false });
    expect(report.error?.message).toMatch(/Cannot find module 'nock'.*pre-installed/);
  });

  it('lodash, axios and @hubspot/api-client resolve, as HubSpot pre-installs them', async () => {
    const file = writeFile('modules.js', "const _ = require('lodash'); const axios = require('axios'); const hubspot = require('@hubspot/api-client');\nexports.main = async () => ({ outputFields: { client: typeof hubspot.Client, get: typeof axios.get, chunks: _.chunk([1, 2, 3], 2).length } });");
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toEqual({ client: 'function', get: 'function', chunks: 2 });
  });

  it('secrets are environment variables — only those the file reads — and nothing else of ours is (not even PATH)', async () => {
    process.env.RUN_FILE_TEST_LEAK = 'must-not-reach-the-action';
    const file = writeFile('env.js', '// process.env.IN_A_COMMENT is not a read\nexports.main = async () => ({ outputFields: { keys: Object.keys(process.env).sort().join(","), key: process.env.MY_API_KEY } });');
    const report = await runActionFile({ file, event: EVENT, secrets: { MY_API_KEY: 'k-123', IN_A_COMMENT: 'c-456', UNUSED_DEPLOY_KEY: 'd-789' } });
    delete process.env.RUN_FILE_TEST_LEAK;
    expect(report.outputs).toEqual({ keys: 'MY_API_KEY', key: 'k-123' });
    expect(report.isolation.secretsGiven).toEqual(['MY_API_KEY']);
    expect(report.warnings).toContain('not handed to the file (it never reads them): IN_A_COMMENT, UNUSED_DEPLOY_KEY');
  });

  it('warns about a secret the file reads but was not given, and about HubSpot\'s 1,000-character secret budget', async () => {
    const file = writeFile('reads-secrets.js', 'exports.main = async () => ({ outputFields: { a: String(process.env.API_KEY), b: String(process.env["OTHER_SECRET"]) } });');
    const report = await runActionFile({ file, event: EVENT, secrets: { API_KEY: 'x'.repeat(1_001) } });
    expect(report.outputs).toEqual({ a: 'x'.repeat(1_001), b: 'undefined' });
    expect(report.warnings).toEqual([
      "the file reads process.env.OTHER_SECRET but no such secret was given: in HubSpot, add it under the action's Secrets",
      'the secrets total 1001 characters; HubSpot allows 1000 for all secret values of an account together',
    ]);
  });

  it('a callback-style main that returns without calling back says so (not "stopped after 20 s")', async () => {
    const file = writeFile('never.js', 'exports.main = (event, callback) => { console.log("waiting"); };');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 5_000 });
    expect(report.error).toMatchObject({ kind: 'no-answer', hubspotReruns: false });
    expect(report.error?.message).toMatch(/^main returned without calling callback/);
    expect(report.model).toBe('callback');
    expect(report.logs).toEqual(['waiting']);
  });

  it('a file that never answers, with work keeping it alive, stops at the time limit and says main returned without calling back', async () => {
    const file = writeFile('never-busy.js', 'exports.main = (event, callback) => { setInterval(() => {}, 50); };');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 1_000 });
    expect(report.error).toMatchObject({ kind: 'timeout', hubspotReruns: false });
    expect(report.error?.message).toMatch(/main returned after \d+ ms without calling callback, and no callback came within 1 s/);
  });

  it('a busy loop is killed shortly after the time limit, keeping the logs it wrote', async () => {
    const file = writeFile('busy.js', 'exports.main = async () => { console.log("spinning"); for (;;) {} };');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 300 });
    // Counted from the call to main, as HubSpot counts: the limit plus the kill's grace, however slow the start.
    expect(report.ms).toBeGreaterThanOrEqual(300);
    expect(report.ms).toBeLessThan(300 + 3_000);
    expect(report.error).toMatchObject({ kind: 'timeout' });
    expect(report.logs).toEqual(['spinning']);
  });

  it('a file that needs more than 128 MB of heap runs out of memory here, as it would in HubSpot', async () => {
    const file = writeFile('hungry.js', 'exports.main = async () => { const keep = []; for (;;) keep.push(new Array(1e5).fill({ a: Math.random() })); };');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.error).toMatchObject({ kind: 'out-of-memory', hubspotReruns: false });
  }, 30_000);
});

describe('recording a live run', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ seen: req.url, auth: req.headers.authorization === 'Bearer live-secret-value-1234567890' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const liveFile = () =>
    writeFile(
      'live.js',
      `const axios = require('axios');
exports.main = async (event) => {
  const r = await axios.get('${base}/lookup', { params: { email: event.inputFields.email }, headers: { authorization: 'Bearer ' + process.env.LIVE_TOKEN } });
  return { outputFields: { seen: r.data.seen, authorized: String(r.data.auth) } };
};`,
    );

  it('writes a fixture without the secret, and the fixture replays', async () => {
    const file = liveFile();
    const target = path.join(scratch, 'recorded.json');
    const event = { object: { objectId: '7', objectType: 'CONTACT' }, inputFields: { email: 'a@example.com' } };
    const report = await runActionFile({ file, event, secrets: { LIVE_TOKEN: 'live-secret-value-1234567890' }, record: target });
    expect(report.outputs).toEqual({ seen: '/lookup?email=a%40example.com', authorized: 'true' });
    expect(report.recorded).toEqual({ file: target, calls: 1 });
    const text = readFileSync(target, 'utf8');
    expect(text).not.toContain('live-secret-value-1234567890');
    const replay = await runActionFile({ file, fixture: target });
    expect(replay.problems).toEqual([]);
  });

  it('fails loudly, writing nothing, when the live run fails — and names the network cause', async () => {
    const file = writeFile('refused.js', "const axios = require('axios'); exports.main = async () => { await axios.get('http://127.0.0.1:1/x'); return { outputFields: {} }; };");
    const target = path.join(scratch, 'never-written.json');
    const error = await runActionFile({ file, event: EVENT, record: target }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RecordFailedError);
    expect((error as Error).message).toMatch(/not recorded: the live run failed: .*ECONNREFUSED.*connection refused.*no fixture written/s);
    expect(() => readFileSync(target)).toThrow(/ENOENT/);
  });
});
