import { afterEach, describe, expect, it } from 'vitest';
import { HOSTILE_VALUES, UNDEFINED_MARKERS, queryEscaped } from '../support/hostile';
import type { Outcome } from '../support/run';
import type { World } from '../support/scenario';
import { ACTIONS, ERROR_CODE, freshWorld, runIn } from './scenarios';

/**
 * Hostile and bad inputs (issue 9, part 2). Every hostile value goes into every input field an action names in
 * its scenarios' `hostileFields`, on the action's first ("new record") path. Each run must end in `status: ok` or a
 * named permanent error — never a crash, never a thrown error (a retry cannot fix an input), never "undefined" in
 * what a HubSpot admin reads. A successful run must also be repeatable: the re-run finds the record the first run
 * wrote. If an escaper changed a query literal (O'Brien → O\'Brien stored, or a LIKE wildcard that matches nothing),
 * the lookup misses and the re-run creates a duplicate, which the record counts catch. (Only counts: a substituted
 * value can make the event disagree with the seeded record, and a two-way sync may then rightly write on the re-run;
 * full end-state equality on re-runs is the fault matrix's job, with consistent inputs.)
 */

/** Error codes that mean "we crashed" or "we produced garbage", not "the input is wrong". */
const CRASH_CODES = new Set(['INTERNAL_ERROR', 'INVALID_OUTPUT']);
/** HubSpot: a string output holds at most 65,000 characters. */
const MAX_OUTPUT_CHARS = 65_000;
/** Raw in a log line, these rewrite what an admin's terminal or log viewer shows (issue 13 §2). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const RAW_CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/;

let current: World | undefined;
afterEach(() => {
  current?.net.uninstall();
  current = undefined;
});

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

function outcomeProblems(o: Outcome): string[] {
  const problems: string[] = [];
  if (o.thrown) return [`threw ${o.thrown.name}: ${o.thrown.message}`];
  const outputs = o.outputs ?? {};
  if (outputs.status === 'error') {
    const code = String(outputs.error_code ?? '');
    if (!ERROR_CODE.test(code)) problems.push(`error without an UPPER_SNAKE error_code: ${JSON.stringify(outputs)}`);
    if (CRASH_CODES.has(code)) problems.push(`crashed: ${code} ${String(outputs.error_message)}`);
    if (!String(outputs.error_message ?? '').trim()) problems.push('error without an error_message');
  } else if (outputs.status !== 'ok') {
    problems.push(`status is neither ok nor error: ${JSON.stringify(outputs)}`);
  }
  for (const [key, value] of Object.entries(outputs)) {
    if (typeof value === 'string' && value.length > MAX_OUTPUT_CHARS) problems.push(`output ${key} is ${value.length} characters`);
    if (typeof value === 'number' && !Number.isFinite(value)) problems.push(`output ${key} is ${value}`);
  }
  for (const text of [JSON.stringify(outputs), ...o.logs]) {
    const marker = UNDEFINED_MARKERS.find((m) => m.test(text));
    if (marker) problems.push(`"${marker.source}" in: ${text.slice(0, 300)}`);
  }
  for (const line of o.logs) {
    const raw = RAW_CONTROL.exec(line);
    if (raw) problems.push(`raw U+${(raw[0].codePointAt(0) ?? 0).toString(16).padStart(4, '0')} in a log line: ${JSON.stringify(line.slice(0, 200))}`);
  }
  return problems;
}

describe.each(ACTIONS.map((a) => [a.name, a.scenarios] as const))('%s', (_name, scenarios) => {
  const [path] = scenarios.paths;
  const declared = Object.keys(scenarios.action.definition.inputs);

  it('names hostile fields that the action declares', () => {
    expect(scenarios.hostileFields.length).toBeGreaterThan(0);
    expect(scenarios.hostileFields.filter((f) => !declared.includes(f))).toEqual([]);
  });

  it('a secret pasted with a zero-width space, a line break or a non-ASCII character: a permanent INVALID_SECRET naming it, no call, no value shown', async () => {
    if (!path) throw new Error('no path');
    const problems: string[] = [];
    for (const name of Object.keys(scenarios.action.definition.secrets)) {
      for (const [what, insert] of [['zero-width space', '\u200b'], ['line break', '\n'], ['no-break space', '\u00a0']] as const) {
        const world = (current = freshWorld(scenarios, path));
        const value = world.env[name];
        if (value === undefined) {
          world.net.uninstall();
          continue;
        }
        const broken = `${value.slice(0, 8)}${insert}${value.slice(8)}`;
        const outcome = await runIn(scenarios, world, path.event, { env: { ...world.env, [name]: broken } });
        const at = `${name} with a ${what}`;
        if (outcome.thrown) problems.push(`${at}: threw ${outcome.thrown.name} ${String(outcome.thrown.response?.status)} (HubSpot would retry a configuration mistake)`);
        else if (outcome.outputs?.error_code !== 'INVALID_SECRET') problems.push(`${at}: ${JSON.stringify(outcome.outputs)}`);
        else if (!String(outcome.outputs.error_message).includes(name)) problems.push(`${at}: the message does not name the secret`);
        if (world.net.calls.length) problems.push(`${at}: ${world.net.calls.length} HTTP calls before refusing`);
        const shown = [...outcome.logs, JSON.stringify(outcome.outputs ?? {}), outcome.thrown?.message ?? ''].join('\n');
        if (value.length >= 12 && (shown.includes(value.slice(8, 20)) || shown.includes(value.slice(0, 8)))) problems.push(`${at}: part of the value is shown`);
        world.net.uninstall();
        current = undefined;
      }
    }
    expect(problems).toEqual([]);
  });

  it.each(scenarios.hostileFields)('field %s: every hostile value gives ok or a named error, and ok runs are repeatable', async (field) => {
    if (!path) throw new Error('no path');
    const problems: string[] = [];
    for (const { name, value } of HOSTILE_VALUES) {
      // Thousands of runs that vary inputs, not transport: fetch answered in process (FakeNetwork.install), about
      // half the CPU of going through undici and nock each time. The fault matrix keeps the real fetch.
      const world = (current = freshWorld(scenarios, path, { transport: 'fetch' }));
      const event = { ...path.event, inputFields: { ...path.event.inputFields, [field]: value } };
      const first = await runIn(scenarios, world, event);
      problems.push(...outcomeProblems(first).map((p) => `${field}=${name}: ${p}`));
      if (first.outputs?.status === 'ok') {
        const stored = strings(world.snapshot());
        const escaped = queryEscaped(value);
        if (escaped !== value && stored.some((s) => s.includes(escaped))) problems.push(`${field}=${name}: an escaped query literal was stored as data`);
        const before = world.counts();
        const again = await runIn(scenarios, world, event);
        if (again.outputs?.status !== 'ok') problems.push(`${field}=${name}: the re-run did not succeed: ${JSON.stringify(again.outputs ?? again.thrown?.message)}`);
        const after = world.counts();
        if (JSON.stringify(after) !== JSON.stringify(before)) problems.push(`${field}=${name}: the re-run added records (a lookup missed its own record): ${JSON.stringify(before)} → ${JSON.stringify(after)}`);
      }
      world.net.uninstall();
      current = undefined;
    }
    expect(problems).toEqual([]);
  });
});

/**
 * Hostile enrolled object ids (issue 13 §3): "." and ".." survive encodeURIComponent and URL parsing resolves them, so
 * `PATCH /crm/objects/2026-09/contacts/..` would reach another endpoint. Every action either ignores the enrolled id or
 * refuses it with INVALID_OBJECT_ID before any call; no request ever carries a dot or empty segment.
 */
const HOSTILE_OBJECT_IDS = ['..', '.', '../companies', '1/..', '1%2F..', '12a', ' 7', '-1', '1.0'];

describe.each(ACTIONS.map((a) => [a.name, a.scenarios] as const))('%s: hostile enrolled object ids', (_name, scenarios) => {
  const [path] = scenarios.paths;
  it.each(HOSTILE_OBJECT_IDS)('objectId %j: ok without using it, or INVALID_OBJECT_ID before any call; never a dot segment on the wire', async (objectId) => {
    if (!path) throw new Error('no path');
    const world = (current = freshWorld(scenarios, path));
    const event = { ...path.event, object: { objectType: path.event.object?.objectType ?? 'CONTACT', objectId } };
    const outcome = await runIn(scenarios, world, event);
    expect(outcomeProblems(outcome)).toEqual([]);
    if (outcome.outputs?.status === 'error') {
      expect(outcome.outputs.error_code).toBe('INVALID_OBJECT_ID');
      expect(world.net.calls).toEqual([]);
    }
    for (const call of world.net.calls) {
      expect(new URL(call.url).pathname.split('/').slice(1).filter((s) => s === '' || s === '.' || s === '..' || /%2e%2e/i.test(s))).toEqual([]);
    }
  });
});
