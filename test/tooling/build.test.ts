import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { buildConfigProblems, differingFiles, renderAll, ROOT } from '../../scripts/build.mjs';

/**
 * dist/ is committed (issue 23 §1): the build must be reproducible from the sources alone (no commit hash, no date),
 * and `--check` must name every committed file that differs. The build config is validated against each action's
 * declared defaults (issue 23 §6), so a typo fails the build instead of being baked in and ignored.
 */
const run = promisify(execFile);

describe('committed bundles', () => {
  it('renders the same bytes twice, with a content hash (not a commit) in each header and in the manifest', async () => {
    const first = await renderAll();
    const second = await renderAll();
    expect([...second.files]).toEqual([...first.files]);
    const manifest = JSON.parse(first.files.get('dist/manifest.json')!);
    expect(manifest).not.toHaveProperty('commit');
    expect(manifest.build).toMatch(/^[0-9a-f]{12}$/);
    for (const { name } of manifest.actions) {
      const header = first.files.get(`dist/${name}.js`)!.split('\n')[2]!;
      expect(header).toMatch(/ · build [0-9a-f]{12} · HubSpot custom code, Node\.js 24$/);
      expect(header).not.toMatch(/commit/);
    }
  });

  it('--check names a changed, a missing and a stale file, and is silent when everything matches', async () => {
    const { files } = await renderAll();
    const copy = mkdtempSync(path.join(tmpdir(), 'build-check-'));
    for (const [file, text] of files) {
      mkdirSync(path.dirname(path.join(copy, file)), { recursive: true });
      writeFileSync(path.join(copy, file), text);
    }
    expect(differingFiles(files, copy)).toEqual([]);
    const [first, second] = [...files.keys()].filter((f) => f.endsWith('.js'));
    writeFileSync(path.join(copy, first!), `${files.get(first!)}\n// edited by hand\n`);
    writeFileSync(path.join(copy, second!), '');
    writeFileSync(path.join(copy, 'dist', 'removed-action.js'), 'stale');
    expect(differingFiles(files, copy)).toEqual(
      [`${first} differs from a fresh build`, `${second} differs from a fresh build`, 'dist/removed-action.js is not built any more (delete it)'].sort(),
    );
  });

  it('the committed dist/ is what these sources build (CI runs `npm run build -- --check` before npm test rebuilds it)', async () => {
    const ci = readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
    expect(ci.search(/^npm run build -- --check$/m)).toBeGreaterThan(-1);
    expect(ci.search(/^npm run build -- --check$/m)).toBeLessThan(ci.search(/^npm test$/m));
    expect(readFileSync(path.join(ROOT, '.gitignore'), 'utf8')).not.toMatch(/^\/?dist\/?$/m);
  });
});

describe('build config validation', () => {
  const declared = { 'shopify-order-sync': { pipeline: 'default', dealstage: 'closedwon' }, 'salesforce-lead-sync': { allowDuplicateSave: false, owners: {} } };

  it('accepts declared settings of the right type, and the global hubspot.apiVersion', () => {
    expect(buildConfigProblems({ 'shopify-order-sync': { pipeline: 'ecommerce' }, hubspot: { apiVersion: '2026-03' } }, declared)).toEqual([]);
  });

  it('names a misspelt setting with a did-you-mean', () => {
    expect(buildConfigProblems({ 'shopify-order-sync': { pipline: 'ecommerce' } }, declared)).toEqual([
      '"shopify-order-sync"."pipline" is not a setting of shopify-order-sync (did you mean "pipeline"?); its settings: pipeline, dealstage',
    ]);
  });

  it('names an unknown action key with a did-you-mean, and a setting of the wrong type', () => {
    const problems = buildConfigProblems({ 'shopify-order-snyc': {}, 'salesforce-lead-sync': { allowDuplicateSave: 'true', owners: [] } }, declared);
    expect(problems).toEqual([
      '"shopify-order-snyc" is not an action (did you mean "shopify-order-sync"?); known: shopify-order-sync, salesforce-lead-sync, hubspot',
      '"salesforce-lead-sync"."allowDuplicateSave" must be a boolean (like its default false), not "true"',
      '"salesforce-lead-sync"."owners" must be an object (like its default {}), not []',
    ]);
  });

  it('`npm run build` with a typo in the config file exits 2 and writes nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'build-config-'));
    const config = path.join(dir, 'actions.config.json');
    writeFileSync(config, JSON.stringify({ 'shopify-order-sync': { pipline: 'ecommerce' } }));
    const before = readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8');
    const failed = await run(process.execPath, [path.join(ROOT, 'scripts', 'build.mjs'), '--quiet', '--config', config], { cwd: ROOT }).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(failed?.code).toBe(2);
    expect(failed?.stderr).toContain('"shopify-order-sync"."pipline" is not a setting of shopify-order-sync (did you mean "pipeline"?)');
    expect(readFileSync(path.join(ROOT, 'dist', 'manifest.json'), 'utf8')).toBe(before);
  });
});
