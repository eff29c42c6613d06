import { ConfigError, type ActionError } from '../../lib/errors';
import type { ServiceClient } from '../../lib/http';
import type { PropertyDeclaration, PropertyGroupDeclaration, PropertyObjectType } from '../../lib/properties';
import { hubspotPaths } from '../../lib/hubspot';
import { SCHEMA_SCOPES as SPEC_SCHEMA_SCOPES } from '../../lib/hubspot-scopes';
import { configuredHubSpotApiVersion, type AnyAction } from './common';

/**
 * Provisions the custom properties the actions declare (lib/properties.ts), with HubSpot's CRM properties API
 * (date version 2026-09 by default, the build's pin otherwise; paths from lib/hubspot.ts hubspotPaths):
 *   GET  /crm/properties/{version}/{objectType}           every property of the object (custom and default)
 *   GET  /crm/properties/{version}/{objectType}/groups    every property group
 *   POST /crm/properties/{version}/{objectType}/groups    create a group   (409 CONFLICT when it exists)
 *   POST /crm/properties/{version}/{objectType}           create a property (409 when it exists)
 * https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide ; spec
 * HubSpot-public-api-spec-collection PublicApiSpecs/CRM/Properties/Rollouts/145899/2026-09/properties.json
 *
 * It only ever creates: a property that exists with another definition is reported, never changed (changing the
 * type of a property with data is destructive and HubSpot may refuse it anyway). Reading first makes a second
 * run a no-op; a 409 from a create (someone made it in between) counts as "exists", not as a failure.
 */

/**
 * Scopes the Service Key (or legacy private app) needs, per object type: read to list, write to create. From the
 * 2026-09 properties spec via lib/hubspot-scopes.ts (line items have no crm.schemas.line_items.write: `e-commerce`).
 */
export const SCHEMA_SCOPES: Record<PropertyObjectType, { read: string; write: string }> = Object.fromEntries(
  Object.entries(SPEC_SCHEMA_SCOPES).map(([type, s]) => [type, { read: s.read.join(' '), write: s.write.join(' ') }]),
) as Record<PropertyObjectType, { read: string; write: string }>;

export function scopesFor(objectTypes: Iterable<PropertyObjectType>, apply: boolean): string[] {
  const scopes = new Set<string>();
  for (const t of objectTypes) {
    scopes.add(SCHEMA_SCOPES[t].read);
    if (apply) scopes.add(SCHEMA_SCOPES[t].write);
  }
  return [...scopes].sort();
}

/** A property as the properties API returns it (trimmed to the fields we compare). */
export interface HubSpotProperty {
  name: string;
  label?: string;
  type: string;
  fieldType: string;
  groupName?: string;
  options?: Array<{ label: string; value: string; hidden?: boolean; displayOrder?: number }>;
  hasUniqueValue?: boolean;
}

export interface HubSpotPropertyGroup {
  name: string;
  label: string;
  displayOrder?: number;
  archived?: boolean;
}

export interface Declared {
  property: PropertyDeclaration;
  /** Actions that declare it (one property may serve several). */
  actions: string[];
}

export interface SetupPlan {
  objectTypes: PropertyObjectType[];
  groups: Array<{ objectType: PropertyObjectType; group: PropertyGroupDeclaration; exists: boolean }>;
  missing: Declared[];
  matching: Declared[];
  /** Exists in HubSpot with another definition: reported, not changed. */
  different: Array<Declared & { differences: string[] }>;
  /** Two actions declare one property differently: a bug in the declarations. */
  inconsistent: string[];
}

export interface SetupResult {
  plan: SetupPlan;
  applied: boolean;
  createdGroups: string[];
  createdProperties: string[];
  /** Created by someone else between our read and our create (409). */
  alreadyExisted: string[];
}

const key = (p: { objectType: string; name: string }) => `${p.objectType}.${p.name}`;

/**
 * Object types whose properties may have hasUniqueValue: "contacts, companies, deals, tickets, and custom objects"
 * (https://developers.hubspot.com/docs/api-reference/latest/crm/properties/guide, unique identifier properties).
 * Line items are not among them.
 */
export const UNIQUE_CAPABLE: readonly string[] = ['contacts', 'companies', 'deals', 'tickets'];

