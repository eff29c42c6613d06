import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { harnessCommand, readSecrets, secretNamesReadBy } from '../../scripts/harness';

/** `npm run harness`, run as npm runs it (child processes), plus the pure helpers it is made of. */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'harness-cli-'));
const harness = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/harness.ts', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '', ...env } });
const SAMPLE = 'test/harness-file/samples/hubspot-client-email-domain.js';

describe('replaying our actions', () => {
  it('a wrong case name lists the action\'s cases (exit 2), instead of a raw ENOENT', () => {
    const result = harness(['signup-onboarding', 'no-such-case']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('signup-onboarding has no fixture "no-such-case"');
    expect(result.stderr).toMatch(/Its cases:\n {2}\S+/);
    expect(result.stderr).toContain('  new-contact-new-company');
    expect(result.stderr).not.toContain('ENOENT');
  });

  it('an unknown action names the known ones (exit 2)', () => {
    const result = harness(['no-such-action']);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/unknown action "no-such-action"; actions: .*signup-onboarding/);
  });

  it('an action with no fixtures is an error, not "0 passed, 0 failed"', async () => {
    const errors: string[] = [];
    const logs: string[] = [];
    vi.spyOn(console, 'error').mockImplementation((line: string) => void errors.push(line));
    vi.spyOn(console, 'log').mockImplementation((line: string) => void logs.push(line));
    const code = await harnessCommand(['fresh-action'], { listActions: () => ['fresh-action'], listFixtures: () => [] });
    expect(code).toBe(1);
    expect(errors.join('\n')).toMatch(/fresh-action has no fixtures in test\/actions\/fresh-action\/fixtures\/: make them with `npm run fixtures -- fresh-action`/);
    expect(logs.join('\n')).toContain('0 passed, 1 failed');
  });

  it('--record fails loudly, writing nothing, when the live run fails (here: no secret anywhere)', () => {
    const event = path.join(scratch, 'event.json');
    writeFileSync(event, JSON.stringify({ object: { objectId: '1', objectType: 'CONTACT' }, inputFields: { email: 'a@example.com' } }));
    const empty = path.join(scratch, 'empty.env');
    writeFileSync(empty, '# no secrets here\n');
    const result = harness(['signup-onboarding', 'never-written', '--record', '--event', event, '--secrets', empty]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/not recorded: the live run ended with status=error, error_code=MISSING_SECRET/);
    expect(result.stderr).toContain(`secrets not found in the environment or ${empty}: HUBSPOT_ACCESS_TOKEN`);
    expect(result.stderr).toContain('No fixture written.');
    expect(existsSync(path.join(ROOT, 'test', 'actions', 'signup-onboarding', 'fixtures', 'never-written.json'))).toBe(false);
  });
});

describe('readSecrets', () => {
  const envFile = path.join(scratch, 'secrets.env');
  writeFileSync(envFile, 'A_TOKEN=from-file\nB_KEY="b-from-file"\n');

  it('takes each secret from the environment first, then the file', () => {
    expect(readSecrets(['A_TOKEN', 'B_KEY', 'C_MISSING'], { file: envFile, env: { A_TOKEN: 'from-env' } })).toEqual({ A_TOKEN: 'from-env', B_KEY: 'b-from-file' });
  });

  it('a secret set only in the environment is found (it used to be dropped, leaving a fixture that cannot replay)', () => {
    expect(readSecrets(['HUBSPOT_ACCESS_TOKEN'], { file: envFile, env: { HUBSPOT_ACCESS_TOKEN: 'pat-env' } })).toEqual({ HUBSPOT_ACCESS_TOKEN: 'pat-env' });
  });

  it('"all" takes every key of the file', () => {
    expect(readSecrets('all', { file: envFile, env: {} })).toEqual({ A_TOKEN: 'from-file', B_KEY: 'b-from-file' });
  });

  it('the secrets a file reads are the process.env names in it', () => {
    expect(secretNamesReadBy("const a = process.env.HUBSPOT_ACCESS_TOKEN; const b = process.env['SHOP_KEY']; process.env.HUBSPOT_ACCESS_TOKEN")).toEqual(['HUBSPOT_ACCESS_TOKEN', 'SHOP_KEY']);
  });
});

