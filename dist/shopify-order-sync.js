/*
 * shopify-order-sync — Shopify order → HubSpot contact, deal and line items
 * hubspot-custom-code-actions 0.1.0 · build aa4edd53ac8f · HubSpot custom code, Node.js 24
 *
 * Reads a Shopify order (GraphQL Admin API), upserts the buyer as a contact with Shopify's order totals, upserts a closed-won deal for the order and one line item per order line, and associates them.
 *
 * HOW TO INSTALL — in this order. Custom code needs Data Hub Professional or Enterprise (formerly Operations Hub).
 * 1. Custom properties: create them first (until they exist HubSpot rejects the writes: PROPERTY_DOESNT_EXIST).
 *    Either: put HUBSPOT_ACCESS_TOKEN=<service key> in .env, run `npm run setup` (dry run), then `npm run setup -- --apply`.
 *    That key needs the schema scopes crm.schemas.contacts.read, crm.schemas.contacts.write, crm.schemas.deals.read, crm.schemas.deals.write, crm.schemas.line_items.read, e-commerce — not the action's scopes of step 4.
 *    (HubSpot → Development → Keys → Service keys → Create service key → add the scopes → Create → Show → copy.)
 *    Or by hand: HubSpot → Settings → Data Management → Properties → select the object → Create property, for each ("Show in forms" off):
 *      Deal property · label "Shopify order ID (unique)" · internal name shopify_order_id · group "Shopify" · field type Single-line text · Require unique values: on
 *      Line item property · label "Shopify line item ID" · internal name shopify_line_item_id · group "Shopify" · field type Single-line text
 *      Contact property · label "Shopify customer ID" · internal name shopify_customer_id · group "Shopify" · field type Single-line text
 *      Contact property · label "Total order value" · internal name total_order_value · group "Shopify" · field type Number
 *      Contact property · label "Shopify order count" · internal name shopify_order_count · group "Shopify" · field type Number
 *      Contact property · label "Last order date" · internal name last_order_date · group "Shopify" · field type Date and time picker
 * 2. Workflow: Automations → Workflows → Create workflow → From scratch → Contact-based.
 *    Trigger: When a webhook is received — Shopify's orders/create webhook — with the contact matched by Email = the order's "email" field.
 *    This action creates the order's deal itself, so a deal-based workflow cannot start it for a new order (there is no deal to enroll yet); a deal-based workflow only fits re-syncing orders already recorded (deals with Shopify order ID set).
 *    So: a contact-based workflow triggered by a webhook. In Shopify: Settings → Notifications → Webhooks → Create webhook, event "Order creation" (orders/create), format JSON, URL = the webhook URL HubSpot shows for the trigger. HubSpot enrolls the contact whose Email matches the order's "email" field; map the input shopify_order_id to the webhook's "id". The deal, line items and totals are written by the action, not by the enrollment.
 *    A workflow enrolls records, it does not create them, so a first-time buyer with no contact yet is not enrolled until the contact exists (HubSpot's Shopify app, a checkout form or an import may create it). The action upserts the contact by email itself, so enrolling any existing contact of the order is enough.
 * 3. Action: + → Data ops → Custom code; Language: Node.js 24.x.
 * 4. Secrets: create each (Secrets → Add secret) and select it in the action:
 *      SHOPIFY_SHOP — Your shop's permanent domain, e.g. acme.myshopify.com [where: Shopify admin → Settings → Domains (the .myshopify.com one)]
 *      SHOPIFY_ACCESS_TOKEN (optional) — Admin API access token of an existing custom app (shpat_…), scopes read_orders, read_customers (and read_all_orders for orders older than 60 days). Or use the client ID + secret below instead. [where: Shopify admin → Settings → Apps and sales channels → Develop apps → your app → API credentials]
 *      SHOPIFY_CLIENT_ID (optional) — Client ID of a Dev Dashboard app installed on your own store (client-credentials grant); with SHOPIFY_CLIENT_SECRET, instead of SHOPIFY_ACCESS_TOKEN [where: Shopify Dev Dashboard → Apps → your app → Settings]
 *      SHOPIFY_CLIENT_SECRET (optional) — Client secret of that Dev Dashboard app [where: Shopify Dev Dashboard → Apps → your app → Settings]
 *      HUBSPOT_ACCESS_TOKEN — HubSpot Service Key (or an existing legacy private-app token) with scopes crm.objects.contacts.write, crm.objects.deals.read, crm.objects.deals.write, crm.objects.line_items.read, crm.objects.line_items.write, e-commerce [where: HubSpot → Development → Keys → Service keys → Create service key, add the scopes listed, then Show and copy the key (a legacy private app's access token also works)]
 * 5. Properties to include in code: one row each, name → what to pick — why:
 *      shopify_order_id (required) → in the webhook-triggered workflow of step 2, the webhook's "id" field (Shopify's numeric order id); in a deal-based workflow, Shopify order ID (unique) (`shopify_order_id`) of a deal that already carries it (Single-line text) — the action reads the order from Shopify by this id and creates the deal itself, so no HubSpot property holds the id before the first run
 * 6. Paste: replace the code in the editor with this whole file.
 * 7. Data outputs: add each with its type:
 *      contact_id: String
 *      deal_id: String
 *      deal_created: Boolean
 *      line_item_count: Number
 *      status: Enumeration (ok | error)
 *      error_code: String
 *      error_message: String
 * 8. Test: "Test action" on a test record, then add an if/then branch on "status" (ok | error) and "error_code".
 *
 * Retries: on 429/5xx/timeouts it throws so HubSpot re-runs it; every step is safe to repeat.
 * Troubleshooting: a secret LOG_LEVEL = debug logs more detail in the action's logs (never secret values); it counts its 5 characters in the budget. Leave it out normally.
 */
"use strict";
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toCommonJS = (mod) => __copyProps(__defProp({}, "__esModule", { value: true }), mod);

// actions/shopify-order-sync/index.ts
var index_exports = {};
__export(index_exports, {
  ORDER_QUERY: () => ORDER_QUERY,
  action: () => action,
  main: () => main
});
module.exports = __toCommonJS(index_exports);

// <define:__ACTION_CONFIG__>
var define_ACTION_CONFIG_default = { name: "shopify-order-sync", settings: {} };

