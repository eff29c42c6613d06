/**
 * Writes harness fixtures for every action's main paths by running each path against the stateful fakes the
 * tests use (test/actions/<action>/scenarios.ts) and keeping what crossed the wire.
 *
 *   npm run fixtures [-- action…]     (--help lists the options)
 *
 * Request bodies are kept for reading but not matched on replay (`match: false`): several actions write the
 * time of the run (e.g. salesforce_last_sync_at), which differs on every replay. Method, URL and order are
 * matched; secrets are replaced by placeholders exactly as a live `--record` does.
 */
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { clearModuleCaches } from '../../lib/module-cache';
import type { ActionScenarios } from '../../test/support/scenario';
import { count } from '../lib-tooling/common';
import { fixtureDir, fixtureFromRecording, ROOT, type RecordedCall } from './fixture';
import { exitWhenFlushed, parseOrExit, usageLines, type CommandSpec } from '../lib-tooling/cli.mjs';

export const FIXTURES_CLI: CommandSpec = {
  command: 'npm run fixtures --',
  summary: "Writes harness fixtures (test/actions/<action>/fixtures/scenario-*.json) from each action's scenarios and the test fakes.",
  usage: ['[action …]'],
  positionals: [{ name: 'action', description: 'only these actions; without any, every action with a test/actions/<action>/scenarios.ts (rewrites all their scenario-* fixtures)' }],
  options: [],
  examples: ['npm run fixtures', 'npm run fixtures -- shopify-order-sync'],
  notes: ['Hand-made fixtures (any name not starting with scenario-) are never touched.'],
};

const slug = (text: string) => text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');

async function main(only: string[]): Promise<void> {
  const actionsDir = path.join(ROOT, 'test', 'actions');
  const available = readdirSync(actionsDir).filter((n) => existsSync(path.join(actionsDir, n, 'scenarios.ts'))).sort();
  const unknown = only.filter((n) => !available.includes(n));
  if (unknown.length) {
    console.error(`no scenarios for ${unknown.join(', ')} (test/actions/<action>/scenarios.ts); actions with scenarios: ${available.join(', ')}\n${usageLines(FIXTURES_CLI)}`);
    process.exitCode = 2;
    return;
  }
  const names = available.filter((n) => !only.length || only.includes(n));
  for (const name of names) {
    const { scenarios } = (await import(path.join(actionsDir, name, 'scenarios.ts'))) as { scenarios: ActionScenarios };
    for (const scenarioPath of scenarios.paths) {
      clearModuleCaches();
      const world = scenarios.world();
      scenarioPath.setup?.(world);
      world.net.install();
      let outcome: { outputFields: Record<string, unknown> } | undefined;
      let thrownStatus: number | undefined;
      try {
        outcome = await scenarios.action.execute(scenarioPath.event, { env: world.env, sink: () => {}, ...(scenarios.config ? { config: scenarios.config } : {}) });
      } catch (error) {
        thrownStatus = (error as { response?: { status?: number } }).response?.status;
      } finally {
        world.net.uninstall();
      }
      const recorded: RecordedCall[] = world.net.calls.map((call) => {
        const url = new URL(call.url);
        return {
          scope: url.origin,
          method: call.method,
          path: `${url.pathname}${url.search}`,
          body: call.requestBody,
          status: typeof call.status === 'number' ? call.status : 0,
          response: call.response?.body,
          rawHeaders: Object.entries(call.response?.headers ?? {}).flat(),
        };
      });
      const fixture = fixtureFromRecording({
        description: `${name}: ${scenarioPath.name} (recorded from the test fakes)`,
        event: scenarioPath.event as Record<string, unknown>,
        secrets: world.env,
        recorded,
        outcome: thrownStatus !== undefined ? { throws: { status: thrownStatus } } : { outputFields: outcome?.outputFields ?? {} },
      });
      for (const interaction of fixture.interactions) interaction.request.match = false;
      mkdirSync(fixtureDir(name), { recursive: true });
      // Prefixed so hand-curated fixtures (bodies matched exactly) are never overwritten.
      const file = path.join(fixtureDir(name), `scenario-${slug(scenarioPath.name)}.json`);
      writeFileSync(file, `${JSON.stringify(fixture, null, 2)}\n`);
      console.log(`${path.relative(ROOT, file)}: ${count(fixture.interactions.length, 'call', 'calls')}`);
    }
  }
}

main(parseOrExit(FIXTURES_CLI, process.argv.slice(2)).positionals).then(
  () => exitWhenFlushed(Number(process.exitCode ?? 0)),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
