/**
 * The most of one response body lib/http.ts reads, per vendor endpoint: what the endpoint can legitimately return
 * for the calls our actions make, with headroom, and never more than an action can parse inside HubSpot's 128 MB
 * (https://developers.hubspot.com/docs/api/workflows/custom-code-actions, "Limitations").
 *
 * Why the ceiling is 3 MiB. JSON.parse holds the text and everything it builds at once, and what it builds depends
 * on the shape, not the length: measured on Node 24 (test/lib/heap-limit.test.ts repeats it in a child process
 * under --max-old-space-size=128), 1 MB of `[{},{},…]` becomes 21 MB of objects, `[[],…]` 13 MB, numbers 4 MB,
 * records of strings 1–3 MB. So 3 MiB of the worst shape parses into ~64 MB, which leaves the bundle, Node and the
 * text itself room under 128 MB (a run parsing it completes even under --max-old-space-size=80, which matters
 * because Lambda's 128 MB is the whole process, not only the heap); the former 8 MiB cap let a 7.9 MB answer end in a fatal heap error, which carries
 * no status, so HubSpot neither re-runs the action nor reports an error code.
 *
 * A body over its cap is RESPONSE_TOO_LARGE, permanent (lib/classify.ts): the same request gets the same answer on
 * every one of HubSpot's re-runs for 3 days, so the workflow's error branch should see it now.
 */

export interface ResponseCap {
  service: string;
  /** For logs and the guide: which calls the cap covers. */
  endpoint: string;
  /** Path test (undefined: every other call of the service). */
  path?: RegExp;
  bytes: number;
  why: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;

/** No cap is larger: 3 MiB of the worst JSON shape still parses inside 128 MB (see above). */
export const MAX_RESPONSE_BYTES = 3 * MiB;

/** Ordered: the first entry of the service whose path matches decides. */
export const RESPONSE_CAPS: readonly ResponseCap[] = [
  {
    service: 'hubspot',
    endpoint: 'CRM search, batch read/create/upsert, associations',
    path: /\/(search|batch\/[a-z]+)\/?$/,
    bytes: 2 * MiB,
    why:
      'a search page holds up to 200 records (PublicObjectSearchRequest.limit, "up to 200 objects": HubSpot-public-api-spec-collection ' +
      'PublicApiSpecs/CRM/Contacts/Rollouts/424/2026-09/contacts.json), a batch up to 100 (lib/hubspot.ts BATCH_LIMIT); with the few short ' +
      'properties our actions ask for a record is under 1 KB, so ~200 KB, ×10 for long text values',
  },
  { service: 'hubspot', endpoint: 'one record, one association', bytes: 512 * KiB, why: 'one record with the properties we ask for: a few KB' },
  {
    service: 'salesforce',
    endpoint: 'SOQL query',
    path: /\/query\/?/,
    bytes: MAX_RESPONSE_BYTES,
    why:
      'up to 2,000 records per batch (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm); ' +
      'a Lead of our 12 fields (lib/salesforce.ts LEAD_FIELDS) is ~600 bytes with its attributes, so ~1.2 MB',
  },
  { service: 'salesforce', endpoint: 'token, one Lead', bytes: 512 * KiB, why: 'an OAuth token answer or one sObject: a few KB' },
  {
    service: 'shopify',
    endpoint: 'Admin GraphQL (an order with a page of line items), OAuth token',
    bytes: MiB,
    why:
      'one order with a page of at most 250 line items (connections return up to 250: https://shopify.dev/docs/api/usage/pagination-graphql; ' +
      'we ask for 100), each well under 2 KB with the fields we select: under 500 KB',
  },
  {
    service: 'quickbooks',
    endpoint: 'query',
    path: /\/query\/?$/,
    bytes: MAX_RESPONSE_BYTES,
    why:
      'a query returns at most MAXRESULTS entities (we ask for 10, lib/quickbooks.ts; Intuit allows up to 1,000 per page), a Customer or Item ' +
      'is ~2 KB, so ~2 MB at the most Intuit would send',
  },
  { service: 'quickbooks', endpoint: 'token, one entity, preferences', bytes: MiB, why: 'an OAuth token answer, one Customer/Invoice or the preferences: tens of KB' },
  {
    service: 'clearbit',
    endpoint: 'combined find (person + company)',
    bytes: 512 * KiB,
    why: 'one person and one company (https://dashboard.clearbit.com/docs#enrichment-api-combined-api): 10–30 KB',
  },
];

/** Any other service: a single JSON document of ordinary size. */
export const DEFAULT_RESPONSE_CAP: ResponseCap = { service: '*', endpoint: 'any other call', bytes: MiB, why: 'no endpoint of ours returns more' };

/** The cap for one call. `url` may be absolute or a path. */
export function responseCapFor(service: string, url: string): ResponseCap {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split('?')[0] ?? url;
  }
  return RESPONSE_CAPS.find((cap) => cap.service === service && (cap.path === undefined || cap.path.test(path))) ?? DEFAULT_RESPONSE_CAP;
}
