import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run setup` / `npm run deploy` behind a proxy that accepts connections and never answers: each must fail
 * within its --timeout, name the likely cause, and exit — even with something left holding the event loop (a
 * socket the proxy never closes does exactly that; here a plain interval stands in for it). Real child processes,
 * bounded by a hard kill so a regression fails the test instead of hanging it.
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'exit-on-failure-'));

let silent: Server;
const sockets = new Set<Socket>();
let silentUrl = '';
beforeAll(async () => {
  silent = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as { port: number }).port}`;
});
afterAll(() => {
  for (const s of sockets) s.destroy();
  return new Promise<void>((resolve) => silent.close(() => resolve()));
});

function runCli(command: 'setup' | 'deploy', argv: string[], baseUrl: string, limitMs = 15_000): Promise<{ code: number | null; stderr: string; stdout: string; ms: number }> {
  const script = path.join(scratch, `${command}-${Math.random().toString(36).slice(2)}.mts`);
  const entry = command === 'setup' ? 'runSetupCli' : 'runDeployCli';
  writeFileSync(
    script,
    `import { ${entry} } from ${JSON.stringify(path.join(ROOT, 'scripts', `${command}.ts`))};
setInterval(() => {}, 1_000); // a leftover handle, like a socket a silent proxy never closes
${entry}(${JSON.stringify(argv)}, { baseUrl: ${JSON.stringify(baseUrl)}, env: { HUBSPOT_ACCESS_TOKEN: 'pat-na1-00000000-0000-0000-0000-000000000000' }, envFile: ${JSON.stringify(path.join(scratch, 'none.env'))} });
`,
  );
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c));
  child.stderr.on('data', (c: Buffer) => (stderr += c));
  const killer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return new Promise((resolve) =>
    child.on('exit', (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    }),
  );
}

describe('setup and deploy exit promptly when HubSpot cannot be reached', () => {
  it('setup: a proxy that never answers → "could not reach HubSpot", the likely cause, exit 1, no hang', async () => {
    const result = await runCli('setup', ['--timeout', '0.5'], silentUrl);
    expect(result.code, result.stderr).toBe(1);
    expect(result.ms).toBeLessThan(12_000);
    expect(result.stderr).toMatch(/setup failed — could not reach HubSpot: .*no response \(ABORTED\)/);
    expect(result.stderr).toMatch(/likely cause \(ABORTED\): connected, but no answer came in time — a silent proxy/);
    expect(result.stderr).not.toContain('pat-na1-');
  }, 20_000);

  it('deploy: a proxy that never answers is a failure to reach HubSpot, not "deploy refused"', async () => {
    const result = await runCli('deploy', ['signup-onboarding', '--flow', '42', '--timeout', '0.5'], silentUrl);
    expect(result.code, result.stderr).toBe(1);
    expect(result.ms).toBeLessThan(12_000);
    expect(result.stderr).toMatch(/deploy failed — could not reach HubSpot/);
    expect(result.stderr).not.toMatch(/deploy refused/);
  }, 20_000);

  it('deploy: nothing listening → the cause says connection refused, the verdict still is not "deploy refused"', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as { port: number }).port}`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await runCli('deploy', ['signup-onboarding', '--flow', '42', '--timeout', '0.5'], url);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/deploy failed — could not reach HubSpot: .*\n\s+likely cause \(ECONNREFUSED\): connection refused/);
    expect(result.stderr).not.toMatch(/deploy refused/);
  }, 20_000);
});
