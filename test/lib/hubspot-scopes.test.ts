import { afterEach, describe, expect, it } from 'vitest';
import { hubspotTokenSecret } from '../../lib/hubspot';
import {
  ASSOCIATION_ANY_OF,
  FLOW_SCOPES,
  OBJECT_SCOPES,
  SCHEMA_SCOPES,
  requirementOfCall,
  scopesAllow,
  scopesForOperations,
  type HubSpotOperation,
} from '../../lib/hubspot-scopes';
import { FLOW_SCOPES as DEPLOY_FLOW_SCOPES } from '../../scripts/lib-tooling/flow-deploy';
import { SCHEMA_SCOPES as SETUP_SCHEMA_SCOPES } from '../../scripts/lib-tooling/property-setup';
import { TOKEN_STORE_SCOPES } from '../../scripts/lib-tooling/token-store-setup';
import { FakeHubSpot, HUBSPOT_ORIGIN } from '../fakes/hubspot';
import type { HubSpotEvent } from '../../lib/action';
import { DEAL, dealEvent, type QuickBooksWorld } from '../actions/quickbooks-invoice/scenarios';
import type { World } from '../support/scenario';
import { ACTIONS, freshWorld, runIn } from '../reliability/scenarios';

/**
 * The scopes each action asks for are derived from the operations it declares (lib/hubspot-scopes.ts); here the
 * declaration is held against what its runs actually send to the fake HubSpot — every main path of every action's
 * scenarios — so a new call (or a call dropped) without a declaration change fails, and the token a guide tells an
 * admin to create is exactly what the code needs on a 2026-09 portal.
 */

let world: World | undefined;
afterEach(() => world?.net.uninstall());

/**
 * Paths the action's scenarios do not include but its declared operations need (each built after the world is
 * seeded, so the event can name the seeded record).
 */
const EXTRA_PATHS: Record<string, Array<{ name: string; setup(world: World): HubSpotEvent }>> = {
  'quickbooks-invoice': [
    {
      name: 'deal with line items',
      setup: (world) => dealEvent((world as QuickBooksWorld).addDeal({ ...DEAL, dealname: 'With lines' }, { lineItems: [{ name: 'Support plan', quantity: '2', price: '50' }] })),
    },
  ],
};

type TokenSecret = ReturnType<typeof hubspotTokenSecret>;
const tokenSecret = (name: string) => ACTIONS.find((a) => a.name === name)?.scenarios.action.definition.secrets.HUBSPOT_ACCESS_TOKEN as TokenSecret;

describe('HubSpot scopes: the spec facts (2026-09)', () => {
  it('line items need their object scope AND e-commerce in one requirement, for reads and writes', () => {
    expect(OBJECT_SCOPES['line_items.read']).toEqual(['crm.objects.line_items.read', 'e-commerce']);
    expect(OBJECT_SCOPES['line_items.write']).toEqual(['crm.objects.line_items.write', 'e-commerce']);
    expect(scopesAllow(['crm.objects.line_items.read'], { kind: 'object', operation: 'line_items.read' })).toBe(false);
    expect(scopesAllow(['crm.objects.line_items.read', 'e-commerce'], { kind: 'object', operation: 'line_items.read' })).toBe(true);
  });

  it('the derived scopes are the union of the requirements, sorted, and an unknown operation is refused', () => {
    expect(scopesForOperations(['line_items.read', 'deals.read', 'line_items.write'])).toEqual(['crm.objects.deals.read', 'crm.objects.line_items.read', 'crm.objects.line_items.write', 'e-commerce']);
    expect(() => scopesForOperations(['tickets.read' as HubSpotOperation])).toThrow(/Unknown HubSpot operation/);
  });

  it('calls are classified by method and path: search and batch/read read, everything else on an object writes', () => {
    expect(requirementOfCall('POST', '/crm/objects/2026-09/line_items/batch/read')).toEqual({ kind: 'object', operation: 'line_items.read' });
    expect(requirementOfCall('POST', '/crm/objects/2026-09/companies/search')).toEqual({ kind: 'object', operation: 'companies.read' });
    expect(requirementOfCall('GET', '/crm/objects/2026-09/deals/12')).toEqual({ kind: 'object', operation: 'deals.read' });
    expect(requirementOfCall('POST', '/crm/objects/2026-09/contacts/batch/upsert')).toEqual({ kind: 'object', operation: 'contacts.write' });
    expect(requirementOfCall('PATCH', '/crm/objects/2026-09/contacts/ada%40acme.io')).toEqual({ kind: 'object', operation: 'contacts.write' });
    expect(requirementOfCall('PUT', '/crm/objects/2026-09/deals/1/associations/default/contacts/2')).toEqual({ kind: 'association' });
    expect(requirementOfCall('POST', '/crm/associations/2026-09/deals/line_items/batch/read')).toEqual({ kind: 'association' });
    expect(requirementOfCall('GET', '/automation/2026-09-beta/flows/1')).toEqual({ kind: 'unknown' });
  });

  it('setup and deploy take their scopes from the same table', () => {
    expect(Object.fromEntries(Object.entries(SETUP_SCHEMA_SCOPES).map(([t, s]) => [t, [s.read, s.write]]))).toEqual(
      Object.fromEntries(Object.entries(SCHEMA_SCOPES).map(([t, s]) => [t, [...s.read, ...s.write]])),
    );
    expect(SCHEMA_SCOPES.line_items.write).toEqual(['e-commerce']);
    expect(DEPLOY_FLOW_SCOPES).toEqual([...FLOW_SCOPES]);
    expect(ASSOCIATION_ANY_OF).toContain('crm.objects.deals.write');
    // setup's token-store step (quickbooks-invoice's company record): a read by id property, then a create.
    expect([...TOKEN_STORE_SCOPES]).toEqual(scopesForOperations(['companies.read', 'companies.write']));
  });
});

