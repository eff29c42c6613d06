/**
 * Every vendor API version this project calls, pinned in this one place. Each entry carries the dates that decide
 * how long it is served, as data, so `npm run build` can warn before a pinned version reaches its end of support
 * (scripts/build.mjs → versionWarnings).
 *
 * Why pin at all: HubSpot versions its APIs by date since 2026-03-30 and serves each date version for 18 months;
 * Shopify serves each quarterly version for 12 months and then silently answers with the oldest supported one;
 * Salesforce retires old REST versions in announced batches; QuickBooks stops serving old minor versions.
 */

export interface PinnedApiVersion {
  /** Who serves it, for warnings ("Shopify Admin GraphQL API"). */
  api: string;
  version: string;
  /** ISO date the version was released. */
  released: string;
  /** ISO date its support ends, when the vendor publishes one (or derives one from a fixed window). */
  supportEnds?: string;
  /** Where the support window is documented. */
  source: string;
}

/** HubSpot's date-based CRM/automation API version (current: 2026-09, released 2026-09-08, 18 months of support). */
export const HUBSPOT_API_VERSION = '2026-09';

/**
 * Shopify Admin GraphQL API: the newest stable version. Shopify releases one each quarter and supports it for at least
 * 12 months; a request for an unsupported version is silently answered by the oldest supported one.
 * https://shopify.dev/docs/api/usage/versioning
 */
export const SHOPIFY_API_VERSION = '2026-10';

/**
 * Salesforce REST API: Winter '27 = v68.0, the newest version in Salesforce's version list (Metadata API "previous
 * versions" lists 68.0 Winter '27; the End-of-Life page lists 41.0 through 68.0 as supported).
 * https://developer.salesforce.com/docs/platform/connect-rest-api/guide/intro_api_eol
 * The resources we call (query, sobjects/Lead) and the Lead fields we read are unchanged since long before v64.0.
 */
export const SALESFORCE_API_VERSION = 'v68.0';

const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` + n months, as the vendors count support windows ("18 months from release"). */
export function addMonths(isoDate: string, months: number): string {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
}

/**
 * Every pinned version with its release and end of support, the data behind `npm run build`'s warning. A function,
 * not a constant, so it can name constants declared anywhere in this file.
 */
export function pinnedApiVersions(): PinnedApiVersion[] {
  return [
    /*
     * 2026-09 shipped on 2026-09-08 and each date version is served for 18 months (unsupported 18 months after GA;
     * legacy v1–v4 paths unsupported from September 2027: https://developers.hubspot.com/docs/api-reference/legacy/migration-guide).
     * lib/hubspot.ts hubspotPaths builds every path on this version; a build can pin another date version
     * (`"hubspot": { "apiVersion": … }` in actions.config.json).
     */
    {
      api: 'HubSpot date-versioned APIs',
      version: HUBSPOT_API_VERSION,
      released: '2026-09-08',
      supportEnds: addMonths('2026-09-08', 18),
      source: 'https://developers.hubspot.com/docs/developer-tooling/platform/versioning',
    },
    {
      api: 'Shopify Admin GraphQL API',
      version: SHOPIFY_API_VERSION,
      released: '2026-10-01',
      // "Each stable version is supported for a minimum of 12 months."
      supportEnds: addMonths('2026-10-01', 12),
      source: 'https://shopify.dev/docs/api/usage/versioning',
    },
    {
      api: 'Salesforce REST API',
      version: SALESFORCE_API_VERSION,
      // Winter '27 reached instances from September 2026 on; the earliest date makes the end below the earliest too.
      released: '2026-09-01',
      // "Salesforce is committed to supporting each API version for a minimum of three years from the date of first release."
      supportEnds: addMonths('2026-09-01', 36),
      source: 'https://developer.salesforce.com/docs/platform/connect-rest-api/guide/intro_api_eol',
    },
    {
      api: 'QuickBooks Online Accounting API minorversion',
      version: String(QUICKBOOKS_MINOR_VERSION),
      // Minor versions 1–74 stopped being served on 2025-08-01; since then 75 is the minimum and the default.
      released: '2025-08-01',
      // Intuit publishes no end date for 75; the build cannot warn ahead of one (watch the Intuit developer blog).
      source: 'https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/minor-versions',
    },
  ];
}

/** How many days ahead of an end of support `npm run build` starts warning. */
export const VERSION_WARNING_DAYS = 60;

/**
 * One line per pinned version whose support ends within `windowDays` of `now`, or has ended; none otherwise.
 * Pure: the clock and the table come in, so tests can stand on any date.
 */
export function versionWarnings(versions: readonly PinnedApiVersion[], now: number, windowDays = VERSION_WARNING_DAYS): string[] {
  const warnings: string[] = [];
  for (const v of versions) {
    if (!v.supportEnds) continue;
    const ends = Date.parse(`${v.supportEnds}T00:00:00Z`);
    if (Number.isNaN(ends)) continue;
    const days = Math.ceil((ends - now) / DAY_MS);
    const name = `${v.api} ${v.version}`;
    if (days <= 0) warnings.push(`${name}: support ended on ${v.supportEnds} (${-days} days ago): move to a newer version (${v.source})`);
    else if (days <= windowDays) warnings.push(`${name}: support ends on ${v.supportEnds} (in ${days} days): move to a newer version (${v.source})`);
  }
  return warnings;
}

export const QUICKBOOKS_MINOR_VERSION = 75;