// lib/errors.ts
var ActionError = class extends Error {
  errorCode;
  httpStatus;
  service;
  constructor(message, options) {
    super(message, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = new.target.name;
    this.errorCode = options.errorCode;
    this.httpStatus = options.status;
    this.service = options.service;
  }
};
var RetryableError = class extends ActionError {
  kind = "retryable";
  /** HubSpot's retry check reads these two, as on an axios / @hubspot/api-client error. */
  response;
  code;
  /** Seconds the vendor asked us to wait (Retry-After), if it said. */
  retryAfterSeconds;
  constructor(message, options) {
    super(message, options);
    this.response = { status: options.status, headers: {} };
    this.code = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
  get status() {
    return this.response.status;
  }
};
var DeadlineError = class extends RetryableError {
  constructor(message, options = {}) {
    super(message, { ...options, errorCode: options.errorCode ?? "DEADLINE_EXCEEDED", status: 504 });
  }
};
var PermanentError = class extends ActionError {
  kind = "permanent";
};
var ValidationError = class extends PermanentError {
  field;
  constructor(message, options = {}) {
    super(message, { errorCode: options.errorCode ?? "INVALID_INPUT", ...options });
    this.field = options.field;
  }
};
var ConfigError = class extends PermanentError {
  constructor(message, options = {}) {
    super(message, { errorCode: options.errorCode ?? "CONFIGURATION", ...options });
  }
};
function describeError(error) {
  if (error instanceof Error) return `${error.name}: ${error.message || "(no message)"}`;
  if (typeof error === "string") return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}
var MAX_CAUSE_DEPTH = 5;
function redactErrorChain(error, redact) {
  error.message = redact(error.message);
  if (error.stack) error.stack = redact(error.stack);
  const safeCause = (cause2, depth) => {
    if (cause2 === void 0 || cause2 === null || depth > MAX_CAUSE_DEPTH) return void 0;
    const source = cause2 instanceof Error ? cause2 : void 0;
    const copy = new Error(redact(source ? source.message : describeError(cause2)));
    copy.name = source?.name ?? "Error";
    copy.stack = source?.stack ? redact(source.stack) : `${copy.name}: ${copy.message}`;
    const next = safeCause(source?.cause, depth + 1);
    if (next) Object.defineProperty(copy, "cause", { value: next, enumerable: false, writable: true, configurable: true });
    return copy;
  };
  const cause = safeCause(error.cause, 1);
  if (cause) Object.defineProperty(error, "cause", { value: cause, enumerable: false, writable: true, configurable: true });
  else if ("cause" in error) delete error.cause;
  return error;
}

// lib/classify.ts
var CLASSIFICATION_RULES = [
  {
    why: "a header value HTTP cannot carry (a secret pasted with a zero-width space or a line break): fix the secret",
    matches: (f) => f.invalidHeader !== void 0,
    verdict: "config",
    errorCode: () => "INVALID_HEADER_VALUE"
  },
  {
    why: "a success whose body is larger than an action can parse in its 128 MB (lib/response-caps.ts): the same request gets the same answer on every re-run, so the workflow should branch on it now",
    matches: (f) => f.bodyTooLarge === true,
    verdict: "permanent",
    errorCode: () => "RESPONSE_TOO_LARGE"
  },
  {
    why: "our own 20 s budget ran out; a re-run starts with a fresh one",
    matches: (f) => f.deadline === true,
    verdict: "retryable",
    errorCode: () => "DEADLINE_EXCEEDED",
    retryStatus: () => 504
  },
  {
    why: "no response at all (reset, refused, DNS, timeout): the vendor may be fine a moment later",
    matches: (f) => f.status === void 0,
    verdict: "retryable",
    errorCode: (f) => f.networkCode === "ETIMEDOUT" || f.networkCode === "ECONNABORTED" ? "TIMEOUT" : "NETWORK_ERROR",
    retryStatus: () => 503
  },
  {
    why: "a 2xx whose body is not the JSON promised (truncated, HTML from a proxy): treat as a bad gateway",
    matches: (f) => f.malformedBody === true && (f.status ?? 0) < 300,
    verdict: "retryable",
    errorCode: () => "MALFORMED_RESPONSE",
    retryStatus: () => 502
  },
  {
    why: "rate limited: HubSpot re-runs the action later, which is exactly the back-off we want",
    matches: (f) => f.status === 429,
    verdict: "retryable",
    errorCode: () => "RATE_LIMITED",
    retryStatus: () => 429
  },
  {
    why: "request timeout from the server: carry 503 so HubSpot re-runs (it ignores 408)",
    matches: (f) => f.status === 408,
    verdict: "retryable",
    errorCode: () => "TIMEOUT",
    retryStatus: () => 503
  },
  {
    why: "server-side failure: transient by definition",
    matches: (f) => (f.status ?? 0) >= 500,
    verdict: "retryable",
    errorCode: () => "SERVER_ERROR",
    retryStatus: (f) => f.status ?? 503
  },
  {
    why: "HubSpot 423 Locked: rapid writes to one record; HubSpot asks to wait at least 2 s (https://developers.hubspot.com/docs/api-reference/error-handling)",
    matches: (f) => f.status === 423,
    verdict: "retryable",
    errorCode: () => "LOCKED",
    retryStatus: () => 503
  },
  {
    why: "HubSpot 477 Migration in progress: the portal is being moved between data centres; come back after Retry-After (same page)",
    matches: (f) => f.status === 477,
    verdict: "retryable",
    errorCode: () => "MIGRATION_IN_PROGRESS",
    retryStatus: () => 503
  },
  {
    why: "bad or expired credentials that a refresh could not fix: someone has to reconnect",
    matches: (f) => f.status === 401,
    verdict: "config",
    errorCode: () => "UNAUTHORIZED"
  },
  {
    why: "the token lacks a scope or the user a permission: fix the app, not the data",
    matches: (f) => f.status === 403,
    verdict: "config",
    errorCode: () => "FORBIDDEN"
  },
  {
    why: "the record does not exist; a re-run would not make it exist",
    matches: (f) => f.status === 404,
    verdict: "permanent",
    errorCode: () => "NOT_FOUND"
  },
  {
    why: "any other 4xx: the request itself is wrong",
    matches: () => true,
    verdict: "permanent",
    errorCode: (f) => f.status === 409 ? "CONFLICT" : "BAD_REQUEST"
  }
];
function classifyFailure(failure) {
  const rule = CLASSIFICATION_RULES.find((r) => r.matches(failure));
  return {
    verdict: rule.verdict,
    errorCode: rule.errorCode(failure),
    ...rule.retryStatus ? { retryStatus: rule.retryStatus(failure) } : {},
    why: rule.why
  };
}
function errorFromFailure(failure, context = "") {
  const { verdict, errorCode, retryStatus } = classifyFailure(failure);
  const where = `${failure.service}${context ? ` ${context}` : ""}`;
  const what = failure.invalidHeader !== void 0 ? `not sent: the ${failure.invalidHeader} header holds an invisible or non-ASCII character (often a zero-width space or line break pasted with a secret); paste the secret again` : failure.bodyTooLarge ? `HTTP ${failure.status} with a body larger than an action can read${failure.limitBytes ? ` (over ${formatBytes(failure.limitBytes)}, the most this call can return legitimately)` : ""}` : failure.status === void 0 ? failure.deadline ? "aborted: the action ran out of its 20 s budget" : `no response (${failure.networkCode ?? "network error"})` : failure.malformedBody ? `HTTP ${failure.status} with an unreadable body` : `HTTP ${failure.status}`;
  const message = `${where} failed: ${what}${failure.vendorMessage ? ` — ${failure.vendorMessage}` : ""}`;
  const base = { service: failure.service, status: failure.status };
  if (verdict === "retryable") {
    if (errorCode === "DEADLINE_EXCEEDED") return new DeadlineError(message, base);
    return new RetryableError(message, {
      ...base,
      errorCode,
      status: retryStatus ?? 503,
      ...failure.retryAfterSeconds !== void 0 ? { retryAfterSeconds: failure.retryAfterSeconds } : {}
    });
  }
  const code = failure.vendorCode ? `${failure.service.toUpperCase()}_${failure.vendorCode}` : errorCode;
  if (verdict === "config") return new ConfigError(message, { ...base, errorCode: code });
  return new PermanentError(message, { ...base, errorCode: code });
}
function formatBytes(bytes) {
  return bytes >= 1024 * 1024 ? `${+(bytes / (1024 * 1024)).toFixed(1)} MiB` : `${Math.round(bytes / 1024)} KiB`;
}
function parseRetryAfter(value, now = Date.now()) {
  if (value === void 0 || value === null || value.trim() === "") return void 0;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return void 0;
  return Math.max(0, (date - now) / 1e3);
}

// lib/deadline.ts
var HUBSPOT_TIME_LIMIT_MS = 2e4;
var DEFAULT_RESERVE_MS = 1500;
function createDeadline(options = {}) {
  const clock = options.clock ?? Date.now;
  const setTimer = options.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
  const clearTimer = options.clearTimer ?? ((h) => clearTimeout(h));
  const started = clock();
  const stopAt = started + (options.budgetMs ?? HUBSPOT_TIME_LIMIT_MS) - (options.reserveMs ?? DEFAULT_RESERVE_MS);
  const remaining = () => stopAt - clock();
  return {
    remaining,
    elapsed: () => clock() - started,
    check(step, neededMs = 0) {
      if (remaining() <= neededMs) {
        throw new DeadlineError(`stopped before ${step}: the action is about to run out of HubSpot's 20 s budget`);
      }
    },
    signal(timeoutMs = Number.POSITIVE_INFINITY) {
      const controller = new AbortController();
      const left = Math.max(0, remaining());
      const byDeadline = left <= timeoutMs;
      const handle = setTimer(() => controller.abort(), Math.min(left, timeoutMs));
      return { signal: controller.signal, byDeadline: () => controller.signal.aborted && byDeadline, dispose: () => clearTimer(handle) };
    },
    async sleep(ms, keepMs = 0) {
      if (remaining() - ms <= keepMs) return false;
      await new Promise((resolve) => setTimer(() => resolve(void 0), ms));
      return true;
    }
  };
}

// lib/module-cache.ts
var registry = /* @__PURE__ */ new Set();
function moduleCache() {
  const cache = /* @__PURE__ */ new Map();
  registry.add(cache);
  return cache;
}
var TOKEN_SAFETY_MARGIN_MS = 6e4;
function isFresh(token, now) {
  return token !== void 0 && token.expiresAt - TOKEN_SAFETY_MARGIN_MS > now;
}

// lib/pacing.ts
var newPacerState = () => ({ windows: {}, lanes: {} });
var RESERVE_SHARE = 0.13;
var CONGESTION_MEMORY_MS = 1e4;
var HOLD_MARGIN = 0.02;
var RELEASE_CHANCE = 0.3;
var PROBE_SLOTS = 10;
var PROBE_SPEEDUP_MAX = 8;
function rateWindowFromHeaders(headers, now) {
  if (!headers) return void 0;
  const max = Number(headers["x-hubspot-ratelimit-max"]);
  const remaining = Number(headers["x-hubspot-ratelimit-remaining"]);
  const intervalMs = Number(headers["x-hubspot-ratelimit-interval-milliseconds"]);
  if (!(max > 0) || !(intervalMs > 0) || !Number.isFinite(remaining) || remaining < 0) return void 0;
  return { max, remaining: Math.min(remaining, max), intervalMs, seenAt: now };
}
var jitter = (ms, random) => Math.round(ms * (0.5 + random()));
function delayForWindow(window, now, random) {
  if (!window || now - window.seenAt >= window.intervalMs) return 0;
  const age = Math.max(0, now - window.seenAt);
  const remaining = window.remaining + (window.max - window.remaining) * (age / window.intervalMs);
  const reserve = window.max * RESERVE_SHARE;
  if (remaining >= reserve) return 0;
  return jitter((reserve - remaining) * (window.intervalMs / window.max), random);
}
var newLane = (windowMs, max) => ({ windowMs, max, sentAt: Number.NEGATIVE_INFINITY, acceptedAt: Number.NEGATIVE_INFINITY, refusedAt: Number.NEGATIVE_INFINITY, retrying: false });
function reserveLane(lane, now, random) {
  const congested = now - lane.refusedAt < CONGESTION_MEMORY_MS;
  if (!congested || lane.retrying) {
    lane.retrying = false;
    lane.sentAt = now;
    return 0;
  }
  let due = lane.acceptedAt + Math.round(lane.windowMs * (1 + HOLD_MARGIN));
  if (random() < RELEASE_CHANCE) due += Math.round(lane.windowMs * random());
  const wait = Math.max(0, due - now);
  lane.sentAt = now + wait;
  return wait;
}
function learnLane(lane, refused) {
  if (refused) {
    lane.refusedAt = lane.sentAt;
    lane.retrying = true;
  } else lane.acceptedAt = lane.sentAt;
}
function laneRetryDelay(lane, random, attempt) {
  return Math.round(lane.windowMs / lane.max * PROBE_SLOTS * (0.5 + random()) / Math.min(Math.max(1, attempt), PROBE_SPEEDUP_MAX));
}
function laneFor(service, method, url) {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
  }
  if (service === "hubspot" && method === "POST" && /\/search\/?$/.test(path)) return { key: "hubspot:search", windowMs: 1e3, max: 5 };
  const realm = /\/v3\/company\/([^/]+)/.exec(path)?.[1];
  if (service === "quickbooks" && realm) return { key: `quickbooks:${realm}`, windowMs: 1e3, max: 10 };
  return void 0;
}
var container = moduleCache();
var pacingRuntime = {
  enabled: true,
  clock: () => Date.now(),
  random: () => Math.random(),
  state: () => container.get("state") ?? container.set("state", newPacerState()).get("state")
};
function pacerFor(service) {
  if (service !== "hubspot" && service !== "quickbooks") return void 0;
  return {
    before(method, url) {
      if (!pacingRuntime.enabled) return 0;
      const state = pacingRuntime.state();
      const now = pacingRuntime.clock();
      const spec2 = laneFor(service, method, url);
      if (!spec2) return delayForWindow(state.windows[service], now, pacingRuntime.random);
      const lane = state.lanes[spec2.key] ??= newLane(spec2.windowMs, spec2.max);
      return reserveLane(lane, now, pacingRuntime.random);
    },
    retryDelay(method, url, failure, attempt) {
      if (!pacingRuntime.enabled || failure.status !== 429 || failure.retryAfterSeconds !== void 0) return void 0;
      const spec2 = laneFor(service, method, url);
      if (spec2) return laneRetryDelay(spec2, pacingRuntime.random, attempt);
      const window = pacingRuntime.state().windows[service];
      if (!window) return void 0;
      return jitter(window.max * RESERVE_SHARE * (window.intervalMs / window.max), pacingRuntime.random);
    },
    after(method, url, status, headers) {
      if (!pacingRuntime.enabled) return;
      const state = pacingRuntime.state();
      const window = status === 429 ? void 0 : rateWindowFromHeaders(headers, pacingRuntime.clock());
      if (window) state.windows[service] = window;
      const spec2 = laneFor(service, method, url);
      const lane = spec2 && state.lanes[spec2.key];
      if (lane && status !== void 0) learnLane(lane, status === 429);
    },
    gaveUp(method, url) {
      const spec2 = laneFor(service, method, url);
      const lane = spec2 && pacingRuntime.state().lanes[spec2.key];
      if (lane) lane.retrying = false;
    }
  };
}

// lib/response-caps.ts
var KiB = 1024;
var MiB = 1024 * KiB;
var MAX_RESPONSE_BYTES = 3 * MiB;
var RESPONSE_CAPS = [
  {
    service: "hubspot",
    endpoint: "CRM search, batch read/create/upsert, associations",
    path: /\/(search|batch\/[a-z]+)\/?$/,
    bytes: 2 * MiB,
    why: 'a search page holds up to 200 records (PublicObjectSearchRequest.limit, "up to 200 objects": HubSpot-public-api-spec-collection PublicApiSpecs/CRM/Contacts/Rollouts/424/2026-09/contacts.json), a batch up to 100 (lib/hubspot.ts BATCH_LIMIT); with the few short properties our actions ask for a record is under 1 KB, so ~200 KB, ×10 for long text values'
  },
  { service: "hubspot", endpoint: "one record, one association", bytes: 512 * KiB, why: "one record with the properties we ask for: a few KB" },
  {
    service: "salesforce",
    endpoint: "SOQL query",
    path: /\/query\/?/,
    bytes: MAX_RESPONSE_BYTES,
    why: "up to 2,000 records per batch (https://developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/resources_query.htm); a Lead of our 12 fields (lib/salesforce.ts LEAD_FIELDS) is ~600 bytes with its attributes, so ~1.2 MB"
  },
  { service: "salesforce", endpoint: "token, one Lead", bytes: 512 * KiB, why: "an OAuth token answer or one sObject: a few KB" },
  {
    service: "shopify",
    endpoint: "Admin GraphQL (an order with a page of line items), OAuth token",
    bytes: MiB,
    why: "one order with a page of at most 250 line items (connections return up to 250: https://shopify.dev/docs/api/usage/pagination-graphql; we ask for 100), each well under 2 KB with the fields we select: under 500 KB"
  },
  {
    service: "quickbooks",
    endpoint: "query",
    path: /\/query\/?$/,
    bytes: MAX_RESPONSE_BYTES,
    why: "a query returns at most MAXRESULTS entities (we ask for 10, lib/quickbooks.ts; Intuit allows up to 1,000 per page), a Customer or Item is ~2 KB, so ~2 MB at the most Intuit would send"
  },
  { service: "quickbooks", endpoint: "token, one entity, preferences", bytes: MiB, why: "an OAuth token answer, one Customer/Invoice or the preferences: tens of KB" },
  {
    service: "clearbit",
    endpoint: "combined find (person + company)",
    bytes: 512 * KiB,
    why: "one person and one company (https://dashboard.clearbit.com/docs#enrichment-api-combined-api): 10–30 KB"
  }
];
var DEFAULT_RESPONSE_CAP = { service: "*", endpoint: "any other call", bytes: MiB, why: "no endpoint of ours returns more" };
function responseCapFor(service, url) {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    path = url.split("?")[0] ?? url;
  }
  return RESPONSE_CAPS.find((cap) => cap.service === service && (cap.path === void 0 || cap.path.test(path))) ?? DEFAULT_RESPONSE_CAP;
}