describe('--file', () => {
  it('replays a hand-written @hubspot/api-client action: PASS, outputs, calls, time and memory (exit 0)', () => {
    const result = harness(['--file', SAMPLE, '--fixture', 'test/harness-file/fixtures/hubspot-client-email-domain.ok.json']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^PASS test\/harness-file\/samples\/hubspot-client-email-domain\.js — replay of .*\(@hubspot\/api-client v10, Node v24\./);
    expect(result.stdout).toContain('outputs (via callback): {"email_domain":"example.com"}');
    expect(result.stdout).toContain('PATCH https://api.hubapi.com/crm/v3/objects/contacts/101 → 200');
    expect(result.stdout).toMatch(/time: \d+ ms of 20 s · heap added by the run: [\d.]+ MB \(process peak [\d.]+ MB of 128 MB\)/);
  });

  it('paths are taken from where the user typed them (npm keeps it in INIT_CWD), not the package root', () => {
    const result = harness(['--file', 'samples/hubspot-client-email-domain.js', '--fixture', 'fixtures/hubspot-client-email-domain.ok.json'], { INIT_CWD: path.join(ROOT, 'test', 'harness-file') });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^PASS /);
  });

  it('shows what HubSpot does with a 5xx: re-runs the action', () => {
    const result = harness(['--file', SAMPLE, '--fixture', 'test/harness-file/fixtures/hubspot-client-email-domain.server-error.json', '--client', 'latest']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('(@hubspot/api-client latest');
    expect(result.stdout).toContain('→ HubSpot re-runs the action (status 502; for up to 3 days)');
  });

  it('a fixture the file does not match fails (exit 1)', () => {
    const result = harness(['--file', SAMPLE, '--fixture', 'test/harness-file/fixtures/axios-clearbit-title.ok.json']);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/^FAIL /);
    expect(result.stdout).toContain('the fixture holds no recorded answer for this call');
  });

  it.each([
    [['--file', SAMPLE], /--file needs --event <event.json>/],
    [['--file', SAMPLE, '--event', 'x.json', '--fixture', 'y.json', '--record'], /pass one of them/],
    [['--file', SAMPLE, '--fixture', 'y.json', '--client', 'v11'], /--client v11: use v10 .* or latest/],
    [['--file', 'no-such.js', '--event', 'x.json'], /--file \S*no-such.js: no such file/],
    [['--file', SAMPLE, '--event', 'x.json', '--record', 'out.json'], /unexpected argument out.json with --file \(to name the recording: --out out.json\)/],
  ])('%j is a usage error (exit 2)', (args, message) => {
    const result = harness(args);
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('--file --record', () => {
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ ok: req.headers['x-api-key'] === 'env-only-secret-value-123456' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** spawn (not spawnSync): this process must keep serving while the child calls it. */
  const harnessAsync = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/harness.ts', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c: Buffer) => (stdout += c));
      child.stderr.on('data', (c: Buffer) => (stderr += c));
      child.on('exit', (status) => resolve({ status, stdout, stderr }));
    });

  it('reads a secret set only in the environment, records it redacted, and the recording replays', async () => {
    const file = path.join(scratch, 'live.js');
    writeFileSync(file, `const axios = require('axios');\nexports.main = async () => { const r = await axios.get('${base}/check', { headers: { 'x-api-key': process.env.MY_API_KEY } }); return { outputFields: { ok: String(r.data.ok) } }; };\n`);
    const event = path.join(scratch, 'live-event.json');
    writeFileSync(event, JSON.stringify({ object: { objectId: '5', objectType: 'CONTACT' }, inputFields: {} }));
    const out = path.join(scratch, 'live.fixture.json');
    const recorded = await harnessAsync(['--file', file, '--event', event, '--record', '--out', out], { MY_API_KEY: 'env-only-secret-value-123456' });
    expect(recorded.status, recorded.stderr + recorded.stdout).toBe(0);
    expect(recorded.stdout).toContain('outputs (returned): {"ok":"true"}');
    const fixture = JSON.parse(readFileSync(out, 'utf8'));
    expect(Object.keys(fixture.secrets)).toEqual(['MY_API_KEY']);
    expect(JSON.stringify(fixture)).not.toContain('env-only-secret-value-123456');
    const replay = harness(['--file', file, '--fixture', out]);
    expect(replay.status, replay.stdout).toBe(0);
  });
});