describe('HubSpot scopes: each action declares exactly the operations its runs perform', () => {
  for (const { name, scenarios } of ACTIONS) {
    it(`${name}`, async () => {
      const secret = tokenSecret(name);
      expect(secret.hubspotOperations, `${name} declares its HubSpot operations with hubspotTokenSecret([...])`).toBeDefined();
      const called = new Set<string>();
      const associationCalls: string[] = [];
      const paths = [
        ...scenarios.paths.map((p) => ({ name: p.name, setup: (w: World) => (p.setup?.(w), p.event) })),
        ...(EXTRA_PATHS[name] ?? []),
      ];
      for (const path of paths) {
        let event!: HubSpotEvent;
        world = freshWorld(scenarios, { setup: (w) => void (event = path.setup(w)) });
        // The fake answers 403 to any call the derived scopes do not cover, as a real portal would.
        (world as World & { hubspot: FakeHubSpot }).hubspot.grantedScopes = secret.hubspotScopes;
        // Twice: the re-run of a completed enrollment takes the "already there" branches (reads of what exists).
        for (const run of ['first run', 're-run']) {
          const outcome = await runIn(scenarios, world, event);
          expect(outcome.thrown?.message, `${name} / ${path.name} / ${run}`).toBeUndefined();
        }
        for (const call of world.net.calls) {
          const url = new URL(call.url);
          if (url.origin !== HUBSPOT_ORIGIN) continue;
          const requirement = requirementOfCall(call.method, url.pathname);
          expect(requirement.kind, `${call.method} ${url.pathname} is a CRM call the scope table knows`).not.toBe('unknown');
          if (requirement.kind === 'object') called.add(requirement.operation);
          else associationCalls.push(`${call.method} ${url.pathname}`);
          expect(scopesAllow(secret.hubspotScopes, requirement), `${name}: ${call.method} ${url.pathname} with ${secret.hubspotScopes.join(', ')}`).toBe(true);
        }
        world.net.uninstall();
        world = undefined;
      }
      expect(secret.hubspotOperations).toEqual([...called].sort());
      expect(secret.hubspotScopes).toEqual(scopesForOperations([...called]));
      // The description the guide and the bundle header read the scopes from.
      expect(secret.description).toContain(secret.hubspotScopes.join(', '));
    });
  }

  it('with the scopes shopify-order-sync declared before 2026-09 (no e-commerce), a real portal refuses its line-item calls', async () => {
    const scenarios = ACTIONS.find((a) => a.name === 'shopify-order-sync')!.scenarios;
    const path = scenarios.paths[0]!;
    world = freshWorld(scenarios, path);
    (world as World & { hubspot: FakeHubSpot }).hubspot.grantedScopes = ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'crm.objects.deals.read', 'crm.objects.deals.write', 'crm.objects.line_items.read', 'crm.objects.line_items.write'];
    const outcome = await runIn(scenarios, world, path.event);
    expect(outcome.outputs?.status).toBe('error');
    expect(String(outcome.outputs?.error_message)).toContain('e-commerce');
  });

  it('an action touching line items asks for e-commerce', () => {
    for (const { name } of ACTIONS) {
      const secret = tokenSecret(name);
      if (secret.hubspotOperations.some((op) => op.startsWith('line_items.'))) expect(secret.hubspotScopes, name).toContain('e-commerce');
    }
    expect(tokenSecret('shopify-order-sync').hubspotScopes).toContain('e-commerce');
    expect(tokenSecret('quickbooks-invoice').hubspotScopes).toContain('e-commerce');
  });
});
