import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * What `npm run bench` needs before it measures, done after its arguments are parsed (so `--help` and a usage error
 * install nothing): the original snippets' SDKs in bench/node_modules, and a fresh dist/.
 */
const BENCH = path.resolve(import.meta.dirname, '..', '..', 'bench');
const STAMP = path.join(BENCH, 'node_modules', '.bench-lock.sha256');

/** A hash of what `npm ci` installs from: the lockfile and the manifest. */
export function benchLockHash(dir = BENCH): string {
  const hash = createHash('sha256');
  for (const file of ['package.json', 'package-lock.json']) hash.update(readFileSync(path.join(dir, file)));
  return hash.digest('hex');
}

/** True when bench/node_modules was installed from the current lockfile (the stamp written after the last install). */
export function benchPackagesCurrent(dir = BENCH): boolean {
  const stamp = path.join(dir, 'node_modules', '.bench-lock.sha256');
  return existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === benchLockHash(dir);
}

/** `npm ci` in bench/ unless bench/node_modules already matches bench/package-lock.json. Returns whether it installed. */
export function ensureBenchPackages(): boolean {
  if (benchPackagesCurrent()) return false;
  process.stderr.write('bench: installing the original snippets\' SDKs (bench/package-lock.json)…\n');
  execFileSync('npm', ['--prefix', BENCH, 'ci', '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' });
  writeFileSync(STAMP, `${benchLockHash()}\n`);
  return true;
}

/** dist/ from the current sources (the committed bundles may be older than a working tree's changes). */
export function buildDist(): void {
  execFileSync(process.execPath, [path.join(BENCH, '..', 'scripts', 'build.mjs'), '--quiet'], { stdio: 'inherit' });
}
