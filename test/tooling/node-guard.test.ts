import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `./node_modules/.bin/vitest run` starts with the first `node` on PATH (its shebang is `#!/usr/bin/env node`),
 * which on many machines is not Node 24. vitest.config.ts imports scripts/check-node.mjs first, so the runner
 * stops at once with the message `npm test` prints. Needs a Node other than 24 on this machine (the system one).
 */
const ROOT = path.resolve(import.meta.dirname, '..', '..');
const otherNode = ['/usr/bin/node', '/usr/local/bin/node', '/bin/node'].find((candidate) => {
  if (!existsSync(candidate)) return false;
  const version = spawnSync(candidate, ['-p', 'process.versions.node'], { encoding: 'utf8' }).stdout.trim();
  return version !== '' && !version.startsWith('24.');
});

describe.skipIf(!otherNode)(`the test runner on another Node (${otherNode ?? 'none found'})`, () => {
  const env = { PATH: '/usr/bin:/bin' };

  it('stops at once, exit 1, with the same message as npm test', () => {
    const expected = spawnSync(otherNode as string, ['scripts/check-node.mjs'], { cwd: ROOT, encoding: 'utf8', env });
    expect(expected.status).toBe(1);
    expect(expected.stderr).toContain("This project runs on Node.js 24 (HubSpot's custom-code runtime)");
    const started = Date.now();
    const vitest = spawnSync(otherNode as string, ['node_modules/.bin/vitest', 'run', 'test/lib'], { cwd: ROOT, encoding: 'utf8', env, timeout: 30_000 });
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(vitest.status).toBe(1);
    expect(vitest.stderr).toContain(expected.stderr.trim());
    expect(vitest.stdout).not.toMatch(/Test Files|passed|failed/);
  });
});
