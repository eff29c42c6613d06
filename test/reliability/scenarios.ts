/// <reference types="vite/client" />
import { inspect } from 'node:util';
import { clearModuleCaches } from '../../lib/module-cache';
import type { ActionScenarios, ScenarioPath, World } from '../support/scenario';
import { runAction, type Outcome } from '../support/run';
import { DEFAULT_RESERVE_MS, HUBSPOT_TIME_LIMIT_MS } from '../../lib/deadline';
import type { RunOptions } from '../../lib/action';

/**
 * Every action's scenarios, found by file name: an action that adds test/actions/<action>/scenarios.ts is covered
 * by the reliability suites without anyone editing them.
 */
const modules = import.meta.glob<{ scenarios: ActionScenarios }>('../actions/*/scenarios.ts', { eager: true });

export const ACTIONS: Array<{ name: string; scenarios: ActionScenarios }> = Object.entries(modules)
  .map(([file, mod]) => ({ name: /actions\/([^/]+)\/scenarios\.ts$/.exec(file)?.[1] ?? file, scenarios: mod.scenarios }))
  .filter((entry) => entry.scenarios !== undefined)
  .sort((a, b) => a.name.localeCompare(b.name));

/**
 * A fresh world for one case: module caches (OAuth tokens) cleared, the path seeded, the fake network installed
 * (`transport`: see FakeNetwork.install; the default runs Node's real fetch against nock).
 */
export function freshWorld(scenarios: ActionScenarios, path?: Pick<ScenarioPath, 'setup'>, { transport }: { transport?: 'nock' | 'fetch' } = {}): World {
  clearModuleCaches();
  const world = scenarios.world();
  path?.setup?.(world);
  world.net.install(transport ? { transport } : {});
  return world;
}

/**
 * HubSpot's own numbers (20 s, 1.5 s reserve) for runs that must not fail: on a machine busy with parallel test
 * files a short test deadline turns slowness into false DEADLINE_EXCEEDED failures. Runs that inject a fault pass
 * their own short deadline.
 */
export const PRODUCTION_DEADLINE = { budgetMs: HUBSPOT_TIME_LIMIT_MS, reserveMs: DEFAULT_RESERVE_MS };

export function runIn(scenarios: ActionScenarios, world: World, event: ScenarioPath['event'], options: RunOptions = {}): Promise<Outcome> {
  return runAction(scenarios.action, event, { env: world.env, deadline: PRODUCTION_DEADLINE, ...(scenarios.config ? { config: scenarios.config } : {}), ...options });
}

/** Statuses HubSpot re-runs an action for: the thrown error must carry one in error.response.status and error.code. */
export function isRetryStatus(status: unknown): boolean {
  return typeof status === 'number' && (status === 429 || (status >= 500 && status < 600));
}

export const ERROR_CODE = /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/;

/**
 * Every text a run exposes to a HubSpot admin: log lines, outputs, the thrown message and stack — and the thrown
 * error as Node prints it (util.inspect shows its own properties and its `cause` chain, e.g. an HTTP library's
 * request config with an Authorization header), since the runtime may log the error object whole.
 */
export function exposedText(outcome: Outcome): string {
  return [
    ...outcome.logs,
    JSON.stringify(outcome.outputs ?? {}),
    outcome.thrown ? `${outcome.thrown.message}\n${outcome.thrown.stack ?? ''}\n${inspect(outcome.thrown, { depth: 8 })}` : '',
  ].join('\n');
}

/**
 * The characters of base64 / base64url that encode `secret` alone when it sits at byte offset 0, 1 or 2 (mod 3)
 * inside a longer encoded text (Basic auth is base64 of "id:secret"), so a search finds it there too.
 */
function base64Inside(secret: string): string[] {
  const bytes = Buffer.from(secret);
  return [0, 1, 2].flatMap((offset) => {
    const all = Buffer.concat([Buffer.alloc(offset, 0x41), bytes]);
    const text = all.toString('base64');
    const from = Math.ceil((offset * 8) / 6); // first character with no prefix bits
    const to = Math.floor((all.length * 8) / 6); // last character with no suffix bits
    const core = text.slice(from, to);
    return core.length >= 8 ? [core, core.replace(/\+/g, '-').replace(/\//g, '_')] : [];
  });
}

/**
 * The ways a secret shows up in text (issue 13 §2): as is; URL-encoded, form-encoded and with lower-case escapes;
 * base64 and base64url, whole or inside a longer encoded text; JSON-escaped, with \u escapes, and escaped twice.
 */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  const jsonU = json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const lower = (t: string) => t.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
  return [
    ...new Set([secret, uri, lower(uri), form, lower(form), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), ...base64Inside(secret), json, jsonU, JSON.stringify(json).slice(1, -1)]),
  ];
}