// lib/http.ts
var DEFAULT_TIMEOUT_MS = 1e4;
var MAX_RETRIES_IN_RUN = 16;
var KEEP_AFTER_WAIT_MS = 3e3;
function inProcessRetryDelay(failure, attempt, random = Math.random) {
  if (failure.deadline) return void 0;
  if (failure.status === 423 || failure.status === 477) return lockedRetryDelay(failure, attempt);
  const asked = (limitSeconds) => (failure.retryAfterSeconds !== void 0 && Number.isFinite(failure.retryAfterSeconds) ? failure.retryAfterSeconds : 0) > limitSeconds;
  const atLeast = (normalMs) => Math.max(normalMs, Math.round(Math.max(0, failure.retryAfterSeconds ?? 0) * 1e3));
  if (failure.status === 429) {
    if (attempt > MAX_RETRIES_IN_RUN) return void 0;
    if (asked(10)) return void 0;
    return atLeast(Math.round(1e3 * 2 ** Math.min(attempt - 1, 2) * (0.5 + random())));
  }
  if (attempt > 1) return void 0;
  if (asked(2)) return void 0;
  return atLeast(250);
}
async function readCapped(res, maxBytes) {
  const declared = Number(res.headers.get("content-length") ?? "");
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => {
    });
    return void 0;
  }
  if (!res.body) return "";
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let size = 0;
  let text = "";
  for (; ; ) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {
      });
      return void 0;
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}
function invalidHeader(headers) {
  return Object.keys(headers).find((name) => /[^\t\x20-\x7e]/.test(headers[name] ?? ""));
}
function lockedRetryDelay(failure, attempt) {
  if (attempt > 3) return void 0;
  const asked = failure.retryAfterSeconds !== void 0 && Number.isFinite(failure.retryAfterSeconds) ? failure.retryAfterSeconds * 1e3 : 0;
  const waitMs = Math.max(2e3, asked);
  return waitMs <= 1e4 ? waitMs : void 0;
}
function parseBody(text, contentType) {
  if (text === "") return { data: void 0, malformed: false };
  const looksJson = /json/i.test(contentType) || /^\s*[[{]/.test(text);
  if (!looksJson) return { data: text, malformed: /html/i.test(contentType) || /^\s*</.test(text) };
  try {
    return { data: JSON.parse(text), malformed: false };
  } catch {
    return { data: text, malformed: true };
  }
}
function networkCode(error) {
  const e = error;
  if (e?.name === "AbortError" || e?.name === "TimeoutError") return "ABORTED";
  for (const candidate of [e?.cause?.code, e?.code]) if (typeof candidate === "string") return candidate;
  return void 0;
}
function joinUrl(baseUrl, url) {
  if (/^https?:\/\//i.test(url) || !baseUrl) return url;
  return `${baseUrl.replace(/\/+$/, "")}/${url.replace(/^\/+/, "")}`;
}
function shortUrl(url) {
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}${u.search}`;
  } catch {
    return url;
  }
}
function createServiceClient(options) {
  const { service, log, deadline } = options;
  const pacer = pacerFor(service);
  async function sendOnce(req) {
    const url = joinUrl(options.baseUrl, req.url);
    const paceMs = pacer?.before(req.method, url) ?? 0;
    if (paceMs > 0 && await deadline.sleep(paceMs, KEEP_AFTER_WAIT_MS)) log.info("http.paced", { service, call: req.label, waitMs: paceMs });
    const timeoutMs = req.timeoutMs ?? options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    deadline.check(`${service} ${req.label ?? req.method}`, 0);
    const headers = {
      accept: "application/json",
      ...options.auth ? await options.auth() : {},
      ...req.headers
    };
    let body;
    if (req.json !== void 0) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(req.json);
    } else if (req.form !== void 0) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(req.form).toString();
    }
    const query = req.query ? Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== void 0).map(([k, v]) => [k, String(v)])) : void 0;
    const target = query && Object.keys(query).length ? `${url}${url.includes("?") ? "&" : "?"}${new URLSearchParams(query)}` : url;
    const badHeader = invalidHeader(headers);
    if (badHeader) return { service, invalidHeader: badHeader };
    deadline.check(`${service} ${req.label ?? req.method}`, 0);
    const abort = deadline.signal(timeoutMs);
    const started = Date.now();
    try {
      const res = await fetch(target, { method: req.method, headers, body, signal: abort.signal, redirect: "manual" });
      const limitBytes = req.maxResponseBytes ?? options.maxResponseBytes ?? responseCapFor(service, url).bytes;
      const text = await readCapped(res, limitBytes);
      const responseHeaders = {};
      res.headers.forEach((value, key) => responseHeaders[key.toLowerCase()] = value);
      if (text === void 0) {
        log.warn("http", { service, call: req.label, method: req.method, url: shortUrl(target), status: res.status, error: "body too large", limitBytes, ms: Date.now() - started });
        if (res.status >= 300 && !req.accept?.includes(res.status)) return { service, status: res.status, retryAfterSeconds: parseRetryAfter(responseHeaders["retry-after"]) };
        return { service, status: res.status, bodyTooLarge: true, limitBytes };
      }
      pacer?.after(req.method, url, res.status, responseHeaders);
      const parsed = parseBody(text, responseHeaders["content-type"] ?? "");
      const { data } = parsed;
      const malformed = parsed.malformed || req.expectJson === true && res.status >= 200 && res.status < 300 && res.status !== 204 && (data === null || typeof data !== "object");
      log.info("http", { service, call: req.label, method: req.method, url: shortUrl(target), status: res.status, ms: Date.now() - started });
      if (res.status >= 200 && res.status < 300 && !malformed) {
        const response = { status: res.status, headers: responseHeaders, data };
        const hidden = options.inspect?.(response);
        return hidden ? { service, ...hidden } : response;
      }
      if (req.accept?.includes(res.status) && !malformed) return { status: res.status, headers: responseHeaders, data };
      const details = malformed ? {} : options.describeError?.(res.status, data) ?? {};
      return {
        service,
        status: res.status,
        malformedBody: malformed,
        vendorMessage: details.message,
        vendorCode: details.code,
        retryAfterSeconds: parseRetryAfter(responseHeaders["retry-after"]) ?? details.retryAfterSeconds
      };
    } catch (error) {
      const code = networkCode(error);
      log.warn("http", { service, call: req.label, method: req.method, url: shortUrl(target), error: code ?? "network", detail: error.message, ms: Date.now() - started });
      return { service, networkCode: code, deadline: abort.byDeadline() };
    } finally {
      abort.dispose();
    }
  }
  const isFailure = (r) => "service" in r;
  return {
    service,
    async request(req) {
      let refreshed = false;
      let attempt = 0;
      for (; ; ) {
        const result = await sendOnce(req);
        if (!isFailure(result)) return result;
        if (result.status === 401 && !refreshed && options.onUnauthorized) {
          refreshed = true;
          if (await options.onUnauthorized()) continue;
        }
        const verdict = classifyFailure(result);
        attempt += 1;
        const resendable = result.status === 429 ? req.retry429InRun !== false : req.idempotent === true;
        let waitMs = verdict.verdict === "retryable" && resendable && attempt <= MAX_RETRIES_IN_RUN ? pacer?.retryDelay(req.method, joinUrl(options.baseUrl, req.url), result, attempt) ?? inProcessRetryDelay(result, attempt) : void 0;
        if (waitMs !== void 0 && result.status === 429 && options.rateLimitWaitMs !== void 0) waitMs = Math.max(waitMs, options.rateLimitWaitMs);
        if (waitMs !== void 0) req.beforeResend?.(waitMs);
        if (waitMs !== void 0 && await deadline.sleep(waitMs, KEEP_AFTER_WAIT_MS)) {
          log.info("http.retry", { service, call: req.label, after: verdict.errorCode, attempt, waitMs });
          continue;
        }
        if (result.status === 429) pacer?.gaveUp(req.method, joinUrl(options.baseUrl, req.url));
        throw errorFromFailure(result, req.label);
      }
    }
  };
}

// lib/api-versions.ts
var HUBSPOT_API_VERSION = "2026-09";
var SHOPIFY_API_VERSION = "2026-10";

// lib/hubspot-scopes.ts
var CRM_OBJECT_TYPES = ["contacts", "companies", "deals", "line_items"];
var OBJECT_SCOPES = {
  "contacts.read": ["crm.objects.contacts.read"],
  "contacts.write": ["crm.objects.contacts.write"],
  "companies.read": ["crm.objects.companies.read"],
  "companies.write": ["crm.objects.companies.write"],
  "deals.read": ["crm.objects.deals.read"],
  "deals.write": ["crm.objects.deals.write"],
  "line_items.read": ["crm.objects.line_items.read", "e-commerce"],
  "line_items.write": ["crm.objects.line_items.write", "e-commerce"]
};
var ASSOCIATION_ANY_OF = CRM_OBJECT_TYPES.flatMap((t) => [`crm.objects.${t}.read`, `crm.objects.${t}.write`]);
var isOperation = (op) => Object.prototype.hasOwnProperty.call(OBJECT_SCOPES, op);
function scopesForOperations(operations) {
  const scopes = /* @__PURE__ */ new Set();
  for (const op of operations) {
    if (!isOperation(op)) throw new Error(`Unknown HubSpot operation ${JSON.stringify(op)}: one of ${Object.keys(OBJECT_SCOPES).join(", ")}`);
    for (const s of OBJECT_SCOPES[op]) scopes.add(s);
  }
  return [...scopes].sort();
}

// lib/hubspot.ts
var HUBSPOT_API = "https://api.hubapi.com";
var HUBSPOT_DATE_VERSION = /^\d{4}-(0[1-9]|1[0-2])$/;
function checkHubSpotApiVersion(version, where = "hubspot.apiVersion") {
  if (typeof version !== "string" || !HUBSPOT_DATE_VERSION.test(version)) {
    throw new ConfigError(`${where} must be a HubSpot date version such as "${HUBSPOT_API_VERSION}", not ${JSON.stringify(version)}`, { errorCode: "INVALID_CONFIG" });
  }
  return version;
}
function hubspotApiVersion() {
  return false ? "" : HUBSPOT_API_VERSION;
}
function pathSegment(value, what = "path segment") {
  const text = String(value);
  if (text === "" || text === "." || text === ".." || text.trim() === "") {
    throw new ValidationError(`Refusing to call HubSpot with ${what} ${JSON.stringify(text)}: empty and dot segments change which endpoint is called`, { errorCode: "INVALID_PATH_SEGMENT" });
  }
  return encodeURIComponent(text);
}
var OBJECT_ID = /^\d{1,20}$/;
function checkObjectId(value, what) {
  const text = value === void 0 || value === null ? "" : String(value);
  if (!OBJECT_ID.test(text)) {
    throw new ValidationError(`${what} must be a numeric HubSpot record id, not ${JSON.stringify(String(value ?? "")).slice(0, 60)}`, { errorCode: "INVALID_OBJECT_ID" });
  }
  return text;
}
function hubspotPaths(version = hubspotApiVersion()) {
  const v = checkHubSpotApiVersion(version, "HubSpot API version");
  const seg = pathSegment;
  const objects = (type) => `/crm/objects/${v}/${seg(type, "object type")}`;
  const properties = (type) => `/crm/properties/${v}/${seg(type, "object type")}`;
  return {
    version: v,
    objects,
    object: (type, id) => `${objects(type)}/${seg(id, "object id")}`,
    objectBatch: (type, operation) => `${objects(type)}/batch/${operation}`,
    objectSearch: (type) => `${objects(type)}/search`,
    defaultAssociation: (fromType, fromId, toType, toId) => `${objects(fromType)}/${seg(fromId, "object id")}/associations/default/${seg(toType, "object type")}/${seg(toId, "object id")}`,
    associationBatch: (fromType, toType, operation) => `/crm/associations/${v}/${seg(fromType, "object type")}/${seg(toType, "object type")}/batch/${operation}`,
    properties,
    property: (type, name) => `${properties(type)}/${seg(name, "property name")}`,
    propertyGroups: (type) => `${properties(type)}/groups`,
    propertyGroup: (type, name) => `${properties(type)}/groups/${seg(name, "group name")}`,
    propertiesBatchCreate: (type) => `${properties(type)}/batch/create`,
    flow: (flowId) => `/automation/${v}-beta/flows/${seg(flowId, "flow id")}`
  };
}
var HUBSPOT_TOKEN_WHERE = "HubSpot → Development → Keys → Service keys → Create service key, add the scopes listed, then Show and copy the key (a legacy private app's access token also works)";
var HUBSPOT_TOKEN_TYPICAL_LENGTH = 128;
function hubspotTokenSecret(operations) {
  const scopes = scopesForOperations(operations);
  return {
    description: `HubSpot Service Key (or an existing legacy private-app token) with ${scopes.length === 1 ? "scope" : "scopes"} ${scopes.join(", ")}`,
    typicalLength: HUBSPOT_TOKEN_TYPICAL_LENGTH,
    where: HUBSPOT_TOKEN_WHERE,
    /** What the action's code calls; test/lib/hubspot-scopes.test.ts holds it against the calls its runs make. */
    hubspotOperations: [...operations].sort(),
    hubspotScopes: scopes
  };
}
var CURRENCY_PROPERTIES = ["deal_currency_code", "hs_line_item_currency_code"];
var CURRENCY_SETTINGS = "Settings → Account defaults → Currencies";
function invalidPropertyValues(message) {
  const at = message?.indexOf("[") ?? -1;
  if (!message || at < 0 || !/Property values were not valid/i.test(message)) return [];
  try {
    const list = JSON.parse(message.slice(at));
    return Array.isArray(list) ? list.map((e) => ({ name: String(e?.name ?? ""), message: String(e?.message ?? ""), error: String(e?.error ?? "") })) : [];
  } catch {
    return [];
  }
}
function invalidValuesIn(body) {
  return [body.message, ...(body.errors ?? []).map((e) => e.message)].flatMap((m) => invalidPropertyValues(m));
}
function portalRuleViolation(body) {
  if (body.category !== "VALIDATION_ERROR") return void 0;
  if (invalidValuesIn(body).length) return void 0;
  const details = body.errors ?? [];
  const texts = [body.message ?? "", ...details.map((d) => d.message ?? "")].join(" ");
  const association = /association/i.test(texts) && /permission/i.test(texts);
  if (!association && !/\brequired\b/i.test(texts)) return void 0;
  const named = (ctx) => {
    const value = ctx?.propertyName ?? ctx?.properties;
    return Array.isArray(value) ? value.map(String).join(", ") : typeof value === "string" ? value : void 0;
  };
  const property = details.map((d) => named(d.context) ?? d.in).find(Boolean) ?? named(body.context);
  return { property, kind: association ? "association" : "required" };
}
function describeHubSpotError(_status, data) {
  if (!data || typeof data !== "object") return {};
  const body = data;
  const detail = body.errors?.find((e) => e.message)?.message;
  const message = [body.message, detail && detail !== body.message ? detail : void 0].filter(Boolean).join(" | ");
  const currency = invalidValuesIn(body).find((e) => CURRENCY_PROPERTIES.includes(e.name) && e.error === "INVALID_OPTION");
  if (currency) {
    const code = /^\s*"?([A-Za-z]{3})\b/.exec(currency.message)?.[1]?.toUpperCase() ?? "given";
    return {
      code: "CURRENCY_NOT_ENABLED",
      message: `the ${code} currency is not enabled in this HubSpot account (${currency.name}); add it under ${CURRENCY_SETTINGS}, then re-enroll the record`
    };
  }
  const rule = portalRuleViolation(body);
  if (rule) {
    const where = rule.kind === "association" ? "association permissions are set per user under Settings → Users & Teams, and association limits under Settings → Objects → <object> → Associations" : "required and conditionally required properties are set under Settings → Properties (the property's rules) and Settings → Objects → <object> → Record customization (the create-record form)";
    return {
      code: "VALIDATION_RULE",
      message: `a validation rule of this HubSpot account refused the write${rule.property ? ` (property ${rule.property})` : ""}: ${message || "VALIDATION_ERROR"}. Supply the value or change the rule: ${where}`
    };
  }
  const daily = body.policyName === "DAILY";
  const scopes = [...new Set((body.errors ?? []).flatMap((e) => Array.isArray(e.context?.requiredGranularScopes) ? e.context.requiredGranularScopes : []).filter((x) => typeof x === "string"))];
  const withScopes = scopes.length ? `${message || "missing scopes"} (required scopes: ${scopes.join(", ")})` : message;
  return { message: withScopes || void 0, code: body.category ?? body.errorType, ...daily ? { retryAfterSeconds: 3600 } : {} };
}
function existingIdFromConflict(data) {
  const message = data && typeof data === "object" ? data.message : void 0;
  const match = typeof message === "string" ? /Existing ID:\s*(\d+)/i.exec(message) : null;
  return match?.[1];
}
var MAX_ASSOCIATION_PAGES = 20;
var BATCH_LIMIT = 100;
function searchBody(body) {
  return { after: "0", limit: 10, properties: [], sorts: [], ...body };
}
function createHubSpotClient(options) {
  const http = createServiceClient({
    service: "hubspot",
    baseUrl: options.baseUrl ?? HUBSPOT_API,
    log: options.log,
    deadline: options.deadline,
    auth: () => ({ authorization: `Bearer ${options.accessToken}` }),
    describeError: describeHubSpotError
  });
  const paths = hubspotPaths(options.apiVersion ?? hubspotApiVersion());
  const request = (req) => http.request({ expectJson: true, ...req });
  const batchResults = (data, what) => {
    if (!Array.isArray(data?.results)) throw new PermanentError(`HubSpot answered ${what} without results`, { errorCode: "HUBSPOT_EMPTY_RESPONSE", service: "hubspot" });
    return data.results;
  };
  const associationInput = (a) => ({ to: { id: checkObjectId(a.toId, "Association target") }, types: [{ associationCategory: "HUBSPOT_DEFINED", associationTypeId: a.typeId }] });
  const client = {
    service: "hubspot",
    paths,
    request,
    async getObject(type, id, opts = {}) {
      const res = await request({
        method: "GET",
        url: paths.object(type, id),
        query: {
          properties: opts.properties?.join(","),
          associations: opts.associations?.join(","),
          idProperty: opts.idProperty
        },
        accept: opts.accept404 ? [404] : [],
        idempotent: true,
        label: `get ${type}`
      });
      return res.status === 404 ? void 0 : res.data;
    },
    createObject(type, properties, associations = [], opts = {}) {
      return request({
        method: "POST",
        url: paths.objects(type),
        // `associations` is required by the 2026-09 SimplePublicObjectInputForCreate, even when empty.
        json: { properties, associations: associations.map(associationInput) },
        accept: opts.acceptConflict ? [409] : [],
        // With 409 accepted, sending the create again is safe: a second copy is refused and names the first.
        idempotent: opts.acceptConflict === true,
        label: `create ${type}`
      });
    },
    async createObjects(type, inputs) {
      const created = [];
      for (let i = 0; i < inputs.length; i += BATCH_LIMIT) {
        const batch = inputs.slice(i, i + BATCH_LIMIT);
        const res = await request({
          method: "POST",
          url: paths.objectBatch(type, "create"),
          json: { inputs: batch.map((b) => ({ properties: b.properties, associations: (b.associations ?? []).map(associationInput) })) },
          label: `create ${type} (batch of ${batch.length})`
        });
        const results = batchResults(res.data, `create ${type}`);
        if (results.length !== batch.length) {
          throw new PermanentError(`HubSpot created ${results.length} of ${batch.length} ${type}`, { errorCode: "HUBSPOT_PARTIAL_RESPONSE", service: "hubspot" });
        }
        created.push(...results);
      }
      return created;
    },
    async readObjects(type, ids, properties) {
      const found = [];
      for (let i = 0; i < ids.length; i += BATCH_LIMIT) {
        const res = await request({
          method: "POST",
          url: paths.objectBatch(type, "read"),
          // BatchReadInputSimplePublicObjectId (2026-09) requires propertiesWithHistory: [] asks for none.
          json: { properties, propertiesWithHistory: [], inputs: ids.slice(i, i + BATCH_LIMIT).map((id) => ({ id: checkObjectId(id, `${type} id`) })) },
          idempotent: true,
          label: `read ${type}`
        });
        found.push(...batchResults(res.data, `read ${type}`));
      }
      return found;
    },
    async updateObject(type, id, properties, opts = {}) {
      const res = await request({
        method: "PATCH",
        url: paths.object(type, id),
        query: { idProperty: opts.idProperty },
        json: { properties },
        idempotent: true,
        label: `update ${type}`
      });
      return res.data;
    },
    async upsertObjects(type, idProperty, inputs) {
      const res = await request({
        method: "POST",
        url: paths.objectBatch(type, "upsert"),
        json: { inputs: inputs.map((i) => ({ idProperty, id: i.id, properties: i.properties })) },
        accept: [409],
        idempotent: true,
        label: `upsert ${type}`
      });
      if (res.status !== 409) return batchResults(res.data, `upsert ${type}`);
      return upsertConflict(client, type, idProperty, inputs, res.data);
    },
    async searchObjects(type, body) {
      const res = await request({
        method: "POST",
        url: paths.objectSearch(type),
        json: searchBody(body),
        idempotent: true,
        label: `search ${type}`
      });
      return batchResults(res.data, `search ${type}`);
    },
    async associateDefault(fromType, fromId, toType, toId) {
      await request({
        method: "PUT",
        url: paths.defaultAssociation(fromType, fromId, toType, toId),
        idempotent: true,
        label: `associate ${fromType}→${toType}`
      });
    },
    async readAssociatedIds(fromType, fromId, toType) {
      const ids = [];
      let after;
      const seen = /* @__PURE__ */ new Set();
      for (let page = 1; ; page++) {
        if (page > MAX_ASSOCIATION_PAGES) throw new PermanentError(`${fromType} ${fromId} has more than ${MAX_ASSOCIATION_PAGES} pages of ${toType} associations; not reading further`, { errorCode: "HUBSPOT_TOO_MANY_ASSOCIATIONS", service: "hubspot" });
        const res = await request({
          method: "POST",
          url: paths.associationBatch(fromType, toType, "read"),
          json: { inputs: [{ id: checkObjectId(fromId, `${fromType} id`), ...after ? { after } : {} }] },
          idempotent: true,
          label: `read ${fromType}→${toType} associations`
        });
        const result = (res.data?.results ?? []).find((r) => String(r.from?.id) === String(fromId));
        for (const to of result?.to ?? []) ids.push(String(to.toObjectId));
        after = result?.paging?.next?.after;
        if (!after) break;
        if (seen.has(after)) throw new PermanentError(`HubSpot repeated the association paging cursor for ${fromType} ${fromId}`, { errorCode: "HUBSPOT_PAGING_LOOP", service: "hubspot" });
        seen.add(after);
      }
      return [...new Set(ids)];
    }
  };
  return client;
}
async function upsertConflict(client, type, idProperty, inputs, body) {
  const existingId = existingIdFromConflict(body);
  const [only] = inputs;
  if (!existingId || inputs.length !== 1 || !only) {
    throw new PermanentError(
      `HubSpot refused the ${type} upsert by ${idProperty} with 409 for the whole batch: ${body?.message ?? "conflict"}. Nothing was written; resolve the duplicate in HubSpot and re-enroll.`,
      { errorCode: "HUBSPOT_UPSERT_CONFLICT", status: 409, service: "hubspot" }
    );
  }
  const updated = await client.updateObject(type, existingId, only.properties);
  return [{ ...updated, id: updated?.id ?? existingId, new: false }];
}

// lib/inputs.ts
var MAX_INPUT_FIELDS = 50;
var DEFAULT_MAX_LENGTH = 65536;
function spec(type) {
  return (description, extra = {}) => ({ type, description, required: extra.required ?? false, ...extra });
}
var input = {
  string: spec("string"),
  email: spec("email"),
  decimal: spec("decimal"),
  integer: spec("integer"),
  boolean: spec("boolean"),
  datetime: spec("datetime"),
  enumeration: spec("enumeration")
};
var EMAIL = /^[^\s@<>()[\],;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
var DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
var TRUE_WORDS = /* @__PURE__ */ new Set(["true", "yes", "1", "on"]);
var FALSE_WORDS = /* @__PURE__ */ new Set(["false", "no", "0", "off"]);
function parseEmail(text) {
  const value = text.trim().toLowerCase();
  return value.length <= 254 && EMAIL.test(value) ? value : void 0;
}
function parseDecimal(text) {
  const value = text.trim();
  if (!DECIMAL.test(value)) return void 0;
  const negative = value.startsWith("-");
  const unsigned = value.replace(/^[+-]/, "");
  const [intPart = "", fracPart = ""] = unsigned.split(".");
  const int = intPart.replace(/^0+(?=\d)/, "") || "0";
  const frac = fracPart.replace(/0+$/, "");
  const canonical = frac ? `${int}.${frac}` : int;
  return negative && /[1-9]/.test(canonical) ? `-${canonical}` : canonical;
}
function parseDateTime(text) {
  const value = text.trim();
  if (/^\d{1,15}$/.test(value)) return Number(value);
  const date = /^(\d{4})-(\d{2})-(\d{2})([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.exec(value);
  if (!date) return void 0;
  const [year, month, day] = [Number(date[1]), Number(date[2]), Number(date[3])];
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return void 0;
  const ms = Date.parse(value.length === 10 ? `${value}T00:00:00Z` : value);
  return Number.isNaN(ms) ? void 0 : ms;
}
function present(raw) {
  if (raw === void 0 || raw === null) return void 0;
  const text = typeof raw === "string" ? raw : typeof raw === "number" || typeof raw === "boolean" ? String(raw) : JSON.stringify(raw);
  return text.trim() === "" ? void 0 : text;
}
function invalid(name, why) {
  throw new ValidationError(`Input "${name}" ${why}`, { field: name, errorCode: "INVALID_INPUT" });
}
function parseInput(name, s, raw) {
  const text = present(raw);
  if (text === void 0) {
    if (s.required) throw new ValidationError(`Input "${name}" is required but was empty or not mapped`, { field: name, errorCode: "MISSING_INPUT" });
    return void 0;
  }
  const max = s.maxLength ?? DEFAULT_MAX_LENGTH;
  if (text.length > max) invalid(name, `is ${text.length} characters long; at most ${max} are accepted`);
  switch (s.type) {
    case "string":
      return text.trim();
    case "email":
      return parseEmail(text) ?? invalid(name, "is not a valid email address");
    case "decimal":
      return parseDecimal(text) ?? invalid(name, 'is not a plain decimal number (digits with an optional "." and sign, no thousands separators)');
    case "integer": {
      const value = text.trim();
      return /^[+-]?\d+$/.test(value) ? String(BigInt(value)) : invalid(name, "is not a whole number");
    }
    case "boolean": {
      const value = text.trim().toLowerCase();
      if (TRUE_WORDS.has(value)) return true;
      if (FALSE_WORDS.has(value)) return false;
      return invalid(name, "is not a boolean (true/false)");
    }
    case "datetime":
      return parseDateTime(text) ?? invalid(name, "is not a date (epoch milliseconds or ISO 8601)");
    case "enumeration": {
      const value = text.trim();
      if (!s.options || s.options.includes(value)) return value;
      return invalid(name, `must be one of ${s.options.join(", ")}`);
    }
  }
}
function parseInputs(specs, raw) {
  const out2 = {};
  const problems = [];
  for (const [name, s] of Object.entries(specs)) {
    try {
      out2[name] = parseInput(name, s, raw?.[name]);
    } catch (error) {
      if (error instanceof ValidationError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length === 1) throw problems[0];
  if (problems.length > 1) {
    const first = problems[0];
    throw new ValidationError(problems.map((p) => p.message).join("; "), { field: first.field, errorCode: first.errorCode });
  }
  return out2;
}

// lib/logger.ts
var REDACTED = "[redacted]";
var MIN_SECRET_LENGTH = 4;
var MIN_FRAGMENT_LENGTH = 6;
var BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
var TOKEN_SHAPES = [
  /\bpat-[a-z0-9]{2,4}-[0-9a-f-]{20,}\b/gi,
  // HubSpot private-app token
  /\bshp(at|ca|pa|ss)_[0-9a-f]{16,}\b/gi,
  // Shopify access tokens
  /\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g,
  // Salesforce session id
  // Any case style: access_token, accessToken, Access-Token, client_secret, clientSecret, api_key, apiKey.
  /\b(access[_-]?token|refresh[_-]?token|session[_-]?token|id[_-]?token|client[_-]?secret|api[_-]?key)(["']?\s*[:=]\s*["']?)[^"'&\s,}]+/gi
];
var MAX_FIELD_LENGTH = 500;
var escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\/-]/g, "\\$&");
var hex2 = (byte) => byte.toString(16).padStart(2, "0");
var hex4 = (unit) => unit.toString(16).padStart(4, "0");
var BACKSLASH = "(?:\\\\|%(?:25){0,3}5c)";
var NAMED_ENTITIES = { "&": "amp", '"': "quot", "'": "apos", "<": "lt", ">": "gt" };
function characterPattern(char) {
  const codePoint = char.codePointAt(0);
  const units = Array.from({ length: char.length }, (_, i) => char.charCodeAt(i));
  const bytes = [...Buffer.from(char)];
  const ways = [
    units.map((unit) => `${BACKSLASH}{1,3}u${hex4(unit)}`).join(""),
    // After an escaping backslash too: JSON first, then URL-encoded (`\"` → `%5C%22`).
    `${BACKSLASH}{0,3}${bytes.map((byte) => `%(?:25){0,3}${hex2(byte)}`).join("")}`,
    bytes.map((byte) => `${BACKSLASH}{1,3}x${hex2(byte)}`).join(""),
    units.map((unit) => `%u${hex4(unit)}`).join(""),
    `&#0{0,4}${codePoint};`,
    `&#x0{0,4}${codePoint.toString(16)};`
  ];
  if (codePoint >= 128 && codePoint <= 255) ways.push(`%(?:25){0,3}${hex2(codePoint)}`, `${BACKSLASH}{1,3}x${hex2(codePoint)}`);
  if (char === " ") ways.push("\\+", "%(?:25){0,3}2b");
  const named = NAMED_ENTITIES[char];
  if (named) ways.push(`&(?:amp;){0,2}${named};`);
  ways.push(`${BACKSLASH}{0,3}${escapeRegExp(char)}`);
  return `(?:${ways.join("|")})`;
}
function backslashWays() {
  return [`${BACKSLASH}{1,3}u005c`, `${BACKSLASH}{1,3}x5c`, "%u005c", "&#0{0,4}92;", "&#x0{0,4}5c;", BACKSLASH];
}
function base64Cores(value) {
  const bytes = Buffer.from(value);
  return [0, 1, 2].flatMap((offset) => {
    const total = offset + bytes.length;
    const encoded = Buffer.concat([Buffer.alloc(offset), bytes]).toString("base64");
    const skip = [0, 2, 3][offset];
    const core = encoded.slice(skip, 4 * Math.floor(total / 3));
    return [core, core.replace(/\+/g, "-").replace(/\//g, "_")];
  });
}
function wholeSecretForms(value) {
  const form = new URLSearchParams({ v: value }).toString().slice(2);
  const forms = [Buffer.from(value).toString("hex")];
  for (const plain of /* @__PURE__ */ new Set([value, form])) forms.push(Buffer.from(plain).toString("base64"), Buffer.from(plain).toString("base64url"), ...base64Cores(plain));
  return [...new Set(forms)].filter((f) => f.length >= MIN_FRAGMENT_LENGTH && f !== value);
}
function secretPattern(value) {
  return (value.match(/\\+|[^\\]/gu) ?? []).map((piece) => piece.startsWith("\\") ? `(?:${backslashWays().join("|")}){${piece.length},${4 * piece.length}}` : characterPattern(piece)).join("");
}
function startOf(value) {
  const [first, second] = Array.from(value);
  const secondStarts = classOf([second, "\\", "%", "&", ...second === " " ? ["+"] : []]);
  const escapes = [`\\\\[\\\\%ux${classOf([first])}]`, "%[0-9a-fu]", "&[#a-z]", ...first === " " ? ["\\+"] : []];
  return `(?=${escapes.join("|")}|${escapeRegExp(first)}[${secondStarts}])`;
}
var classOf = (chars) => [...new Set(chars)].map((c) => c.replace(/[\\\]^-]/g, "\\$&")).join("");
var Redactor = class {
  secrets = /* @__PURE__ */ new Set();
  matchers;
  constructor(values = []) {
    for (const value of values) this.add(value);
  }
  add(value) {
    if (typeof value !== "string") return;
    const trimmed = value.trim();
    if (trimmed.length < MIN_SECRET_LENGTH || this.secrets.has(trimmed)) return;
    this.secrets.add(trimmed);
    this.matchers = void 0;
  }
  redact(text) {
    this.matchers ??= this.compile();
    let out2 = text;
    for (const matcher of this.matchers) out2 = out2.replace(matcher, REDACTED);
    out2 = out2.replace(BEARER, (_m, scheme) => `${scheme} ${REDACTED}`);
    for (const shape of TOKEN_SHAPES) {
      out2 = out2.replace(
        shape,
        (match, ...groups) => typeof groups[0] === "string" && typeof groups[1] === "string" && /token|secret|key/i.test(groups[0]) ? `${groups[0]}${groups[1]}${REDACTED}` : REDACTED
      );
    }
    return out2;
  }
  compile() {
    const values = [...this.secrets].sort((a, b) => b.length - a.length);
    if (values.length === 0) return [];
    const whole = values.flatMap(wholeSecretForms);
    const firsts = classOf(["\\", "%", "&", "+", ...values.map((v) => Array.from(v)[0])]);
    const escaped = new RegExp(`(?=[${firsts}])(?:${values.map((v) => `${startOf(v)}${secretPattern(v)}`).join("|")})`, "gi");
    if (whole.length === 0) return [escaped];
    return [escaped, new RegExp(`(?=[${classOf(whole.map((f) => f[0]))}])(?:${whole.map(escapeRegExp).join("|")})`, "gi")];
  }
};
var CONTROL = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]/g;
var HAS_CONTROL = new RegExp(CONTROL.source);
var escapeControls = (text) => text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
function formatValue(value, redact) {
  if (value === void 0) return "";
  if (value === null) return "null";
  const raw = value instanceof Error ? `${value.name}: ${value.message}` : typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  const text = redact(raw);
  const clipped = text.length > MAX_FIELD_LENGTH ? `${text.slice(0, MAX_FIELD_LENGTH)}…(+${text.length - MAX_FIELD_LENGTH})` : text;
  const quoted = value instanceof Error || /[\s"=]/.test(clipped) || HAS_CONTROL.test(clipped) || clipped === "" ? JSON.stringify(clipped) : clipped;
  return escapeControls(quoted);
}
function formatLine(level, scope, event, fields = {}, redact = (t) => t) {
  const parts = Object.entries(fields).filter(([, v]) => v !== void 0).map(([k, v]) => `${escapeControls(k)}=${formatValue(v, redact)}`);
  return [`[${escapeControls(scope)}]`, level.toUpperCase(), escapeControls(event), ...parts].join(" ");
}
var consoleSink = (line, level) => {
  if (level === "error" || level === "warn") console.error(line);
  else console.log(line);
};
var LEVEL_ORDER = { debug: 10, info: 20, warn: 30, error: 40 };
function createLogger(options) {
  const redactor = new Redactor(options.secrets ?? []);
  const sink = options.sink ?? consoleSink;
  const threshold = LEVEL_ORDER[options.level ?? "info"];
  const emit = (level) => (event, fields) => {
    if (LEVEL_ORDER[level] < threshold) return;
    sink(escapeControls(redactor.redact(formatLine(level, options.scope, event, fields, (text) => redactor.redact(text)))), level);
  };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    addSecret: (value) => redactor.add(value),
    redact: (text) => redactor.redact(text)
  };
}

// lib/outputs.ts
var MAX_STRING_OUTPUT = 65e3;
function out(type) {
  return (description, options) => ({ type, description, ...options ? { options } : {} });
}
var output = {
  string: out("string"),
  number: out("number"),
  boolean: out("boolean"),
  datetime: out("datetime"),
  date: out("date"),
  enumeration: out("enumeration"),
  phone_number: out("phone_number")
};
var STANDARD_OUTPUTS = {
  status: output.enumeration("ok when the action did its job; error when it could not (see error_code)", ["ok", "error"]),
  error_code: output.string("Machine-readable reason when status is error (e.g. MISSING_INPUT, HUBSPOT_VALIDATION_ERROR); empty otherwise"),
  error_message: output.string("Human-readable reason when status is error; empty otherwise")
};
function checkOutputs(specs, values) {
  const outputFields = {};
  const problems = [];
  const truncated = [];
  for (const [name, raw] of Object.entries(values)) {
    if (raw === void 0 || raw === null) continue;
    const s = specs[name];
    if (!s) {
      problems.push(`output "${name}" is not declared`);
      continue;
    }
    let value = raw;
    switch (s.type) {
      case "number":
        if (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value)) value = Number(value);
        if (typeof value !== "number" || !Number.isFinite(value)) problems.push(`output "${name}" must be a finite number`);
        break;
      case "boolean":
        if (typeof value !== "boolean") problems.push(`output "${name}" must be a boolean`);
        break;
      case "datetime":
      case "date":
        if (value instanceof Date) value = value.getTime();
        if (typeof value !== "number" || !Number.isInteger(value)) problems.push(`output "${name}" must be epoch milliseconds`);
        break;
      case "enumeration":
        if (typeof value !== "string" || s.options && !s.options.includes(value)) problems.push(`output "${name}" must be one of ${s.options?.join(", ")}`);
        break;
      case "string":
      case "phone_number":
        if (typeof value === "number") value = String(value);
        if (typeof value !== "string") problems.push(`output "${name}" must be a string`);
        else if (value.length > MAX_STRING_OUTPUT) {
          value = `${value.slice(0, MAX_STRING_OUTPUT - 1)}…`;
          truncated.push(name);
        }
        break;
    }
    outputFields[name] = value;
  }
  return { outputFields, problems, truncated };
}

