import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RESPONSE_BYTES, responseCapFor } from '../../lib/response-caps';
import { listActions } from '../../scripts/build.mjs';
import { listFixtures } from '../../scripts/harness/fixture';

/**
 * Issue 21 §9: every built bundle, in a child process under HubSpot's 128 MB (`--max-old-space-size=128`, as the
 * harness runs user files), answered with the worst JSON shape for the parser at (a) the 7.9 MB, which under
 * the former 8 MiB cap was a fatal heap error (exit 134, no status, so no re-run and no error output), and (b) just
 * under the largest cap any of its calls has, which must parse without a crash. `npm test` builds dist/ first.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const CHILD = path.join(ROOT, 'test', 'support', 'heap-limit-child.cjs');
const NODE = process.execPath;

interface Interaction { request: { method: string; url: string } }

/** Which of our service clients sends to this host (the service names lib/response-caps.ts keys on). */
function serviceOf(url: string): string {
  const host = new URL(url).hostname;
  if (host === 'api.hubapi.com') return 'hubspot';
  if (host.endsWith('.salesforce.com')) return 'salesforce';
  if (host.endsWith('.myshopify.com')) return 'shopify';
  if (host.endsWith('.intuit.com')) return 'quickbooks';
  if (host.endsWith('.clearbit.com')) return 'clearbit';
  throw new Error(`no service for ${host}`);
}

function runChild(bundle: string, fixture: string, bytes: number, target: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(NODE, ['--max-old-space-size=128', CHILD, bundle, fixture, String(bytes), String(target)], { maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const outcomeOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').filter((l) => l.startsWith('{')).at(-1) ?? 'null') as { outputFields?: Record<string, unknown>; thrownStatus?: number } | null;

describe.each(listActions() as string[])('dist/%s.js under --max-old-space-size=128', (action) => {
  const bundle = path.join(ROOT, 'dist', `${action}.js`);
  const name = listFixtures(action).find((f: string) => f.startsWith('scenario-')) as string;
  const fixture = path.join(ROOT, 'test', 'actions', action, 'fixtures', `${name}.json`);
  const interactions = (JSON.parse(readFileSync(fixture, 'utf8')) as { interactions: Interaction[] }).interactions;
  const caps = interactions.map((i) => responseCapFor(serviceOf(i.request.url), i.request.url).bytes);
  // The call with the largest cap: the most a legitimate answer can make the parser hold.
  const target = caps.indexOf(Math.max(...caps));

  it(`a 7.9 MB answer to ${interactions[target]?.request.method} ${new URL(interactions[target]?.request.url ?? 'x:').pathname} ends as RESPONSE_TOO_LARGE, not a heap crash`, async () => {
    const { code, stdout, stderr } = await runChild(bundle, fixture, 7_900_000, target);
    expect(stderr).not.toMatch(/heap out of memory|Reached heap limit/);
    expect(code).toBe(0);
    expect(outcomeOf(stdout)?.outputFields).toMatchObject({ status: 'error', error_code: 'RESPONSE_TOO_LARGE' });
  });

  it('an answer just under that call\'s cap is read and parsed without a heap crash', async () => {
    const cap = caps[target] as number;
    expect(cap).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    const { code, stdout, stderr } = await runChild(bundle, fixture, cap, target);
    expect(stderr).not.toMatch(/heap out of memory|Reached heap limit/);
    expect(code).toBe(0);
    const outcome = outcomeOf(stdout);
    expect(outcome).not.toBeNull();
    expect(outcome?.outputFields?.error_code).not.toBe('RESPONSE_TOO_LARGE');
  });
});
