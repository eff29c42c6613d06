/**
 * node --import tsx scripts/check-spec.ts [<spec checkout>]
 *
 * Re-derives, from a local copy of github.com/HubSpot/HubSpot-public-api-spec-collection (a work tree, or a bare
 * git directory read with `git show HEAD:…`), the facts this project keeps as compact tables — the scopes of
 * lib/hubspot-scopes.ts and the required request fields of test/fakes/hubspot-request-schemas.ts — and prints every
 * difference. Exit 0 when none, 1 otherwise. The specs are proprietary and not in this repository: CI runs the tests
 * on the tables; this script is how a person holds the tables against a new spec release.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ASSOCIATION_ANY_OF, CRM_OBJECT_TYPES, FLOW_SCOPES, OBJECT_SCOPES, SCHEMA_SCOPES, requirementOfCall, type CrmObjectTypeName } from '../lib/hubspot-scopes';
import { REQUEST_SCHEMAS } from '../test/fakes/hubspot-request-schemas';
import { SPEC_OUTPUT_TYPES } from './lib-tooling/flow-deploy';

const DEFAULT_CHECKOUT = '/work/.mirror/HubSpot+HubSpot-public-api-spec-collection/repo';

export const SPEC_FILES = {
  contacts: 'PublicApiSpecs/CRM/Contacts/Rollouts/424/2026-09/contacts.json',
  companies: 'PublicApiSpecs/CRM/Companies/Rollouts/424/2026-09/companies.json',
  deals: 'PublicApiSpecs/CRM/Deals/Rollouts/424/2026-09/deals.json',
  line_items: 'PublicApiSpecs/CRM/Line Items/Rollouts/424/2026-09/lineItems.json',
  associations: 'PublicApiSpecs/CRM/Associations/Rollouts/130902/2026-09/associations.json',
  properties: 'PublicApiSpecs/CRM/Properties/Rollouts/145899/2026-09/properties.json',
  flows: 'PublicApiSpecs/Automation/Automation V4/Rollouts/144908/2026-09-beta/automationV4.json',
} as const;

type Requirement = Record<string, string[]>;
interface Operation { security?: Requirement[]; requestBody?: unknown }
export interface Spec { paths: Record<string, Record<string, Operation>>; components: { schemas: Record<string, { required?: string[] }> } }

function readSpec(checkout: string, file: string): Spec {
  const worktree = path.join(checkout, file);
  if (existsSync(worktree)) return JSON.parse(readFileSync(worktree, 'utf8')) as Spec;
  return JSON.parse(execFileSync('git', ['-C', checkout, 'show', `HEAD:${file}`], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Spec;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const operations = (spec: Spec) =>
  Object.entries(spec.paths).flatMap(([p, ops]) => METHODS.filter((m) => ops[m]).map((m) => ({ method: m.toUpperCase(), path: p, op: ops[m] as Operation })));
/** One scheme's requirements, each as a sorted "a+b" text. */
const requirements = (op: Operation, scheme: string) => (op.security ?? []).filter((r) => r[scheme]).map((r) => [...(r[scheme] as string[])].sort().join('+'));
const same = (a: readonly string[]) => [...a].sort().join('+');