/** Every declared property once, with the group declarations it needs; the declarations must agree. */
export function collectDeclarations(actions: readonly AnyAction[]): { declared: Declared[]; groups: Map<string, PropertyGroupDeclaration>; inconsistent: string[] } {
  const byKey = new Map<string, Declared>();
  const groups = new Map<string, PropertyGroupDeclaration>();
  const inconsistent: string[] = [];
  for (const action of actions) {
    const def = action.definition;
    for (const g of def.propertyGroups ?? []) if (!groups.has(g.name)) groups.set(g.name, g);
    for (const p of def.properties ?? []) {
      const seen = byKey.get(key(p));
      if (!seen) {
        byKey.set(key(p), { property: p, actions: [def.name] });
        continue;
      }
      seen.actions.push(def.name);
      const differences = compareDefinition(seen.property, toHubSpotShape(p));
      if (differences.length) inconsistent.push(`${key(p)}: ${seen.actions[0]} and ${def.name} declare it differently (${differences.join('; ')})`);
    }
  }
  const declared = [...byKey.values()].sort((a, b) => key(a.property).localeCompare(key(b.property)));
  for (const d of declared) {
    if (d.property.hasUniqueValue && !UNIQUE_CAPABLE.includes(d.property.objectType)) {
      inconsistent.push(`${key(d.property)} (${d.actions.join(', ')}) is declared unique, but HubSpot offers unique values only for ${UNIQUE_CAPABLE.join(', ')} (and custom objects)`);
    }
  }
  return { declared, groups, inconsistent };
}

function toHubSpotShape(p: PropertyDeclaration): HubSpotProperty {
  return { name: p.name, type: p.type, fieldType: p.fieldType, groupName: p.groupName, ...(p.options ? { options: p.options } : {}), hasUniqueValue: p.hasUniqueValue === true };
}

const optionList = (options: HubSpotProperty['options']) =>
  (options ?? []).filter((o) => o.hidden !== true).map((o) => o.value).sort().join(',');

/** What differs between a declaration and an existing property: type, fieldType, options, uniqueness. */
export function compareDefinition(declared: PropertyDeclaration, existing: HubSpotProperty): string[] {
  const differences: string[] = [];
  if (existing.type !== declared.type) differences.push(`type is ${existing.type}, declared ${declared.type}`);
  if (existing.fieldType !== declared.fieldType) differences.push(`fieldType is ${existing.fieldType}, declared ${declared.fieldType}`);
  const unique = existing.hasUniqueValue === true;
  if (unique !== (declared.hasUniqueValue === true)) differences.push(`hasUniqueValue is ${unique}, declared ${declared.hasUniqueValue === true}`);
  if (declared.type === 'enumeration' || existing.type === 'enumeration') {
    const want = optionList(declared.options);
    const have = optionList(existing.options);
    if (want !== have) differences.push(`options are [${have}], declared [${want}]`);
  }
  return differences;
}

function propertyBody(p: PropertyDeclaration): Record<string, unknown> {
  return {
    name: p.name,
    label: p.label,
    description: p.description,
    groupName: p.groupName,
    type: p.type,
    fieldType: p.fieldType,
    ...(p.options ? { options: p.options.map((o, i) => ({ label: o.label, value: o.value, displayOrder: i, hidden: false })) } : {}),
    ...(p.hasUniqueValue ? { hasUniqueValue: true } : {}),
    // Written by integrations; a user editing them by hand in a form would break the sync keys.
    formField: false,
  };
}

/** 401/403 become a ConfigError that names the scopes to grant (and what HubSpot said it was missing). */
function explainAuthFailure(error: unknown, scopes: string[]): never {
  const e = error as ActionError;
  if (e?.httpStatus === 401) {
    throw new ConfigError(`HubSpot rejected the access token (401): check HUBSPOT_ACCESS_TOKEN in .env — it must be a HubSpot Service Key (Development → Keys → Service keys; or a legacy private-app token) with the scopes ${scopes.join(', ')}.`, {
      errorCode: 'UNAUTHORIZED',
      status: 401,
      cause: error,
    });
  }
  if (e?.httpStatus === 403) {
    throw new ConfigError(`The access token lacks a scope (403: ${e.message}). Add these scopes to the Service Key (Development → Keys → Service keys → your key; or to the legacy private app): ${scopes.join(', ')}.`, {
      errorCode: 'MISSING_SCOPES',
      status: 403,
      cause: error,
    });
  }
  throw error;
}

async function listAll<T>(client: ServiceClient, url: string, label: string): Promise<T[]> {
  const results: T[] = [];
  let after: string | undefined;
  // The properties endpoints answer in one page today; follow `paging.next.after` should that change.
  do {
    const res = await client.request<{ results?: T[]; paging?: { next?: { after?: string } } }>({ method: 'GET', url, query: { after }, idempotent: true, expectJson: true, label });
    results.push(...(res.data?.results ?? []));
    after = res.data?.paging?.next?.after;
  } while (after);
  return results;
}

