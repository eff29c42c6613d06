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

export const SHOPIFY_API_VERSION = '2025-10';
export const SALESFORCE_API_VERSION = 'v64.0';
export const QUICKBOOKS_MINOR_VERSION = 75;

// ---- HubSpot (lib/hubspot.ts hubspotPaths builds every path on this version) -----------------------------------

/**
 * HUBSPOT_API_VERSION as dated data: 2026-09 shipped on 2026-09-08 and each date version is served for 18 months
 * (https://developers.hubspot.com/docs/developer-tooling/platform/versioning: unsupported 18 months after GA; legacy v1–v4 paths
 * unsupported from September 2027: https://developers.hubspot.com/docs/api-reference/legacy/migration-guide).
 * A build can pin another date version (`"hubspot": { "apiVersion": … }` in actions.config.json).
 */
export const HUBSPOT_PINNED_VERSION: PinnedApiVersion = {
  api: 'HubSpot CRM and automation APIs',
  version: HUBSPOT_API_VERSION,
  released: '2026-09-08',
  supportEnds: '2028-03-08',
  source: 'https://developers.hubspot.com/docs/developer-tooling/platform/versioning',
};
