import type { ActionError } from '../../lib/errors';
import type { ServiceClient } from '../../lib/http';
import { hubspotPaths, portalRuleViolation, type HubSpotErrorBody } from '../../lib/hubspot';
import { QUICKBOOKS_TOKEN_STORE } from '../../lib/quickbooks';
import { STORE_GROUP, STORE_KEY_PROPERTY } from '../../lib/token-store';
import { configuredHubSpotApiVersion, type AnyAction } from './common';
import type { SetupResult } from './property-setup';

/**
 * The token store's company record (lib/token-store.ts), created once here and never by an action. From API version
 * 2026-09 HubSpot enforces a portal's validation rules on API writes, so a create-company form with required fields
 * refuses a create that lacks them (https://developers.hubspot.com/changelog/crm-api-write-validation-enforcement):
 * an action cannot know what to put there; here an admin reads which property the rule named and how to create the
 * record by hand instead.
 *
 *   GET  /crm/objects/{version}/companies/{key}?idProperty=integration_store_key   exists? (404: no)
 *   POST /crm/objects/{version}/companies   { properties: { name, integration_store_key }, associations: [] }
 * Facts from HubSpot-public-api-spec-collection PublicApiSpecs/CRM/Companies/Rollouts/424/2026-09/companies.json:
 * the create body (SimplePublicObjectInputForCreate) requires `properties` and `associations`; reads need
 * crm.objects.companies.read, the create crm.objects.companies.write.
 */

/** The record each action's token store needs, by action name. */
export const TOKEN_STORES: Readonly<Record<string, { key: string; recordName: string }>> = {
  'quickbooks-invoice': QUICKBOOKS_TOKEN_STORE,
};

/** Scopes the Service Key needs for this step, besides the crm.schemas.* ones of the property step. */
export const TOKEN_STORE_SCOPES: readonly string[] = ['crm.objects.companies.read', 'crm.objects.companies.write'];

export interface TokenStoreRecord {
  key: string;
  actions: string[];
  /** exists / created: `id` is the record's id; missing: a dry run, or the key property does not exist yet. */
  status: 'exists' | 'created' | 'missing' | 'refused';
  id?: string;
}

export interface TokenStoreSetup {
  records: TokenStoreRecord[];
  lines: string[];
  /** HubSpot refused a create: the admin has a manual step to do (the lines say which). */
  refused: boolean;
}

/** How to make the record by hand, for a portal whose rules refuse our create (or an admin who prefers the UI). */
export function manualTokenStoreSteps(store: { key: string; recordName: string }, required?: string): string[] {
  return [
    `  Create it by hand: HubSpot → CRM → Companies → Create company; Company name "${store.recordName}"${required ? `; fill ${required}` : ''} and whatever else your form requires; save.`,
    `  Then, on that record (View all properties), set "Integration store key (unique)" (group "${STORE_GROUP.label}") to ${store.key}.`,
    '  Run `npm run setup` again: it finds the record and prints its id. Do not delete or merge that company.',
  ];
}