export function checkSpecs(read: (file: string) => Spec): string[] {
  const problems: string[] = [];
  const specs = Object.fromEntries(Object.entries(SPEC_FILES).map(([k, f]) => [k, read(f)])) as Record<keyof typeof SPEC_FILES, Spec>;

  // Objects: every non-association operation of a type has one requirement equal to our table's, in both schemes.
  for (const type of CRM_OBJECT_TYPES) {
    for (const { method, path: p, op } of operations(specs[type])) {
      const requirement = requirementOfCall(method, p.replace('{objectType}', type).replace('{objectId}', '1'));
      if (requirement.kind !== 'object') continue;
      const want = same(OBJECT_SCOPES[requirement.operation]);
      for (const scheme of ['oauth2', 'private_apps']) {
        const have = requirements(op, scheme);
        if (have.length !== 1 || have[0] !== want) problems.push(`${type} ${method} ${p} (${scheme}): spec requires ${JSON.stringify(have)}, table says ${want}`);
      }
    }
  }
  // Associations: each of our alternatives is a single-scope requirement of the calls we make.
  const associationCalls = [
    { spec: 'associations' as const, method: 'post', path: '/crm/associations/2026-09/{fromObjectType}/{toObjectType}/batch/read' },
    { spec: 'line_items' as const, method: 'put', path: '/crm/objects/2026-09/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}' },
  ];
  for (const call of associationCalls) {
    const op = specs[call.spec].paths[call.path]?.[call.method];
    if (!op) {
      problems.push(`${call.spec}: no ${call.method.toUpperCase()} ${call.path}`);
      continue;
    }
    const accepted = new Set(requirements(op, 'private_apps'));
    for (const scope of ASSOCIATION_ANY_OF) if (!accepted.has(scope)) problems.push(`${call.method.toUpperCase()} ${call.path}: ${scope} is not a requirement of its own`);
  }
  // Properties: list accepts crm.schemas.<type>.read, create accepts our write requirement.
  const props = specs.properties.paths['/crm/properties/2026-09/{objectType}'] ?? {};
  for (const type of Object.keys(SCHEMA_SCOPES) as CrmObjectTypeName[]) {
    for (const [access, method] of [['read', 'get'], ['write', 'post']] as const) {
      const accepted = new Set(requirements(props[method] ?? {}, 'private_apps'));
      const want = same(SCHEMA_SCOPES[type][access]);
      if (!accepted.has(want)) problems.push(`properties ${method.toUpperCase()} for ${type}: ${want} is not an accepted requirement`);
    }
  }
  // Flows: OAuth `automation` only, no private-app requirement.
  for (const { method, path: p, op } of operations(specs.flows)) {
    const all = (op.security ?? []).map((r) => Object.entries(r).map(([k, v]) => `${k}:${[...v].sort().join('+')}`).join(','));
    if (all.length !== 1 || all[0] !== `oauth2:${same(FLOW_SCOPES)}`) problems.push(`flows ${method} ${p}: security ${JSON.stringify(all)}, table says oauth2:${same(FLOW_SCOPES)}`);
  }
  // Custom-code output fields: the subtypes the spec documents are the ones deploy sends.
  const outputItems = (specs.flows.components.schemas.ApiCustomCodeAction as { properties?: { outputFields?: { items?: { oneOf?: Array<{ $ref?: string }> } } } } | undefined)?.properties?.outputFields?.items?.oneOf ?? [];
  const documented = outputItems.map((o) => (specs.flows.components.schemas[String(o.$ref).split('/').pop() ?? ''] as { title?: string } | undefined)?.title ?? '?');
  if (same(documented) !== same(SPEC_OUTPUT_TYPES)) problems.push(`flows ApiCustomCodeAction.outputFields documents ${JSON.stringify(documented)}, deploy sends ${JSON.stringify(SPEC_OUTPUT_TYPES)}`);
  // Request schemas: our required lists equal the spec's.
  const schemaSources = [specs.line_items, specs.deals, specs.associations, specs.properties, specs.flows];
  for (const [name, schema] of Object.entries(REQUEST_SCHEMAS)) {
    const found = schemaSources.map((s) => s.components.schemas[name]).find(Boolean);
    if (!found) problems.push(`schema ${name}: not in the specs`);
    else if (same(found.required ?? []) !== same(schema.required)) problems.push(`schema ${name}: spec requires ${same(found.required ?? [])}, table says ${same(schema.required)}`);
  }
  return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const checkout = process.argv[2] ?? DEFAULT_CHECKOUT;
  const problems = checkSpecs((file) => readSpec(checkout, file));
  for (const p of problems) console.error(p);
  console.log(problems.length ? `${problems.length} difference(s) from the specs in ${checkout}` : `The tables match the 2026-09 specs in ${checkout}.`);
  process.exitCode = problems.length ? 1 : 0;
}