export async function planSetup(client: ServiceClient, actions: readonly AnyAction[], options: { apiVersion?: string } = {}): Promise<SetupPlan> {
  const paths = hubspotPaths(options.apiVersion ?? configuredHubSpotApiVersion());
  const { declared, groups: groupDecls, inconsistent } = collectDeclarations(actions);
  const objectTypes = [...new Set(declared.map((d) => d.property.objectType))].sort() as PropertyObjectType[];
  // Name the write scopes even on a dry run: the next step is `--apply`.
  const scopes = scopesFor(objectTypes, true);
  const plan: SetupPlan = { objectTypes, groups: [], missing: [], matching: [], different: [], inconsistent };
  for (const objectType of objectTypes) {
    let existingProps: HubSpotProperty[];
    let existingGroups: HubSpotPropertyGroup[];
    try {
      existingProps = await listAll<HubSpotProperty>(client, paths.properties(objectType), `list ${objectType} properties`);
      existingGroups = await listAll<HubSpotPropertyGroup>(client, paths.propertyGroups(objectType), `list ${objectType} property groups`);
    } catch (error) {
      explainAuthFailure(error, scopes);
    }
    const propsByName = new Map(existingProps.map((p) => [p.name, p]));
    const groupNames = new Set(existingGroups.map((g) => g.name));
    const mine = declared.filter((d) => d.property.objectType === objectType);
    for (const groupName of [...new Set(mine.map((d) => d.property.groupName))].sort()) {
      const group = groupDecls.get(groupName) ?? { name: groupName, label: groupName };
      plan.groups.push({ objectType, group, exists: groupNames.has(groupName) });
    }
    for (const d of mine) {
      const existing = propsByName.get(d.property.name);
      if (!existing) plan.missing.push(d);
      else {
        const differences = compareDefinition(d.property, existing);
        if (differences.length) plan.different.push({ ...d, differences });
        else plan.matching.push(d);
      }
    }
  }
  return plan;
}

/** Plans, and with `apply` creates the missing groups and properties. Never modifies an existing one. */
export async function runPropertySetup(client: ServiceClient, actions: readonly AnyAction[], options: { apply: boolean; apiVersion?: string }): Promise<SetupResult> {
  const paths = hubspotPaths(options.apiVersion ?? configuredHubSpotApiVersion());
  const plan = await planSetup(client, actions, { apiVersion: paths.version });
  const result: SetupResult = { plan, applied: options.apply, createdGroups: [], createdProperties: [], alreadyExisted: [] };
  if (!options.apply) return result;
  const scopes = scopesFor(plan.objectTypes, true);
  try {
    for (const { objectType, group, exists } of plan.groups) {
      if (exists) continue;
      const res = await client.request({
        method: 'POST',
        url: paths.propertyGroups(objectType),
        json: { name: group.name, label: group.label },
        accept: [409],
        label: `create ${objectType} property group ${group.name}`,
      });
      if (res.status === 409) result.alreadyExisted.push(`${objectType} group ${group.name}`);
      else result.createdGroups.push(`${objectType}.${group.name}`);
    }
    for (const { property } of plan.missing) {
      const res = await client.request({
        method: 'POST',
        url: paths.properties(property.objectType),
        json: propertyBody(property),
        accept: [409],
        label: `create ${property.objectType} property ${property.name}`,
      });
      if (res.status === 409) result.alreadyExisted.push(key(property));
      else result.createdProperties.push(key(property));
    }
  } catch (error) {
    explainAuthFailure(error, scopes);
  }
  return result;
}

/** The report a person reads: one line per thing, what will (or did) happen first. */
export function formatSetupReport(result: SetupResult): string[] {
  const { plan } = result;
  const lines: string[] = [];
  const verb = result.applied ? 'created' : 'would create';
  if (!plan.objectTypes.length) return ['No action declares custom properties: nothing to do.'];
  for (const g of plan.groups) {
    if (g.exists) continue;
    const created = result.createdGroups.includes(`${g.objectType}.${g.group.name}`);
    if (!result.applied || created) lines.push(`${verb} group     ${g.objectType}.${g.group.name} ("${g.group.label}")`);
  }
  for (const d of plan.missing) {
    const k = key(d.property);
    if (!result.applied || result.createdProperties.includes(k)) {
      lines.push(`${verb} property  ${k} (${d.property.type}/${d.property.fieldType}${d.property.hasUniqueValue ? ', unique' : ''}) for ${d.actions.join(', ')}`);
    }
  }
  for (const what of result.alreadyExisted) lines.push(`exists (created meanwhile) ${what}`);
  for (const d of plan.different) {
    lines.push(`DIFFERENT  ${key(d.property)} exists with another definition — not changed: ${d.differences.join('; ')}`);
  }
  for (const problem of plan.inconsistent) lines.push(`INCONSISTENT declarations: ${problem}`);
  const toCreate = plan.missing.length + plan.groups.filter((g) => !g.exists).length;
  lines.push(
    `${plan.matching.length} propert${plan.matching.length === 1 ? 'y' : 'ies'} already as declared, ${plan.missing.length} missing, ${plan.different.length} different` +
      (result.applied ? '.' : toCreate ? '. Dry run: run `npm run setup -- --apply` to create the missing ones.' : '. Nothing to create.'),
  );
  return lines;
}
