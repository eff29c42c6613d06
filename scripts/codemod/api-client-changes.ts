/**
 * @hubspot/api-client calls whose meaning changed between the clients HubSpot's older runtimes pre-installed
 * (3.x in 2020, ^10 until the Node 24 move) and the current client (14.x). Only changes checked against the client's
 * own code are listed: the CHANGELOG of github.com/HubSpot/hubspot-api-nodejs (tags 3.4.1 … 13.5.0) and the installed
 * node_modules/hubspot-api-client-v10 (10.2.0) and node_modules/@hubspot/api-client (14.x); test/tooling/upgrade.test.ts
 * loads both installed clients and checks every "since 10" entry against them.
 */

export interface ApiClientChange {
  /** Matched against the call's member path after the client variable, e.g. "crm.contacts.associationsApi.create". */
  pattern: RegExp;
  /** Extra condition on the call: its argument count, and its argument nodes when the caller has them. */
  when?: (args: CallArgs) => boolean;
  /** The client version that changed it. */
  since: string;
  /** error: the call fails or misreads data on the current client; warning: it may, depending on how it is called. */
  severity: 'error' | 'warning';
  what: string;
  fix: string;
}

/** A call's arguments: the count, and the parsed nodes (@babel/parser) when known. */
export interface CallArgs {
  count: number;
  nodes?: any[];
}

/**
 * Object types an old-style `associations` argument names (getById(id, properties, ['companies'])): plural type
 * names and type ids only, since singular ones (`company`, `email`) are also property names and could be a
 * current-style propertiesWithHistory.
 */
const ASSOCIATION_TYPES = /^(contacts|companies|deals|tickets|line_items|products|quotes|0-\d+|2-\d+)$/;

/**
 * Whether argument `index` is written for the pre-6.0.0 signature, where it held `associations` (or, one further,
 * `archived`). Only evidence counts: an array of object type names, a variable named like associations, or a
 * boolean where the old signature took `archived`. `undefined`, `[]`, property names or anything unknown match
 * the current signature (propertiesWithHistory there): no warning.
 */
function oldAssociationsArgument(args: CallArgs, index: number): boolean {
  if (!args.nodes) return args.count > index;
  const node = args.nodes[index];
  const next = args.nodes[index + 1];
  if (!node) return false;
  if (node.type === 'ArrayExpression' && node.elements.length > 0 && node.elements.every((e: any) => e?.type === 'StringLiteral' && ASSOCIATION_TYPES.test(e.value))) return true;
  if (node.type === 'Identifier' && /assoc/i.test(node.name)) return true;
  // old: (…, associations, archived); current: (…, propertiesWithHistory, associations): a boolean right after means old.
  return args.nodes.length === index + 2 && next?.type === 'BooleanLiteral';
}

const OBJECTS = '(?:contacts|companies|deals|tickets|lineItems|products|quotes|objects(?:\\.\\w+)?)';

export const API_CLIENT_CHANGES: ApiClientChange[] = [
  {
    pattern: new RegExp(`^crm\\.${OBJECTS}\\.associationsApi\\.\\w+$`),
    since: '9.0.0 (crm.objects: 11.0.0)',
    severity: 'error',
    what: 'the per-object associationsApi was removed',
    fix: "use crm.associations.v4.basicApi.create(fromType, fromId, toType, toId, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }]) (or .createDefault(fromType, fromId, toType, toId))",
  },
  {
    pattern: new RegExp(`^crm\\.${OBJECTS}\\.(?:publicObjectApi|mergeApi)\\.merge$`),
    since: '13.0.0',
    severity: 'error',
    what: 'merge() moved from publicObjectApi (renamed mergeApi in 12.0.0) to basicApi',
    fix: 'call crm.<object>.basicApi.merge({ primaryObjectId, objectIdToMerge })',
  },
  {
    pattern: new RegExp(`^crm\\.${OBJECTS}\\.gdprApi\\.purge$`),
    since: '12.0.0 (contacts: 13.0.0)',
    severity: 'error',
    what: 'gdprApi was removed; contacts.purge() moved to basicApi',
    fix: 'call crm.contacts.basicApi.purge({ objectId })',
  },
  {
    pattern: /^crm\.extensions\.cards\.cardsApi\.(?:getById|archive|update)$/,
    since: 'after 10.2.0 (10.2.0 takes (appId, cardId); 14.x takes (cardId, appId))',
    severity: 'error',
    what: 'the argument order is (cardId, appId), it was (appId, cardId)',
    fix: 'swap the first two arguments',
  },
  {
    pattern: new RegExp(`^crm\\.${OBJECTS}\\.basicApi\\.getById$`),
    when: (args) => oldAssociationsArgument(args, 2),
    since: '6.0.0',
    severity: 'warning',
    what: 'getById(id, properties, associations, …) became getById(id, properties, propertiesWithHistory, associations, archived, idProperty) (the same in 10.2.0 and the latest client): this 3rd argument, written as associations, is now read as propertiesWithHistory',
    fix: 'check the 3rd argument: pass associations 4th (getById(id, properties, undefined, associations))',
  },
  {
    pattern: new RegExp(`^crm\\.${OBJECTS}\\.basicApi\\.getPage$`),
    when: (args) => oldAssociationsArgument(args, 3),
    since: '6.0.0',
    severity: 'warning',
    what: 'getPage(limit, after, properties, associations, …) became getPage(limit, after, properties, propertiesWithHistory, associations, archived): this 4th argument, written as associations, is now read as propertiesWithHistory',
    fix: 'pass associations 5th (getPage(limit, after, properties, undefined, associations))',
  },
  {
    pattern: /^apiRequest$/,
    since: '6.0.0',
    severity: 'warning',
    what: 'apiRequest() resolves to a fetch Response, not { response, body }, and does not reject on 4xx/5xx',
    fix: 'const res = await client.apiRequest({ method, path, body }); if (!res.ok) throw Object.assign(new Error(`HubSpot ${res.status}`), { response: { status: res.status } }); const data = await res.json();',
  },
];

/** `.body` on what a client call resolved to: until 6.0.0 every method resolved `{ response, body }`. */
export const BODY_WRAPPER_CHANGE = {
  since: '6.0.0',
  what: 'client methods resolve to the object itself; until 6.0.0 they resolved { response, body }, so `.body` is now undefined',
  fix: 'drop `.body` (results.body.properties → results.properties)',
};

/** `args`: the argument nodes of the call (preferred), or only their count (then any call that may be old style matches). */
export function matchApiClientChange(path: string, args: number | any[]): ApiClientChange | undefined {
  const info: CallArgs = typeof args === 'number' ? { count: args } : { count: args.length, nodes: args };
  return API_CLIENT_CHANGES.find((c) => c.pattern.test(path) && (!c.when || c.when(info)));
}
