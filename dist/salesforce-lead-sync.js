/*
 * salesforce-lead-sync — Salesforce lead sync: HubSpot contact ↔ Salesforce lead
 * hubspot-custom-code-actions 0.1.0 · build dd3fb430a8b9 · HubSpot custom code, Node.js 24
 *
 * Creates or updates the Salesforce Lead for a contact, or copies newer Salesforce values back; lifecycle stage ↔ lead status and owners mapped by configurable tables. Salesforce REST API v68.0 (Winter '27). When a duplicate rule blocks a new lead, the lead it matched is linked; a matched contact is the error SALESFORCE_DUPLICATE_CONTACT. Alert-only duplicate rules block API saves too unless the build setting allowDuplicateSave sends Sforce-Duplicate-Rule-Header allowSave=true (off by default).
 *
 * HOW TO INSTALL — in this order. Custom code needs Data Hub Professional or Enterprise (formerly Operations Hub).
 * 1. Custom properties: create them first (until they exist HubSpot rejects the writes: PROPERTY_DOESNT_EXIST).
 *    Either: put HUBSPOT_ACCESS_TOKEN=<service key> in .env, run `npm run setup` (dry run), then `npm run setup -- --apply`.
 *    That key needs the schema scopes crm.schemas.contacts.read, crm.schemas.contacts.write — not the action's scopes of step 4.
 *    (HubSpot → Development → Keys → Service keys → Create service key → add the scopes → Create → Show → copy.)
 *    Or by hand: HubSpot → Settings → Data Management → Properties → select the object → Create property, for each ("Show in forms" off):
 *      Contact property · label "Salesforce lead id" · internal name salesforce_lead_id · group "Salesforce sync" · field type Single-line text
 *      Contact property · label "Salesforce lead status" · internal name salesforce_lead_status · group "Salesforce sync" · field type Single-line text
 *      Contact property · label "Salesforce sync status" · internal name salesforce_sync_status · group "Salesforce sync" · field type Dropdown select · options (label = internal value): synced = synced, linked duplicate = linked_duplicate, lead converted = lead_converted, error = error
 *      Contact property · label "Salesforce last sync" · internal name salesforce_last_sync_at · group "Salesforce sync" · field type Date and time picker
 *      Contact property · label "Salesforce sync error" · internal name salesforce_sync_error · group "Salesforce sync" · field type Multi-line text
 * 2. Workflow: Automations → Workflows → Create workflow → From scratch → Contact-based.
 *    Trigger: Contact property changes you want in Salesforce (e.g. Lifecycle Stage, First Name, Last Name, Company Name), with re-enrollment on.
 *    Enrolls each contact whose synced properties change; turn re-enrollment on for those properties so every later change syncs again. A run with nothing different writes nothing, so the action's own writes do not loop.
 * 3. Action: + → Data ops → Custom code; Language: Node.js 24.x.
 * 4. Secrets: create each (Secrets → Add secret) and select it in the action:
 *      SALESFORCE_LOGIN_URL — Your org's My Domain URL (not login.salesforce.com: the client credentials flow only works on My Domain) [where: Salesforce Setup → My Domain → Current My Domain URL, e.g. https://acme.my.salesforce.com]
 *      SALESFORCE_CLIENT_ID — Consumer key of an external client app with OAuth scope "api", the client credentials flow enabled and a Run As user [where: Salesforce Setup → External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret]
 *      SALESFORCE_CLIENT_SECRET — Consumer secret of the same app [where: Next to the consumer key]
 *      HUBSPOT_ACCESS_TOKEN — HubSpot Service Key (or an existing legacy private-app token) with scope crm.objects.contacts.write [where: HubSpot → Development → Keys → Service keys → Create service key, add the scopes listed, then Show and copy the key (a legacy private app's access token also works)]
 * 5. Properties to include in code: one row each, name → what to pick — why:
 *      email (required) → Email (`email`) — Contact email; finds the lead when no Salesforce id is stored yet
 *      firstname → First Name (`firstname`) — First name
 *      lastname → Last Name (`lastname`) — Last name (a placeholder is used on new leads when empty: Salesforce requires it)
 *      company → Company Name (`company`) — Company name (a placeholder is used on new leads when empty: Salesforce requires it)
 *      phone → Phone Number (`phone`) — Phone number
 *      lifecyclestage → Lifecycle Stage (`lifecyclestage`) — Lifecycle stage (internal value, e.g. marketingqualifiedlead)
 *      hs_lead_status → Lead Status (`hs_lead_status`) — HubSpot lead status (internal value, e.g. IN_PROGRESS)
 *      hubspot_owner_id → Contact owner (`hubspot_owner_id`) — Contact owner
 *      lastmodifieddate → Last Modified Date (`lastmodifieddate`) — decides which side is newer; the action compares it with the lead's LastModifiedDate
 *      salesforce_lead_id → Salesforce lead id (`salesforce_lead_id`) (Single-line text) — stored by the previous run; lets the action find the lead by id instead of by email
 *      salesforce_lead_status → Salesforce lead status (`salesforce_lead_status`) (Single-line text) — stored by the previous run; with salesforce_sync_status, lets a run with nothing new write nothing (no re-enrollment loop)
 *      salesforce_sync_status → Salesforce sync status (`salesforce_sync_status`) (Dropdown select) — stored by the previous run; see above
 * 6. Paste: replace the code in the editor with this whole file.
 * 7. Data outputs: add each with its type:
 *      sync_operation: Enumeration (create | update | sync_from_salesforce | noop)
 *      salesforce_lead_id: String
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

// actions/salesforce-lead-sync/index.ts
var index_exports = {};
__export(index_exports, {
  action: () => action,
  main: () => main
});
module.exports = __toCommonJS(index_exports);

// <define:__ACTION_CONFIG__>
var define_ACTION_CONFIG_default = { name: "salesforce-lead-sync", settings: {} };

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
var SALESFORCE_API_VERSION = "v68.0";

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

// lib/salesforce.ts
var SESSION_REUSE_MS = 15 * 6e4;
var LEAD_FIELDS = [
  "Id",
  "FirstName",
  "LastName",
  "Email",
  "Company",
  "Phone",
  "Status",
  "LeadSource",
  "OwnerId",
  "IsConverted",
  "LastModifiedDate",
  "SystemModstamp"
];
function escapeSoqlLiteral(value) {
  return value.replace(/[\\'"\n\r\t\b\f]/g, (c) => SOQL_ESCAPES[c]);
}
var SOQL_ESCAPES = { "\\": "\\\\", "'": "\\'", '"': '\\"', "\n": "\\n", "\r": "\\r", "	": "\\t", "\b": "\\b", "\f": "\\f" };
function soqlString(value) {
  return `'${escapeSoqlLiteral(value)}'`;
}
var ID_SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
function toCaseSafeId(id15) {
  let suffix = "";
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= "A" && c <= "Z") bits |= 1 << i;
    }
    suffix += ID_SUFFIX_ALPHABET.charAt(bits);
  }
  return `${id15}${suffix}`;
}
function isSalesforceId(text) {
  if (/^[A-Za-z0-9]{15}$/.test(text)) return true;
  return /^[A-Za-z0-9]{18}$/.test(text) && toCaseSafeId(text.slice(0, 15)) === `${text.slice(0, 15)}${text.slice(15).toUpperCase()}`;
}
function isLeadId(text) {
  return isSalesforceId(text) && text.startsWith("00Q");
}
function parseSalesforceDateTime(text) {
  if (!text) return void 0;
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? void 0 : ms;
}
function describeSalesforceError(_status, data) {
  if (Array.isArray(data)) {
    const errors = data.filter((e) => !!e && typeof e === "object");
    const message = errors.map((e) => `${e.message ?? e.errorCode ?? "error"}${e.fields?.length ? ` (fields: ${e.fields.join(", ")})` : ""}`).join(" | ");
    return { message: message || void 0, code: errors.find((e) => e.errorCode)?.errorCode };
  }
  if (data && typeof data === "object" && typeof data.error === "string") {
    const body = data;
    return { message: body.error_description ? `${body.error}: ${body.error_description}` : body.error, code: body.error.toUpperCase() };
  }
  return {};
}
var ERROR_HINTS = {
  REQUIRED_FIELD_MISSING: "a required Lead field has no value: map the HubSpot property, or adjust the placeholder values in the action config",
  INVALID_FIELD: 'a field this action uses does not exist on Lead or is not visible to the client-credentials "Run As" user (field-level security)',
  INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: "a mapped value is not in the org's picklist: adjust the lead status / owner tables in actions.config.json",
  DUPLICATES_DETECTED: 'a Salesforce duplicate rule blocked the new lead and did not name the matching record: merge or relax the rule (or set "allowDuplicateSave" in actions.config.json when the rule only alerts), then re-enroll the contact',
  UNABLE_TO_LOCK_ROW: "another process held a lock on the record (row-lock contention); HubSpot will re-run the action",
  CANNOT_UPDATE_CONVERTED_LEAD: "the lead was converted in Salesforce and can no longer be updated",
  FIELD_INTEGRITY_EXCEPTION: "Salesforce refused a value (for example an OwnerId that is not an active user): check the owner table in actions.config.json"
};
function salesforceFailure(status, data, label) {
  const details = describeSalesforceError(status, data);
  const hint = details.code ? ERROR_HINTS[details.code] : void 0;
  return errorFromFailure({ service: "salesforce", status, vendorCode: details.code, vendorMessage: [details.message, hint].filter(Boolean).join(" — ") || void 0 }, label);
}
var KEY_PREFIXES = { "00Q": "Lead", "003": "Contact", "001": "Account" };
function duplicateMatches(data) {
  if (!Array.isArray(data)) return [];
  const matches = [];
  for (const e of data) {
    if (e?.errorCode !== "DUPLICATES_DETECTED") continue;
    const result = e.duplicateResut ?? e.duplicateResult;
    for (const matchResult of result?.matchResults ?? []) {
      for (const match of matchResult.matchRecords ?? []) {
        const id = match.record?.Id;
        if (typeof id !== "string" || !isSalesforceId(id)) continue;
        const entityType = match.record?.attributes?.type ?? matchResult.entityType ?? KEY_PREFIXES[id.slice(0, 3)] ?? "unknown";
        matches.push({ id, entityType });
      }
    }
  }
  return matches;
}
function duplicateLeadId(data) {
  return duplicateMatches(data).find((m) => m.entityType === "Lead" && isLeadId(m.id))?.id;
}
var TRANSIENT_CODES = {
  SALESFORCE_REQUEST_LIMIT_EXCEEDED: { status: 429, why: "daily API request limit; HubSpot will re-run the action later" },
  SALESFORCE_UNABLE_TO_LOCK_ROW: { status: 503, why: "row lock held by another process; HubSpot will re-run the action later" }
};
function retryableIfTransient(error) {
  if (!(error instanceof ActionError) || error.kind !== "permanent") return error;
  const code = TRANSIENT_CODES[error.errorCode] ? error.errorCode : /\bUNABLE_TO_LOCK_ROW\b/.test(error.message) ? "SALESFORCE_UNABLE_TO_LOCK_ROW" : void 0;
  const transient = code ? TRANSIENT_CODES[code] : void 0;
  if (!code || !transient) return error;
  return new RetryableError(`${error.message} (${transient.why})`, { errorCode: code, status: transient.status, service: "salesforce", cause: error });
}
var sessions = moduleCache();
function normalizeLoginUrl(raw) {
  let url;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `https://${raw}`);
  } catch {
    throw new ConfigError("SALESFORCE_LOGIN_URL is not a URL: use your My Domain URL, e.g. https://acme.my.salesforce.com (Setup → My Domain)", { errorCode: "SALESFORCE_LOGIN_URL_INVALID" });
  }
  if (url.protocol !== "https:") {
    throw new ConfigError("SALESFORCE_LOGIN_URL must start with https://", { errorCode: "SALESFORCE_LOGIN_URL_INVALID" });
  }
  return url.origin;
}
var DUPLICATE_RULE_HEADER = "Sforce-Duplicate-Rule-Header";
function createSalesforceClient(options) {
  const { credentials, log, now } = options;
  const loginUrl = normalizeLoginUrl(credentials.loginUrl);
  const cacheKey = `${loginUrl}|${credentials.clientId}`;
  const tokenHttp = options.service({ service: "salesforce", baseUrl: loginUrl, describeError: describeSalesforceError });
  async function fetchSession() {
    const res = await tokenHttp.request({
      method: "POST",
      url: "/services/oauth2/token",
      form: { grant_type: "client_credentials", client_id: credentials.clientId, client_secret: credentials.clientSecret },
      // The token endpoint answers bad credentials with 400/401 {error, error_description}: turned into clear advice below.
      accept: [400, 401],
      idempotent: true,
      label: "token"
    });
    if (res.status !== 200) throw tokenError(res);
    const { access_token: accessToken, instance_url: instanceUrl } = res.data ?? {};
    if (typeof accessToken !== "string" || accessToken === "" || typeof instanceUrl !== "string" || !/^https:\/\//.test(instanceUrl)) {
      throw new PermanentError("Salesforce token answer has no access_token or instance_url", { errorCode: "SALESFORCE_TOKEN_MALFORMED", service: "salesforce" });
    }
    log.addSecret(accessToken);
    const session2 = { accessToken, instanceUrl: instanceUrl.replace(/\/+$/, ""), expiresAt: now() + SESSION_REUSE_MS };
    sessions.set(cacheKey, session2);
    log.info("salesforce.token", { cached: false });
    return session2;
  }
  async function session() {
    const cached = sessions.get(cacheKey);
    if (isFresh(cached, now())) {
      log.addSecret(cached.accessToken);
      return cached;
    }
    return fetchSession();
  }
  const rest = options.service({
    service: "salesforce",
    auth: async () => ({ authorization: `Bearer ${(await session()).accessToken}` }),
    describeError: describeSalesforceError,
    // 401 [{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]: one new token, one retry.
    onUnauthorized: async () => {
      sessions.delete(cacheKey);
      await fetchSession();
      return true;
    }
  });
  async function call(req) {
    const { instanceUrl } = await session();
    try {
      return await rest.request({ ...req, url: `${instanceUrl}/services/data/${SALESFORCE_API_VERSION}${req.path}` });
    } catch (error) {
      throw retryableIfTransient(error);
    }
  }
  async function queryOneLead(where, label) {
    const soql = `SELECT ${LEAD_FIELDS.join(", ")} FROM Lead WHERE ${where} ORDER BY CreatedDate ASC LIMIT 1`;
    const res = await call({ method: "GET", path: "/query", query: { q: soql }, idempotent: true, label });
    return res.data?.records?.[0];
  }
  return {
    findLeadById(id) {
      if (!isSalesforceId(id)) throw new PermanentError(`"${id}" is not a Salesforce id`, { errorCode: "SALESFORCE_INVALID_ID", service: "salesforce" });
      return queryOneLead(`Id = ${soqlString(id)}`, "find lead by id");
    },
    findLeadByEmail(email) {
      return queryOneLead(`Email = ${soqlString(email)} AND IsConverted = false`, "find lead by email");
    },
    async createLead(fields) {
      const headers = options.allowDuplicateSave ? { [DUPLICATE_RULE_HEADER]: "allowSave=true" } : void 0;
      const res = await call({ method: "POST", path: "/sobjects/Lead/", json: fields, ...headers ? { headers } : {}, accept: [400], label: "create lead" });
      if (res.status === 400) {
        const duplicateOf = duplicateLeadId(res.data);
        if (duplicateOf) return { id: duplicateOf, duplicateOf };
        const other = duplicateMatches(res.data)[0];
        if (other) {
          throw new PermanentError(
            `A Salesforce duplicate rule matched existing ${other.entityType.toLowerCase()} ${other.id}, not a lead: this person is already a ${other.entityType.toLowerCase()} in Salesforce (converted, or entered directly), so no lead was created or linked. Link or merge the records by hand, or exclude ${other.entityType}s from the lead duplicate rule.`,
            { errorCode: other.entityType === "Contact" ? "SALESFORCE_DUPLICATE_CONTACT" : "SALESFORCE_DUPLICATE_NOT_A_LEAD", service: "salesforce", status: 400 }
          );
        }
        throw retryableIfTransient(salesforceFailure(res.status, res.data, "create lead"));
      }
      const id = res.data.id;
      if (typeof id !== "string" || !isSalesforceId(id)) throw new PermanentError("Salesforce created the lead but returned no id", { errorCode: "SALESFORCE_EMPTY_RESPONSE", service: "salesforce" });
      return { id };
    },
    async updateLead(id, fields) {
      await call({ method: "PATCH", path: `/sobjects/Lead/${encodeURIComponent(id)}`, json: fields, idempotent: true, label: "update lead" });
    }
  };
}
function tokenError(res) {
  const error = typeof res.data?.error === "string" ? res.data.error : "";
  const description = typeof res.data?.error_description === "string" ? res.data.error_description : "";
  const said = `Salesforce token endpoint answered HTTP ${res.status}${error ? ` ${error}` : ""}${description ? ` (${description})` : ""}`;
  if (error === "invalid_grant" && /not supported on this domain/i.test(description)) {
    return new ConfigError(`${said}: set SALESFORCE_LOGIN_URL to your org's My Domain URL (Setup → My Domain, e.g. https://acme.my.salesforce.com), not login.salesforce.com or test.salesforce.com`, { errorCode: "SALESFORCE_LOGIN_URL_NOT_MY_DOMAIN", service: "salesforce" });
  }
  if (error === "invalid_client" || error === "invalid_client_id") {
    return new ConfigError(`${said}: check SALESFORCE_CLIENT_ID and SALESFORCE_CLIENT_SECRET (the external client app's consumer key and secret)`, { errorCode: "SALESFORCE_INVALID_CLIENT", service: "salesforce" });
  }
  if (error === "invalid_grant") {
    return new ConfigError(`${said}: enable the client credentials flow on the external client app and choose its "Run As" user`, { errorCode: "SALESFORCE_INVALID_GRANT", service: "salesforce" });
  }
  if (error === "unknown_error") {
    return new RetryableError(`${said}: a transient Salesforce error; HubSpot will re-run the action`, { errorCode: "SALESFORCE_TOKEN_UNKNOWN_ERROR", status: 503, service: "salesforce" });
  }
  return new ConfigError(`${said}: check the SALESFORCE_* secrets`, { errorCode: "SALESFORCE_TOKEN_REFUSED", service: "salesforce" });
}

// actions/salesforce-lead-sync/map.ts
var DEFAULT_CONFIG = {
  leadStatusByLifecycleStage: {
    subscriber: "Open - Not Contacted",
    lead: "Open - Not Contacted",
    marketingqualifiedlead: "Open - Not Contacted",
    salesqualifiedlead: "Working - Contacted",
    opportunity: "Working - Contacted",
    customer: "Working - Contacted",
    evangelist: "Working - Contacted",
    other: "Closed - Not Converted"
  },
  leadStatusByHubSpotLeadStatus: {
    NEW: "Open - Not Contacted",
    OPEN: "Open - Not Contacted",
    IN_PROGRESS: "Working - Contacted",
    ATTEMPTED_TO_CONTACT: "Working - Contacted",
    CONNECTED: "Working - Contacted",
    OPEN_DEAL: "Working - Contacted",
    UNQUALIFIED: "Closed - Not Converted",
    BAD_TIMING: "Closed - Not Converted"
  },
  lifecycleStageByLeadStatus: {
    "Open - Not Contacted": "lead",
    "Working - Contacted": "salesqualifiedlead",
    "Closed - Converted": "customer",
    "Closed - Not Converted": "other"
  },
  salesforceUserByHubSpotOwner: {},
  leadSource: "HubSpot",
  placeholderLastName: "[not provided]",
  placeholderCompany: "[not provided]",
  allowDuplicateSave: false
};
function checkConfig(config) {
  const tables = ["leadStatusByLifecycleStage", "leadStatusByHubSpotLeadStatus", "lifecycleStageByLeadStatus", "salesforceUserByHubSpotOwner"];
  for (const table of tables) {
    const value = config[table];
    if (!value || typeof value !== "object" || Array.isArray(value) || Object.values(value).some((v) => typeof v !== "string" || v.trim() === "")) {
      throw new ConfigError(`Config "${table}" must map names to non-empty text`, { errorCode: "INVALID_CONFIG" });
    }
  }
  for (const [owner, user] of Object.entries(config.salesforceUserByHubSpotOwner)) {
    if (!isSalesforceId(user) || !user.startsWith("005")) throw new ConfigError(`Config "salesforceUserByHubSpotOwner": "${user}" (for HubSpot owner ${owner}) is not a Salesforce user id (005…)`, { errorCode: "INVALID_CONFIG" });
  }
  for (const key of ["leadSource", "placeholderLastName", "placeholderCompany"]) {
    if (typeof config[key] !== "string" || config[key].trim() === "") throw new ConfigError(`Config "${key}" must be non-empty text`, { errorCode: "INVALID_CONFIG" });
  }
  if (typeof config.allowDuplicateSave !== "boolean") throw new ConfigError('Config "allowDuplicateSave" must be true or false', { errorCode: "INVALID_CONFIG" });
  return config;
}
function lookup(table, key) {
  if (!key || !Object.hasOwn(table, key)) return void 0;
  const value = table[key];
  return typeof value === "string" && value !== "" ? value : void 0;
}
function leadStatusFor(contact, config) {
  return lookup(config.leadStatusByHubSpotLeadStatus, contact.hs_lead_status) ?? lookup(config.leadStatusByLifecycleStage, contact.lifecyclestage);
}
function leadValuesFromContact(contact, config) {
  const values = {
    FirstName: contact.firstname,
    LastName: contact.lastname,
    Email: contact.email,
    Company: contact.company,
    Phone: contact.phone,
    Status: leadStatusFor(contact, config),
    OwnerId: lookup(config.salesforceUserByHubSpotOwner, contact.hubspot_owner_id)
  };
  return Object.fromEntries(Object.entries(values).filter(([, v]) => typeof v === "string" && v !== ""));
}
function leadForCreate(contact, config) {
  return {
    LastName: config.placeholderLastName,
    Company: config.placeholderCompany,
    LeadSource: config.leadSource,
    ...leadValuesFromContact(contact, config)
  };
}
var same = (a, b) => (a ?? "") === (b ?? "");
function leadChangesFromContact(contact, lead, config) {
  const changes = {};
  for (const [field, value] of Object.entries(leadValuesFromContact(contact, config))) {
    const current = lead[field];
    const equal = field === "Email" ? same(current?.toLowerCase(), value.toLowerCase()) : field === "OwnerId" ? same(current?.slice(0, 15), value.slice(0, 15)) : same(current, value);
    if (!equal) changes[field] = value;
  }
  return changes;
}
var LIFECYCLE_ORDER = ["subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "customer", "evangelist", "other"];
function isForward(from, to) {
  const target = LIFECYCLE_ORDER.indexOf(to);
  if (target < 0) return false;
  if (!from) return true;
  const current = LIFECYCLE_ORDER.indexOf(from);
  return current >= 0 && target > current;
}
var isPlaceholder = (value, config) => value === config.placeholderLastName || value === config.placeholderCompany;
function contactChangesFromLead(lead, contact, config) {
  const changes = {};
  const pairs = [
    ["firstname", lead.FirstName],
    ["lastname", lead.LastName],
    ["company", lead.Company],
    ["phone", lead.Phone]
  ];
  for (const [property, value] of pairs) {
    if (value && value.trim() !== "" && !isPlaceholder(value, config) && !same(contact[property], value)) changes[property] = value;
  }
  if (lead.Status && lead.Status !== leadStatusFor(contact, config)) {
    const stage = lookup(config.lifecycleStageByLeadStatus, lead.Status);
    if (stage && isForward(contact.lifecyclestage, stage)) changes.lifecyclestage = stage;
  }
  if (lead.OwnerId) {
    const owners = Object.entries(config.salesforceUserByHubSpotOwner).filter(([, user]) => user.slice(0, 15) === lead.OwnerId?.slice(0, 15));
    const owner = owners.length === 1 ? owners[0]?.[0] : void 0;
    if (owner && owner !== contact.hubspot_owner_id) changes.hubspot_owner_id = owner;
  }
  return changes;
}
function newerSide(contact, lead) {
  const leadModified = parseSalesforceDateTime(lead.LastModifiedDate) ?? parseSalesforceDateTime(lead.SystemModstamp);
  if (contact.lastmodifieddate === void 0 || leadModified === void 0) return "hubspot";
  return leadModified > contact.lastmodifieddate ? "salesforce" : "hubspot";
}
function planSync(contact, lead, config) {
  if (!lead) return { operation: "create", lead: leadForCreate(contact, config) };
  if (lead.IsConverted) return { operation: "noop", leadId: lead.Id, leadStatus: lead.Status, reason: "converted" };
  if (newerSide(contact, lead) === "hubspot") {
    const changes = leadChangesFromContact(contact, lead, config);
    if (Object.keys(changes).length) return { operation: "update", leadId: lead.Id, changes, leadStatus: changes.Status ?? lead.Status };
  } else {
    const contactChanges = contactChangesFromLead(lead, contact, config);
    if (Object.keys(contactChanges).length) return { operation: "sync_from_salesforce", leadId: lead.Id, contactChanges, leadStatus: lead.Status };
  }
  return { operation: "noop", leadId: lead.Id, leadStatus: lead.Status, reason: "in_sync" };
}
function contactWrite(contact, result, now) {
  const bookkeeping = {
    salesforce_lead_id: result.leadId,
    salesforce_lead_status: result.leadStatus ?? "",
    salesforce_sync_status: result.syncStatus
  };
  const changes = result.changes ?? {};
  const stale = Object.entries(bookkeeping).some(([k, v]) => !same(contact[k], v));
  if (!stale && Object.keys(changes).length === 0) return void 0;
  return { ...changes, ...bookkeeping, salesforce_last_sync_at: String(now), salesforce_sync_error: "" };
}
function contactErrorWrite(message, now) {
  return { salesforce_sync_status: "error", salesforce_sync_error: message.length > 1e3 ? `${message.slice(0, 999)}…` : message, salesforce_last_sync_at: String(now) };
}

// actions/salesforce-lead-sync/index.ts
var GROUP = "salesforce_sync";
var SYNC_STATUSES = ["synced", "linked_duplicate", "lead_converted", "error"];
var contactProperty = (name, label, description, extra = {}) => textProperty("contacts", GROUP, name, label, description, extra);
var action = defineAction({
  name: "salesforce-lead-sync",
  title: "Salesforce lead sync: HubSpot contact ↔ Salesforce lead",
  description: "Creates or updates the Salesforce Lead for a contact, or copies newer Salesforce values back; lifecycle stage ↔ lead status and owners mapped by configurable tables. Salesforce REST API v68.0 (Winter '27). When a duplicate rule blocks a new lead, the lead it matched is linked; a matched contact is the error SALESFORCE_DUPLICATE_CONTACT. Alert-only duplicate rules block API saves too unless the build setting allowDuplicateSave sends Sforce-Duplicate-Rule-Header allowSave=true (off by default).",
  enrollment: {
    objectType: "contact",
    trigger: "Contact property changes you want in Salesforce (e.g. {lifecyclestage}, {firstname}, {lastname}, {company}), with re-enrollment on"
  },
  secrets: {
    SALESFORCE_LOGIN_URL: {
      description: "Your org's My Domain URL (not login.salesforce.com: the client credentials flow only works on My Domain)",
      typicalLength: 40,
      where: "Salesforce Setup → My Domain → Current My Domain URL, e.g. https://acme.my.salesforce.com"
    },
    SALESFORCE_CLIENT_ID: {
      description: 'Consumer key of an external client app with OAuth scope "api", the client credentials flow enabled and a Run As user',
      typicalLength: 85,
      where: "Salesforce Setup → External Client App Manager → your app → Settings → OAuth Settings → Consumer Key and Secret"
    },
    SALESFORCE_CLIENT_SECRET: { description: "Consumer secret of the same app", typicalLength: 64, where: "Next to the consumer key" },
    HUBSPOT_ACCESS_TOKEN: hubspotTokenSecret(["contacts.write"])
  },
  inputs: {
    email: input.email("Contact email; finds the lead when no Salesforce id is stored yet", { required: true, property: "email" }),
    firstname: input.string("First name", { property: "firstname", maxLength: 40 }),
    lastname: input.string("Last name (a placeholder is used on new leads when empty: Salesforce requires it)", { property: "lastname", maxLength: 80 }),
    company: input.string("Company name (a placeholder is used on new leads when empty: Salesforce requires it)", { property: "company", maxLength: 255 }),
    phone: input.string("Phone number", { property: "phone", maxLength: 40 }),
    lifecyclestage: input.string("Lifecycle stage (internal value, e.g. marketingqualifiedlead)", { property: "lifecyclestage", maxLength: 100 }),
    hs_lead_status: input.string("HubSpot lead status (internal value, e.g. IN_PROGRESS)", { property: "hs_lead_status", maxLength: 100 }),
    hubspot_owner_id: input.string("Contact owner", { property: "hubspot_owner_id", maxLength: 40 }),
    lastmodifieddate: input.datetime("Last modified date: decides which side is newer", { property: "lastmodifieddate" }),
    salesforce_lead_id: input.string("Salesforce lead id stored by an earlier run", { property: "salesforce_lead_id", maxLength: 18 }),
    salesforce_lead_status: input.string("Lead status stored by an earlier run (lets an unchanged run write nothing)", { property: "salesforce_lead_status", maxLength: 255 }),
    salesforce_sync_status: input.string("Sync status stored by an earlier run (lets an unchanged run write nothing)", { property: "salesforce_sync_status", maxLength: 40 })
  },
  outputs: {
    sync_operation: output.enumeration("What this run did", ["create", "update", "sync_from_salesforce", "noop"]),
    salesforce_lead_id: output.string("Id of the Salesforce lead")
  },
  propertyGroups: [{ name: GROUP, label: "Salesforce sync" }],
  properties: [
    contactProperty("salesforce_lead_id", "Salesforce lead id", "Id of the Salesforce Lead this contact is synced with"),
    contactProperty("salesforce_lead_status", "Salesforce lead status", "Lead Status in Salesforce at the last sync"),
    contactProperty("salesforce_sync_status", "Salesforce sync status", "Outcome of the last sync", {
      type: "enumeration",
      fieldType: "select",
      options: SYNC_STATUSES.map((value) => ({ label: value.replace(/_/g, " "), value }))
    }),
    contactProperty("salesforce_last_sync_at", "Salesforce last sync", "When the Salesforce sync last wrote to this contact", { type: "datetime", fieldType: "date" }),
    contactProperty("salesforce_sync_error", "Salesforce sync error", "Why the last sync failed; empty after a successful one", { fieldType: "textarea" })
  ],
  apiCalls: {
    "new lead": "2 (query, create) + 1 HubSpot write; +1 token call on a cold start",
    "existing lead, HubSpot newer": "2 (query, update) + 1 HubSpot write only when the lead status changed",
    "existing lead, Salesforce newer": "1 (query) + 1 HubSpot write",
    "nothing differs (noop)": "1 (query)"
  },
  config: DEFAULT_CONFIG,
  async run(ctx) {
    const { inputs, secrets, log, now } = ctx;
    const config = checkConfig(ctx.config);
    const contact = inputs;
    const hubspot = ctx.hubspot();
    const contactTarget = contactTargetFor(ctx.object, contact.email);
    try {
      const salesforce = createSalesforceClient({
        credentials: { loginUrl: secrets.SALESFORCE_LOGIN_URL, clientId: secrets.SALESFORCE_CLIENT_ID, clientSecret: secrets.SALESFORCE_CLIENT_SECRET },
        service: ctx.service,
        log,
        now,
        allowDuplicateSave: config.allowDuplicateSave
      });
      const lead = await findLead(salesforce, contact, log);
      const plan = planSync(contact, lead, config);
      log.info("sync.plan", { operation: plan.operation, lead: "leadId" in plan ? plan.leadId : void 0 });
      let operation = plan.operation;
      let leadId;
      let write;
      switch (plan.operation) {
        case "create": {
          const created = await salesforce.createLead(plan.lead);
          leadId = created.id;
          if (created.duplicateOf) {
            log.warn("lead.duplicate_linked", { lead: leadId });
            operation = "noop";
            write = contactWrite(contact, { leadId, leadStatus: null, syncStatus: "linked_duplicate" }, now());
          } else {
            write = contactWrite(contact, { leadId, leadStatus: plan.lead.Status ?? null, syncStatus: "synced" }, now());
          }
          break;
        }
        case "update":
          leadId = plan.leadId;
          await salesforce.updateLead(leadId, plan.changes);
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: "synced" }, now());
          break;
        case "sync_from_salesforce":
          leadId = plan.leadId;
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: "synced", changes: plan.contactChanges }, now());
          break;
        case "noop":
          leadId = plan.leadId;
          write = contactWrite(contact, { leadId, leadStatus: plan.leadStatus, syncStatus: plan.reason === "converted" ? "lead_converted" : "synced" }, now());
          break;
      }
      if (write) await updateContact(hubspot, contactTarget, write);
      else log.info("contact.unchanged", { reason: "nothing differs: no write, no re-enrollment" });
      return { sync_operation: operation, salesforce_lead_id: leadId };
    } catch (error) {
      if (!(error instanceof RetryableError)) await recordFailure(hubspot, contactTarget, error, log, now());
      throw error;
    }
  }
});
async function findLead(salesforce, contact, log) {
  const storedId = contact.salesforce_lead_id;
  if (storedId && isLeadId(storedId)) {
    const lead = await salesforce.findLeadById(storedId);
    if (lead) return lead;
    log.warn("lead.stored_id_not_found", { lead: storedId });
  } else if (storedId) {
    log.warn("lead.stored_id_invalid", { reason: "not a 15/18-character Lead id (00Q…)" });
  }
  return salesforce.findLeadByEmail(contact.email);
}
function contactTargetFor(object, email) {
  const isContact = object.type === void 0 || /^(contact|contacts|0-1)$/i.test(object.type);
  return object.id && isContact ? { id: checkObjectId(object.id, "The enrolled contact id") } : { id: email, idProperty: "email" };
}
function updateContact(hubspot, target, properties) {
  return hubspot.updateObject("contacts", target.id, properties, target.idProperty ? { idProperty: target.idProperty } : {});
}
async function recordFailure(hubspot, target, error, log, now) {
  const message = log.redact(error instanceof ActionError ? `${error.errorCode}: ${error.message}` : describeError(error));
  try {
    await updateContact(hubspot, target, contactErrorWrite(message, now));
  } catch (recordError) {
    log.warn("contact.error_not_recorded", { error: describeError(recordError) });
  }
}
var main = action.main;
// Annotate the CommonJS export names for ESM import in node:
0 && (module.exports = {
  action,
  main
});