// lib/action.ts
function buildConfigFor(name) {
  if (typeof define_ACTION_CONFIG_default === "undefined" || define_ACTION_CONFIG_default.name !== name) return {};
  return define_ACTION_CONFIG_default.settings;
}
function toActionError(error) {
  if (error instanceof ActionError) return error;
  const e = error;
  const status = [e?.response?.status, e?.status, e?.code].find((s) => typeof s === "number" && s >= 400 && s < 600);
  const name = error instanceof Error ? error.name : "Error";
  if (status !== void 0) {
    const verdict = classifyFailure({ service: "unknown", status });
    const message = `${name}: ${typeof e.message === "string" ? e.message : `HTTP ${status}`}`;
    return verdict.verdict === "retryable" ? new RetryableError(message, { errorCode: verdict.errorCode, status: verdict.retryStatus ?? status, cause: error }) : new PermanentError(message, { errorCode: verdict.errorCode, status, cause: error });
  }
  return new PermanentError(`Unexpected error: ${describeError(error)}`, { errorCode: "INTERNAL_ERROR", cause: error });
}
function secretProblem(value) {
  const trimmed = value?.trim() ?? "";
  const at = trimmed.search(/[^\x20-\x7e]/);
  if (at < 0) return void 0;
  const code = trimmed.codePointAt(at) ?? 0;
  return `holds an invisible or non-ASCII character (U+${code.toString(16).toUpperCase().padStart(4, "0")}) at position ${at + 1}`;
}
function isCredentialSecret(name) {
  return /(SECRET|TOKEN|_KEY|PASSWORD)(_|$)/.test(name) && !/_TOKEN_KEY$/.test(name);
}
var MIN_CREDENTIAL_LENGTH = 16;
function credentialLengthProblem(value) {
  const length = value?.trim().length ?? 0;
  return length > 0 && length < MIN_CREDENTIAL_LENGTH ? `is only ${length} characters long; a real key, secret or token is at least ${MIN_CREDENTIAL_LENGTH} (check that it was pasted whole)` : void 0;
}
function defineAction(definition) {
  if (Object.keys(definition.inputs).length > MAX_INPUT_FIELDS) {
    throw new Error(`${definition.name}: HubSpot allows at most ${MAX_INPUT_FIELDS} input fields`);
  }
  const outputs = { ...definition.outputs, ...STANDARD_OUTPUTS };
  async function execute(event, options = {}) {
    const env = options.env ?? process.env;
    const secretValues = Object.keys(definition.secrets).map((k) => env[k]);
    const log = createLogger({ scope: definition.name, secrets: secretValues, level: options.logLevel ?? env.LOG_LEVEL ?? "info", ...options.sink ? { sink: options.sink } : {} });
    const deadline = createDeadline(options.deadline);
    const now = options.now ?? Date.now;
    log.info("start", {
      portal: event?.origin?.portalId,
      object: event?.object?.objectType ? `${event.object.objectType}:${event.object.objectId ?? ""}` : void 0,
      callbackId: event?.callbackId
    });
    try {
      if (!event || typeof event !== "object") throw new ValidationError("The action received no event", { errorCode: "INVALID_EVENT" });
      const missing = Object.entries(definition.secrets).filter(([k, s]) => s.required !== false && (env[k] === void 0 || env[k]?.trim() === "")).map(([k]) => k);
      if (missing.length) {
        throw new ConfigError(
          `Missing secret${missing.length > 1 ? "s" : ""} ${missing.join(", ")}: add ${missing.length > 1 ? "them" : "it"} under the action's "Secrets" and select ${missing.length > 1 ? "them" : "it"} in this action`,
          { errorCode: "MISSING_SECRET" }
        );
      }
      const unusable = Object.keys(definition.secrets).flatMap((k) => {
        const problem = secretProblem(env[k]) ?? (isCredentialSecret(k) ? credentialLengthProblem(env[k]) : void 0);
        return problem ? [`${k} ${problem}`] : [];
      });
      if (unusable.length) {
        throw new ConfigError(`Unusable secret value: ${unusable.join("; ")}. Paste the value again (copy it from the vendor as plain text)`, { errorCode: "INVALID_SECRET" });
      }
      const inputs = parseInputs(definition.inputs, event.inputFields);
      const secrets = Object.fromEntries(Object.keys(definition.secrets).map((k) => [k, env[k]?.trim() || void 0]));
      const config = { ...definition.config ?? {}, ...buildConfigFor(definition.name), ...options.config ?? {} };
      let hubspot;
      const ctx = {
        inputs,
        secrets,
        event,
        object: { type: event.object?.objectType, id: event.object?.objectId === void 0 || event.object.objectId === "" ? void 0 : String(event.object.objectId) },
        log,
        deadline,
        config,
        now,
        hubspot() {
          const accessToken = env.HUBSPOT_ACCESS_TOKEN?.trim();
          if (!accessToken) throw new ConfigError("Missing secret HUBSPOT_ACCESS_TOKEN", { errorCode: "MISSING_SECRET" });
          hubspot ??= createHubSpotClient({ accessToken, log, deadline });
          return hubspot;
        },
        service: (serviceOptions) => createServiceClient({ ...serviceOptions, log, deadline })
      };
      const values = await definition.run(ctx);
      const checked = checkOutputs(outputs, { ...values, status: "ok", error_code: "", error_message: "" });
      if (checked.problems.length) {
        throw new PermanentError(`The action produced outputs that do not match its declaration: ${checked.problems.join("; ")}`, { errorCode: "INVALID_OUTPUT" });
      }
      if (checked.truncated.length) log.warn("output.truncated", { fields: checked.truncated.join(","), limit: 65e3 });
      log.info("done", { status: "ok", ms: deadline.elapsed() });
      return { outputFields: checked.outputFields };
    } catch (thrown) {
      const error = redactErrorChain(toActionError(thrown), log.redact);
      if (error instanceof RetryableError) {
        log.warn("retry", { error_code: error.errorCode, status: error.status, message: error.message, ms: deadline.elapsed() });
        throw error;
      }
      log.error("failed", {
        error_code: error.errorCode,
        message: error.message,
        ms: deadline.elapsed(),
        ...error.errorCode === "INTERNAL_ERROR" && thrown instanceof Error ? { stack: error.cause instanceof Error ? error.cause.stack : void 0 } : {}
      });
      return {
        outputFields: checkOutputs(outputs, { ...definition.errorOutputs ?? {}, status: "error", error_code: error.errorCode, error_message: error.message }).outputFields
      };
    }
  }
  return {
    definition,
    outputs,
    execute,
    // One declared parameter, whatever a caller passes after the event: nothing here waits on or calls a callback.
    main: (event) => execute(event)
  };
}