/** Finds, and with `apply` creates, the token store record of every action in `actions` that keeps one. */
export async function setupTokenStores(client: ServiceClient, actions: readonly AnyAction[], properties: SetupResult, options: { apiVersion?: string } = {}): Promise<TokenStoreSetup> {
  const paths = hubspotPaths(options.apiVersion ?? configuredHubSpotApiVersion());
  const byKey = new Map<string, { store: { key: string; recordName: string }; actions: string[] }>();
  for (const action of actions) {
    const store = TOKEN_STORES[action.definition.name];
    if (store) (byKey.get(store.key) ?? byKey.set(store.key, { store, actions: [] }).get(store.key)!).actions.push(action.definition.name);
  }
  const result: TokenStoreSetup = { records: [], lines: [], refused: false };
  const keyProperty = `companies.${STORE_KEY_PROPERTY}`;
  // Before --apply the unique key property may not exist yet; reading by it would be refused.
  const keyPropertyExists = [...properties.plan.matching, ...properties.plan.different].some((d) => `${d.property.objectType}.${d.property.name}` === keyProperty) ||
    properties.createdProperties.includes(keyProperty) ||
    properties.alreadyExisted.includes(keyProperty);

  for (const { store, actions: names } of byKey.values()) {
    const label = `token store company "${store.recordName}" (${STORE_KEY_PROPERTY} = ${store.key}) for ${names.join(', ')}`;
    try {
      const found = keyPropertyExists ? await findStore(client, paths, store.key) : undefined;
      if (found) {
        result.records.push({ key: store.key, actions: names, status: 'exists', id: found });
        result.lines.push(`exists        ${label}: record id ${found}`);
        continue;
      }
      if (!properties.applied) {
        result.records.push({ key: store.key, actions: names, status: 'missing' });
        result.lines.push(`would create  ${label}${keyPropertyExists ? '' : ' (after its properties)'}`);
        continue;
      }
      const created = await client.request<{ id?: string } & HubSpotErrorBody>({
        method: 'POST',
        url: paths.objects('companies'),
        json: { properties: { name: store.recordName, [STORE_KEY_PROPERTY]: store.key }, associations: [] },
        // 409: created meanwhile (the key is unique), read below. 400: a rule of the portal refused it, explained below.
        accept: [400, 409],
        label: 'create token store company',
      });
      if (created.status === 409) {
        const id = await findStore(client, paths, store.key);
        result.records.push({ key: store.key, actions: names, status: 'exists', ...(id ? { id } : {}) });
        result.lines.push(`exists        ${label}: record id ${id ?? '(not readable yet)'} (created meanwhile)`);
        continue;
      }
      if (created.status === 400) {
        const body = created.data ?? {};
        const rule = portalRuleViolation(body);
        result.refused = true;
        result.records.push({ key: store.key, actions: names, status: 'refused' });
        result.lines.push(
          `REFUSED       ${label}: HubSpot refused the create (${body.category ?? 'HTTP 400'}${rule?.property ? `, property ${rule.property}` : ''}): ${body.message ?? 'no message'}`,
          rule
            ? `  A validation rule of this portal requires ${rule.property ? `"${rule.property}"` : 'a field'} on new companies (Settings → Objects → Companies → Record customization, or the property's rules).`
            : '  The create was refused for another reason: check the message above.',
          ...manualTokenStoreSteps(store, rule?.property ? `"${rule.property}"` : undefined),
        );
        continue;
      }
      const id = String(created.data?.id ?? '');
      result.records.push({ key: store.key, actions: names, status: 'created', id });
      result.lines.push(`created       ${label}: record id ${id}`);
    } catch (error) {
      // A Service Key made for the property step alone lacks the object scopes: say so, and how to do without them.
      const status = (error as ActionError)?.httpStatus;
      if (status !== 401 && status !== 403) throw error;
      result.refused = true;
      result.records.push({ key: store.key, actions: names, status: 'refused' });
      result.lines.push(
        `NOT CHECKED   ${label}: HubSpot answered ${status} (${(error as Error).message}). This step needs the scopes ${TOKEN_STORE_SCOPES.join(', ')} on the Service Key; add them and run setup again, or:`,
        ...manualTokenStoreSteps(store),
      );
    }
  }
  return result;
}

async function findStore(client: ServiceClient, paths: ReturnType<typeof hubspotPaths>, key: string): Promise<string | undefined> {
  const res = await client.request<{ id?: string }>({
    method: 'GET',
    url: paths.object('companies', key),
    query: { idProperty: STORE_KEY_PROPERTY, properties: 'name' },
    accept: [404],
    idempotent: true,
    expectJson: true,
    label: 'read token store company',
  });
  return res.status === 404 ? undefined : String(res.data?.id ?? '') || undefined;
}
