import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { upgradeSource } from '../../scripts/codemod/upgrade';
import { upgradeCommand, writeUpgraded } from '../../scripts/upgrade';

/** `upgrade --write` replaces a user's file: byte-exact backup, same mode, atomic, symlinks refused, nothing left over. */
const SAMPLES = path.resolve(import.meta.dirname, '..', 'samples', 'custom-code');
const original = readFileSync(path.join(SAMPLES, 'callback-axios.js'), 'utf8');
const freshDir = () => mkdtempSync(path.join(tmpdir(), 'upgrade-write-'));
const quiet = () => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
};

describe('upgrade --write', () => {
  it('keeps a byte-exact .bak with the original mode bits, and the new file keeps the mode too', async () => {
    quiet();
    const dir = freshDir();
    const file = path.join(dir, 'action.js');
    // A BOM and CRLF line ends must survive in the backup byte for byte.
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(original.replace(/\n/g, '\r\n'))]);
    writeFileSync(file, bytes);
    chmodSync(file, 0o640);
    expect(await upgradeCommand([file, '--write'])).toBe(0);
    expect(readFileSync(`${file}.bak`).equals(bytes)).toBe(true);
    expect(statSync(`${file}.bak`).mode & 0o7777).toBe(0o640);
    expect(statSync(file).mode & 0o7777).toBe(0o640);
  });

  it('replaces the file by rename (a new inode), leaving no temporary file in the folder', () => {
    const dir = freshDir();
    const file = path.join(dir, 'action.js');
    writeFileSync(file, original);
    const before = statSync(file).ino;
    const { backup } = writeUpgraded(file, upgradeSource(original).code);
    expect(statSync(file).ino).not.toBe(before);
    expect(readdirSync(dir).sort()).toEqual(['action.js', path.basename(backup)].sort());
    expect(readFileSync(file, 'utf8')).toBe(upgradeSource(original).code);
  });

  it('refuses a symbolic link, changing neither the link nor its target', async () => {
    quiet();
    const dir = freshDir();
    const target = path.join(dir, 'real.js');
    const link = path.join(dir, 'link.js');
    writeFileSync(target, original);
    symlinkSync(target, link);
    expect(await upgradeCommand([link, '--write'])).toBe(1);
    expect(readFileSync(target, 'utf8')).toBe(original);
    expect(existsSync(`${link}.bak`)).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(['link.js', 'real.js']);
  });

  it('never overwrites an earlier backup', async () => {
    quiet();
    const dir = freshDir();
    const file = path.join(dir, 'action.js');
    writeFileSync(file, original);
    writeFileSync(`${file}.bak`, 'an older backup');
    expect(await upgradeCommand([file, '--write'])).toBe(0);
    expect(readFileSync(`${file}.bak`, 'utf8')).toBe('an older backup');
    expect(readFileSync(`${file}.bak2`, 'utf8')).toBe(original);
  });
});

describe('upgrade --event (live)', () => {
  it('refuses without --live: it would run the file twice against the live APIs', async () => {
    const dir = freshDir();
    const file = path.join(dir, 'action.js');
    const event = path.join(dir, 'event.json');
    writeFileSync(file, original);
    writeFileSync(event, '{"object":{"objectId":"1"},"inputFields":{}}');
    await expect(upgradeCommand([file, '--event', event])).rejects.toThrow(/TWICE against the live APIs.*--live/);
  });

  it('a --fixture run before/after leaves no temporary folder behind', async () => {
    quiet();
    const count = () => readdirSync(tmpdir()).filter((n) => n.startsWith('upgrade-') && !n.startsWith('upgrade-write-')).length;
    const before = count();
    await upgradeCommand([path.join(SAMPLES, 'callback-axios.js'), '--fixture', path.join(SAMPLES, 'fixtures', 'callback-axios.json')]);
    expect(count()).toBe(before);
  }, 30_000);
});