// lib/properties.ts
function textProperty(objectType, groupName, name, label, description, extra = {}) {
  return { objectType, groupName, name, label, description, type: "string", fieldType: "text", ...extra };
}

// lib/shopify.ts
var SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]{0,61}\.myshopify\.com$/;
function parseShopDomain(text) {
  const host = (text ?? "").trim().toLowerCase().replace(/^https:\/\//, "").replace(/\/+$/, "");
  if (!SHOP_DOMAIN.test(host)) {
    throw new ConfigError(`Secret SHOPIFY_SHOP must be your shop's permanent domain, like "acme.myshopify.com" (Shopify admin → Settings → Domains)`, { errorCode: "INVALID_SHOP_DOMAIN" });
  }
  return host;
}
function shopifyCredentials(secrets) {
  if (secrets.SHOPIFY_ACCESS_TOKEN) return { kind: "access-token", accessToken: secrets.SHOPIFY_ACCESS_TOKEN };
  if (secrets.SHOPIFY_CLIENT_ID && secrets.SHOPIFY_CLIENT_SECRET) {
    return { kind: "client-credentials", clientId: secrets.SHOPIFY_CLIENT_ID, clientSecret: secrets.SHOPIFY_CLIENT_SECRET };
  }
  const half = secrets.SHOPIFY_CLIENT_ID ? "SHOPIFY_CLIENT_SECRET is missing" : secrets.SHOPIFY_CLIENT_SECRET ? "SHOPIFY_CLIENT_ID is missing" : "none is set";
  throw new ConfigError(
    `Shopify credentials are incomplete (${half}): add either SHOPIFY_ACCESS_TOKEN (a custom app's Admin API access token) or both SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET (a Dev Dashboard app installed on your store) as secrets of this action`,
    { errorCode: "MISSING_SECRET" }
  );
}
function describeShopifyError(_status, data) {
  if (!data || typeof data !== "object") return {};
  const body = data;
  if (typeof body.errors === "string") return { message: body.errors };
  if (Array.isArray(body.errors)) {
    const first = body.errors.find((e) => typeof e?.message === "string");
    return first ? { message: first.message, code: first.extensions?.code } : {};
  }
  if (body.errors && typeof body.errors === "object") return { message: JSON.stringify(body.errors) };
  if (typeof body.error === "string") {
    return { message: typeof body.error_description === "string" ? `${body.error}: ${body.error_description}` : body.error, code: body.error.toUpperCase() };
  }
  return {};
}
function throttleWaitSeconds(cost) {
  const requested = cost?.requestedQueryCost;
  const available = cost?.throttleStatus?.currentlyAvailable;
  const rate = cost?.throttleStatus?.restoreRate;
  if (typeof requested !== "number" || typeof available !== "number" || typeof rate !== "number" || rate <= 0) return void 0;
  return Math.max(0, Math.ceil((requested - available) / rate * 10) / 10);
}
var PROTECTED_CUSTOMER_DATA_DOCS = "https://shopify.dev/docs/apps/launch/protected-customer-data";
var ACCESS_ADVICE = "check the app's access scopes (read_orders, read_customers) and its protected customer data access: level 1 for the Customer object, level 2 for name, email, phone and address fields (Dev Dashboard or Partner Dashboard → API access → Protected customer data; custom apps in the Shopify admin have it on most plans) — " + PROTECTED_CUSTOMER_DATA_DOCS;
function inspectGraphQLResponse(response) {
  const body = response.data;
  if (!body || typeof body !== "object") return { status: response.status, malformedBody: true };
  const errors = Array.isArray(body.errors) ? body.errors : [];
  if (errors.length === 0) return void 0;
  const codes = errors.map((e) => e.extensions?.code ?? "");
  const message = errors.map((e) => e.message ?? "").filter(Boolean).join("; ") || void 0;
  if (codes.includes("THROTTLED")) {
    const wait = throttleWaitSeconds(body.extensions?.cost);
    return { status: 429, vendorCode: "THROTTLED", vendorMessage: message, ...wait !== void 0 ? { retryAfterSeconds: wait } : {} };
  }
  if (codes.includes("INTERNAL_SERVER_ERROR")) return { status: 500, vendorCode: "INTERNAL_SERVER_ERROR", vendorMessage: message };
  if (codes.includes("ACCESS_DENIED")) {
    const protectedData = /not approved to access|protected customer/i.test(message ?? "");
    return { status: 403, vendorCode: protectedData ? "PROTECTED_CUSTOMER_DATA" : "ACCESS_DENIED", vendorMessage: `${message ?? "access denied"} (${ACCESS_ADVICE})` };
  }
  return { status: 400, vendorCode: codes.find(Boolean) ?? "GRAPHQL_ERROR", vendorMessage: message };
}
var tokenCache = moduleCache();
function createShopifyClient(options) {
  const { shop, credentials, log, now } = options;
  const origin = `https://${shop}`;
  const oauth = options.service({ service: "shopify", baseUrl: origin, describeError: describeShopifyError });
  const cacheKey = credentials.kind === "client-credentials" ? `${shop}|${credentials.clientId}` : "";
  async function clientCredentialsToken() {
    if (credentials.kind !== "client-credentials") return "";
    const cached = tokenCache.get(cacheKey);
    if (isFresh(cached, now())) {
      log.addSecret(cached.accessToken);
      return cached.accessToken;
    }
    const res = await oauth.request({
      method: "POST",
      url: "/admin/oauth/access_token",
      form: { grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret },
      // Asking for a token twice is harmless.
      idempotent: true,
      label: "client-credentials token"
    });
    const token = res.data?.access_token;
    if (typeof token !== "string" || token === "") {
      throw new PermanentError("Shopify answered the client-credentials grant without an access token", { errorCode: "SHOPIFY_NO_TOKEN", service: "shopify" });
    }
    log.addSecret(token);
    const seconds = typeof res.data.expires_in === "number" && res.data.expires_in > 0 ? res.data.expires_in : 86399;
    tokenCache.set(cacheKey, { accessToken: token, expiresAt: now() + seconds * 1e3 });
    log.info("shopify.token", { grant: "client_credentials", scope: res.data.scope, expiresIn: seconds });
    return token;
  }
  const graphql = options.service({
    service: "shopify",
    baseUrl: `${origin}/admin/api/${SHOPIFY_API_VERSION}`,
    describeError: describeShopifyError,
    auth: async () => ({ "x-shopify-access-token": credentials.kind === "access-token" ? credentials.accessToken : await clientCredentialsToken() }),
    // A cached client-credentials token may have been revoked (app reinstalled, secret rotated): get a fresh one once.
    onUnauthorized: async () => {
      if (credentials.kind !== "client-credentials") return false;
      tokenCache.delete(cacheKey);
      return true;
    },
    inspect: inspectGraphQLResponse
  });
  return {
    shop,
    async query(query, variables, label) {
      const res = await graphql.request({ method: "POST", url: "/graphql.json", json: { query, variables }, idempotent: true, label });
      if (!res.data?.data) throw new PermanentError("Shopify answered without data", { errorCode: "SHOPIFY_EMPTY_RESPONSE", service: "shopify" });
      return res.data.data;
    }
  };
}

// actions/shopify-order-sync/map.ts
function orderGid(text) {
  const value = text.trim();
  if (/^\d{1,20}$/.test(value)) return `gid://shopify/Order/${value}`;
  const match = /^gid:\/\/shopify\/Order\/(\d{1,20})$/.exec(value);
  return match ? value : void 0;
}
function legacyId(gid) {
  const match = /\/(\d+)(\?.*)?$/.exec(gid);
  return match?.[1] ?? gid;
}
function nonEmpty(values) {
  return Object.fromEntries(Object.entries(values).filter((e) => typeof e[1] === "string" && e[1].trim() !== "").map(([k, v]) => [k, v.trim()]));
}
function decimal(text) {
  return typeof text === "string" ? parseDecimal(text) : void 0;
}
function isoDateTime(text) {
  if (typeof text !== "string") return void 0;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? void 0 : new Date(ms).toISOString();
}
function buyerEmail(order) {
  const candidate = order.customer?.defaultEmailAddress?.emailAddress ?? order.email ?? "";
  return parseEmail(candidate);
}
function customerDataRedacted(order) {
  const c = order.customer;
  if (!c || order.email) return false;
  return !c.firstName && !c.lastName && !c.defaultEmailAddress?.emailAddress && !c.defaultPhoneNumber?.phoneNumber;
}
function noBuyerEmailError(order) {
  if (customerDataRedacted(order)) {
    return new ConfigError(
      `Order ${order.name} has a customer, but Shopify returned their name, email and phone as empty: the app is not approved for protected customer data (level 2: name, email, phone, address). Request that access for the app (Dev Dashboard or Partner Dashboard → API access → Protected customer data), then re-enroll — ${PROTECTED_CUSTOMER_DATA_DOCS}`,
      { errorCode: "SHOPIFY_PROTECTED_CUSTOMER_DATA_REDACTED", service: "shopify" }
    );
  }
  return new PermanentError(
    `Order ${order.name} has no buyer email (guest checkout without email): there is no contact to attach the deal to. If Shopify admin shows an email on this order, the app lacks protected customer data access for email (${PROTECTED_CUSTOMER_DATA_DOCS})`,
    { errorCode: "ORDER_WITHOUT_EMAIL" }
  );
}
function contactPropertiesFromOrder(order, email) {
  const customer = order.customer;
  const billing = order.billingAddress;
  const street = [billing?.address1, billing?.address2].map((s) => s?.trim()).filter(Boolean).join(", ");
  return nonEmpty({
    email,
    firstname: customer?.firstName ?? billing?.firstName,
    lastname: customer?.lastName ?? billing?.lastName,
    phone: customer?.defaultPhoneNumber?.phoneNumber ?? billing?.phone,
    address: street,
    city: billing?.city,
    state: billing?.province,
    zip: billing?.zip,
    country: billing?.country,
    shopify_customer_id: customer ? legacyId(customer.id) : void 0,
    total_order_value: customer ? decimal(customer.amountSpent.amount) : void 0,
    shopify_order_count: customer && /^\d+$/.test(customer.numberOfOrders) ? customer.numberOfOrders : void 0,
    last_order_date: customer ? isoDateTime(customer.lastOrder?.createdAt ?? order.createdAt) : void 0
  });
}
function dealPropertiesFromOrder(order, settings) {
  return nonEmpty({
    dealname: `Order ${order.name}`,
    amount: decimal(order.totalPriceSet.shopMoney.amount),
    deal_currency_code: order.totalPriceSet.shopMoney.currencyCode,
    closedate: isoDateTime(order.createdAt),
    pipeline: settings.pipeline,
    dealstage: settings.dealstage,
    shopify_order_id: legacyId(order.id)
  });
}
function lineItemInputsFromOrder(lines) {
  return lines.map((line) => {
    const id = legacyId(line.id);
    return {
      id,
      properties: nonEmpty({
        name: line.title || `Shopify line item ${id}`,
        quantity: String(line.quantity),
        price: decimal(line.originalUnitPriceSet.shopMoney.amount),
        hs_line_item_currency_code: line.originalUnitPriceSet.shopMoney.currencyCode,
        hs_sku: line.sku,
        shopify_line_item_id: id
      })
    };
  });
}

// actions/shopify-order-sync/index.ts
var GROUP = "shopify";
var ORDER_KEY = "shopify_order_id";
var LINE_ITEM_KEY = "shopify_line_item_id";
var LINE_ITEM_TO_DEAL = 20;
var LINE_ITEMS_PAGE = 100;
var MAX_LINE_ITEM_PAGES = 10;
var ORDER_QUERY = `query ShopifyOrderSync($id: ID!, $lineItemsAfter: String) {
  order(id: $id) {
    id
    name
    createdAt
    email
    currencyCode
    totalPriceSet { shopMoney { amount currencyCode } presentmentMoney { amount currencyCode } }
    customer {
      id
      firstName
      lastName
      defaultEmailAddress { emailAddress }
      defaultPhoneNumber { phoneNumber }
      amountSpent { amount currencyCode }
      numberOfOrders
      lastOrder { createdAt }
    }
    billingAddress { firstName lastName address1 address2 city province zip country phone }
    lineItems(first: ${LINE_ITEMS_PAGE}, after: $lineItemsAfter) {
      nodes { id title quantity sku originalUnitPriceSet { shopMoney { amount currencyCode } } }
      pageInfo { hasNextPage endCursor }
    }
  }
}`;
var number = (objectType, name, label, description) => ({ objectType, groupName: GROUP, name, label, description, type: "number", fieldType: "number" });
var action = defineAction({
  name: "shopify-order-sync",
  title: "Shopify order → HubSpot contact, deal and line items",
  description: "Reads a Shopify order (GraphQL Admin API), upserts the buyer as a contact with Shopify's order totals, upserts a closed-won deal for the order and one line item per order line, and associates them.",
  enrollment: {
    objectType: "deal",
    trigger: `A webhook-triggered workflow fed by Shopify's orders/create webhook (map the order id into "shopify_order_id"), or any workflow that knows the order id`
  },
  secrets: {
    SHOPIFY_SHOP: {
      description: "Your shop's permanent domain, e.g. acme.myshopify.com",
      typicalLength: 30,
      where: "Shopify admin → Settings → Domains (the .myshopify.com one)"
    },
    SHOPIFY_ACCESS_TOKEN: {
      description: "Admin API access token of an existing custom app (shpat_…), scopes read_orders, read_customers (and read_all_orders for orders older than 60 days). Or use the client ID + secret below instead.",
      required: false,
      typicalLength: 38,
      where: "Shopify admin → Settings → Apps and sales channels → Develop apps → your app → API credentials"
    },
    SHOPIFY_CLIENT_ID: {
      description: "Client ID of a Dev Dashboard app installed on your own store (client-credentials grant); with SHOPIFY_CLIENT_SECRET, instead of SHOPIFY_ACCESS_TOKEN",
      required: false,
      typicalLength: 32,
      where: "Shopify Dev Dashboard → Apps → your app → Settings"
    },
    SHOPIFY_CLIENT_SECRET: {
      description: "Client secret of that Dev Dashboard app",
      required: false,
      typicalLength: 38,
      where: "Shopify Dev Dashboard → Apps → your app → Settings"
    },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(["contacts.write", "deals.read", "deals.write", "line_items.read", "line_items.write"])
  },
  inputs: {
    shopify_order_id: input.string("Shopify order id: the number from the order's admin URL, or its GraphQL id gid://shopify/Order/…", { required: true, maxLength: 100 })
  },
  outputs: {
    contact_id: output.string("HubSpot id of the buyer's contact"),
    deal_id: output.string("HubSpot id of the order's deal"),
    deal_created: output.boolean("true when this run created the deal (false on a re-run or an order synced before)"),
    line_item_count: output.number("Number of line items on the deal (one per order line)")
  },
  propertyGroups: [{ name: GROUP, label: "Shopify" }],
  properties: [
    textProperty("deals", GROUP, ORDER_KEY, "Shopify order ID (unique)", "Numeric Shopify order id; unique, so an order is never recorded twice", { hasUniqueValue: true }),
    // Not unique: HubSpot offers unique-value properties for contacts, companies, deals, tickets and custom objects
    // only, so creating this one with hasUniqueValue may be refused and an upsert by it is refused ("Unable to perform
    // update/upsert by non-unique … property"). The run keys line items through the deal's associations instead.
    textProperty("line_items", GROUP, LINE_ITEM_KEY, "Shopify line item ID", "Numeric Shopify line item id; the action reads the deal's line items by it so a line is not added twice"),
    textProperty("contacts", GROUP, "shopify_customer_id", "Shopify customer ID", "Numeric id of the Shopify customer"),
    number("contacts", "total_order_value", "Total order value", "Lifetime amount spent in the Shopify store (Shopify customer amountSpent, shop currency)"),
    number("contacts", "shopify_order_count", "Shopify order count", "Number of orders in the Shopify store (Shopify customer numberOfOrders)"),
    { objectType: "contacts", groupName: GROUP, name: "last_order_date", label: "Last order date", description: "When the customer last ordered in the Shopify store", type: "datetime", fieldType: "date" }
  ],
  apiCalls: {
    "first run of an order (new deal)": "5 (Shopify: 1 order query; HubSpot: contact and deal upserts at once, then line items created with the deal association inline and the deal↔contact association at once) — 3 round trips",
    "order synced before (existing deal, nothing missing)": "5 (1 + both upserts + the deal with its associations + its line items' keys)",
    "existing deal with missing lines or contact link": "+1 line-item create, +1 association",
    "order without line items": "4 (1 + both upserts + deal↔contact association), 4 when synced before (the deal read replaces it)",
    "client-credentials secrets, cold container": "+1 token call (cached for 24 h while warm)",
    "more than 100 line items": "+1 Shopify query, +1 line-item create and +1 line-item read per further 100 lines"
  },
  notes: {
    "Line items and simultaneous runs": "HubSpot offers unique-value properties for contacts, companies, deals, tickets and custom objects, not for line items, so line items are keyed through the deal: a run that creates the deal creates all its line items in one call, with the deal association inline; a run that finds the deal reads the line items associated with it (by association, which has no search lag) and creates only the order lines whose `shopify_line_item_id` is missing. Two simultaneous runs of one order (e.g. a webhook delivered twice within a second) **can** safely share the contact and the deal: both are upserted by a unique key, so there is one of each. They **cannot** guarantee single line items: if the second run reads the deal before the first run's line items exist, both create them and the deal holds each line twice. A later run never adds a third copy (it sees the lines) and logs `line_items.duplicates`; it does not delete anything, so remove the extra line items by hand if that happens. Deleting a line item in HubSpot and re-enrolling the order adds it back."
  },
  config: { pipeline: "default", dealstage: "closedwon" },
  async run({ inputs, secrets, config, hubspot, service, log, now }) {
    const gid = orderGid(inputs.shopify_order_id);
    if (!gid) {
      throw new ValidationError('Input "shopify_order_id" must be a numeric Shopify order id (e.g. 5678901234) or gid://shopify/Order/5678901234', { field: "shopify_order_id", errorCode: "INVALID_INPUT" });
    }
    const shopify = createShopifyClient({ shop: parseShopDomain(secrets.SHOPIFY_SHOP), credentials: shopifyCredentials(secrets), log, now, service });
    const client = hubspot();
    const order = await fetchOrder(shopify, gid);
    const email = buyerEmail(order);
    if (!email) throw noBuyerEmailError(order);
    log.info("order", { order: order.name, lines: order.lineItems.nodes.length, currency: order.totalPriceSet.shopMoney.currencyCode, customer: order.customer ? "yes" : "guest" });
    const dealProperties = dealPropertiesFromOrder(order, config);
    const [contact, deal] = await settleAll([
      upsertOne(client, "contacts", "email", email, contactPropertiesFromOrder(order, email)),
      upsertOne(client, "deals", ORDER_KEY, dealProperties[ORDER_KEY], dealProperties)
    ]);
    const wanted = lineItemInputsFromOrder(order.lineItems.nodes);
    const linked = deal.new === true ? { contactLinked: false, lineItemKeys: [] } : await readDealLinks(client, deal.id, contact.id);
    const have = new Set(linked.lineItemKeys);
    const missing = wanted.filter((line) => !have.has(line.id));
    if (linked.lineItemKeys.length > have.size) log.warn("line_items.duplicates", { deal: deal.id, lines: linked.lineItemKeys.length, distinct: have.size });
    log.info("line_items.plan", { deal: deal.id, new_deal: deal.new === true, wanted: wanted.length, missing: missing.length });
    await settleAll([
      linked.contactLinked ? Promise.resolve() : client.associateDefault("deals", deal.id, "contacts", contact.id),
      missing.length ? createLineItems(client, missing, deal.id) : Promise.resolve([])
    ]);
    return { contact_id: contact.id, deal_id: deal.id, deal_created: deal.new === true, line_item_count: wanted.length };
  }
});
async function fetchOrder(shopify, gid) {
  const { order } = await shopify.query(ORDER_QUERY, { id: gid, lineItemsAfter: null }, "order");
  if (!order) {
    throw new PermanentError(
      `Shopify has no order ${gid} visible to this app. Check the id; orders older than 60 days are visible only with the read_all_orders scope (https://shopify.dev/docs/api/usage/access-scopes#orders-permissions)`,
      { errorCode: "ORDER_NOT_FOUND", service: "shopify" }
    );
  }
  const lines = [...order.lineItems.nodes];
  let page = order.lineItems.pageInfo;
  const seen = /* @__PURE__ */ new Set();
  while (page.hasNextPage && page.endCursor) {
    if (seen.has(page.endCursor)) throw new PermanentError(`Shopify repeated a line-item cursor for order ${gid}; stopped paging`, { errorCode: "SHOPIFY_PAGING_LOOP", service: "shopify" });
    if (seen.size + 1 >= MAX_LINE_ITEM_PAGES) throw new PermanentError(`Shopify order ${gid} has more than ${MAX_LINE_ITEM_PAGES} pages of line items; stopped paging`, { errorCode: "SHOPIFY_TOO_MANY_LINE_ITEM_PAGES", service: "shopify" });
    seen.add(page.endCursor);
    const next = await shopify.query(ORDER_QUERY, { id: gid, lineItemsAfter: page.endCursor }, "order line items");
    if (!next.order) throw new PermanentError(`Shopify order ${gid} disappeared while its line items were read`, { errorCode: "ORDER_NOT_FOUND", service: "shopify" });
    lines.push(...next.order.lineItems.nodes);
    page = next.order.lineItems.pageInfo;
  }
  return { ...order, lineItems: { nodes: lines, pageInfo: page } };
}
async function upsertOne(client, type, idProperty, id, properties) {
  const [record] = await client.upsertObjects(type, idProperty, [{ id, properties }]);
  if (!record) throw new PermanentError(`HubSpot returned no ${type} from the upsert`, { errorCode: "HUBSPOT_EMPTY_RESPONSE", service: "hubspot" });
  return record;
}
async function readDealLinks(client, dealId, contactId) {
  const deal = await client.getObject("deals", dealId, { properties: [ORDER_KEY], associations: ["contacts", "line_items"] });
  const ids = (type) => {
    const group = deal?.associations?.[type] ?? deal?.associations?.[type.replace("_", " ")];
    return { ids: (group?.results ?? []).map((r) => String(r.id)), more: group?.paging?.next?.after !== void 0 };
  };
  const contacts = ids("contacts");
  const lines = ids("line_items");
  const lineItemIds = lines.more ? await client.readAssociatedIds("deals", dealId, "line_items") : lines.ids;
  const records = lineItemIds.length ? await client.readObjects("line_items", lineItemIds, [LINE_ITEM_KEY]) : [];
  return {
    contactLinked: contacts.ids.includes(contactId),
    lineItemKeys: records.map((r) => r.properties[LINE_ITEM_KEY] ?? "").filter((key) => key !== "")
  };
}
function createLineItems(client, lines, dealId) {
  return client.createObjects("line_items", lines.map((line) => ({ properties: line.properties, associations: [{ toId: dealId, typeId: LINE_ITEM_TO_DEAL }] })));
}
async function settleAll(promises) {
  const results = await Promise.allSettled(promises);
  const failures = results.filter((r) => r.status === "rejected").map((r) => r.reason);
  if (failures.length) {
    throw failures.find((f) => f instanceof ActionError && f.kind === "permanent") ?? failures[0];
  }
  return results.map((r) => r.value);
}
var main = action.main;
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  ORDER_QUERY,
  action,
  main
});
