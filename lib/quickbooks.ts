import { QUICKBOOKS_MINOR_VERSION } from './api-versions';
import { ConfigError, DeadlineError, PermanentError, RetryableError } from './errors';
import type { HttpFailure } from './classify';
import type { HttpResponse, ServiceClient, ServiceOptions } from './http';
import type { Logger } from './logger';
import { isFresh, moduleCache, type CachedToken } from './module-cache';
import { fingerprint, TokenStoreConflictError, TokenStoreWriteRefusedError, type StoredValue, type TokenStore } from './token-store';

/**
 * QuickBooks Online: Intuit's OAuth 2.0 token endpoint and the Accounting API v3, called directly
 * through lib/http.ts instead of the deprecated callback client `node-quickbooks`.
 *
 * - Token endpoint: POST https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer, Basic client_id:client_secret,
 *   form grant_type=refresh_token → { access_token, refresh_token, expires_in: 3600, x_refresh_token_expires_in,
 *   token_type: "bearer" }; a dead refresh token → 400 { "error": "invalid_grant" }.
 *   Intuit rotates refresh tokens: once a refresh returns a new one, the old one stops working
 *   (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq).
 * - API: https://quickbooks.api.intuit.com/v3/company/{realmId}/… (sandbox-quickbooks.api.intuit.com for sandbox
 *   companies), always with ?minorversion=75: lower minor versions are no longer served.
 * - Errors come as { "Fault": { "Error": [{ Message, Detail, code, element }], "type": "ValidationFault" }, "time" } —
 *   with HTTP 400, and sometimes with HTTP 200 (hence `inspect`). A 401 has a lower-case "fault" body.
 * - Limits (production and sandbox): 10 requests per second per realm and app, and 500 requests per minute per
 *   realm; beyond either, HTTP 429, and "If you see this, wait 60 seconds before retrying the request"
 *   (https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles). One run makes at most about six
 *   calls, one after another, so a run alone stays far below 10/s; many enrollments at once can reach it. lib/pacing.ts
 *   spaces a container's calls after a 429; the 429 itself is thrown for HubSpot's re-run (a minute or more later),
 *   because 60 s never fits the 20 s budget (INTUIT_RATE_LIMIT_WAIT_MS).
 */

/**
 * The company record holding the encrypted token pair (lib/token-store.ts): created by `npm run setup -- --apply`
 * (scripts/lib-tooling/token-store-setup.ts) or by hand, never by the action.
 */
export const QUICKBOOKS_TOKEN_STORE = { key: 'quickbooks', recordName: 'QuickBooks connection (do not delete)' } as const;
export const INTUIT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';
export const QUICKBOOKS_API = { production: 'https://quickbooks.api.intuit.com', sandbox: 'https://sandbox-quickbooks.api.intuit.com' } as const;
export type QuickBooksEnvironment = keyof typeof QUICKBOOKS_API;
/**
 * Intuit on a 429: "wait 60 seconds before retrying the request"
 * (https://developer.intuit.com/app/developer/qbo/docs/learn/limits-and-throttles). lib/http.ts resends in the run only
 * when the budget can hold that wait, which a 20 s run never can: the 429 goes to HubSpot's re-run instead of 1–4 s
 * retries that Intuit does not promise to accept and that spend the run.
 */
export const INTUIT_RATE_LIMIT_WAIT_MS = 60_000;
/** How long an execution that got invalid_grant waits for a concurrent one to save the rotated pair. */
const RACE_GRACE_MS = 1_500;
/**
 * Budget a refresh needs before it may start: Intuit's token call (it rotates the refresh token the moment it
 * answers, so an answer lost to our own deadline loses the connection), then the store write (one read, one upsert).
 * Measured on the fakes these take milliseconds; in production the token call usually answers within a second and
 * each HubSpot call within half a second, so 8 s leaves several times that. With less, the run stops before the
 * refresh with a retryable 504 and the re-run starts with a full 20 s. Tests with a shorter total budget scale it.
 */
export const REFRESH_BUDGET_MS = 8_000;
/**
 * For this long after the stored pair was issued, Intuit refusing its refresh token (invalid_grant) is treated as
 * "another execution rotated it and has not saved the new pair yet" (a lost store-write reply; a warm container
 * saves its pair on its next run) and is retried (503) rather than reported as QUICKBOOKS_RECONNECT_REQUIRED. A
 * refresh token issued this recently cannot have expired (they live 100 days).
 */
export const INVALID_GRANT_GRACE_MS = 6 * 3600_000;
/** Intuit no longer serves minor versions below 75 (pinned in lib/api-versions.ts with every other version). */
export const MINOR_VERSION = QUICKBOOKS_MINOR_VERSION;

// ---- errors ---------------------------------------------------------------------------------------------------

interface FaultBody {
  Fault?: { Error?: Array<{ Message?: string; Detail?: string; code?: string; element?: string }>; type?: string };
  fault?: { error?: Array<{ message?: string; detail?: string; code?: string }>; type?: string };
}

/** The first error of a QuickBooks Fault (either spelling), or undefined when the body is not a Fault. */
export function faultOf(data: unknown): { type: string; code: string; message: string } | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const body = data as FaultBody;
  if (body.Fault) {
    const e = body.Fault.Error?.[0] ?? {};
    return { type: body.Fault.type ?? 'Fault', code: String(e.code ?? ''), message: [e.Message, e.Detail].filter(Boolean).join(': ') };
  }
  if (body.fault) {
    const e = body.fault.error?.[0] ?? {};
    return { type: body.fault.type ?? 'fault', code: String(e.code ?? ''), message: [e.message, e.detail].filter(Boolean).join(': ') };
  }
  return undefined;
}

export function describeQuickBooksError(_status: number, data: unknown): { message?: string; code?: string } {
  const fault = faultOf(data);
  if (!fault) return {};
  return { message: fault.message || fault.type, code: fault.code || undefined };
}

/** What HTTP status a Fault in a 200 answer stands for, so lib/classify.ts decides as for any other failure. */
export function statusForFaultType(type: string): number {
  if (/^auth(entication)?/i.test(type) && !/authorization/i.test(type)) return 401;
  if (/authorization/i.test(type)) return 403;
  if (/throttl/i.test(type)) return 429;
  if (/system|service/i.test(type)) return 500;
  return 400; // ValidationFault and anything unknown: the request is wrong
}

export function faultInSuccess(response: HttpResponse): Omit<HttpFailure, 'service'> | undefined {
  const fault = faultOf(response.data);
  if (!fault) return undefined;
  return { status: statusForFaultType(fault.type), vendorMessage: fault.message || fault.type, vendorCode: fault.code || undefined };
}

/** Duplicate Name Exists: DisplayName must be unique across customers, vendors and employees. */
export const DUPLICATE_NAME_CODE = '6240';
export const isDuplicateName = (error: unknown) => error instanceof PermanentError && error.errorCode === `QUICKBOOKS_${DUPLICATE_NAME_CODE}`;

// ---- query language --------------------------------------------------------------------------------------------

/**
 * A string literal for the QuickBooks query language: single-quoted, with `\` and `'` escaped by a backslash
 * (https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries).
 * Every user value goes through here; nothing is interpolated raw.
 */
export function quickBooksLiteral(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---- tokens ----------------------------------------------------------------------------------------------------

/** What the token store holds for QuickBooks (encrypted). */
export interface QuickBooksTokens {
  accessToken: string;
  accessTokenExpiresAt: number;
  refreshToken: string;
  refreshTokenExpiresAt?: number;
  /** When Intuit issued this pair (epoch ms); older stores lack it (then: access token expiry minus an hour). */
  issuedAt?: number;
  /** Fingerprint of the QUICKBOOKS_REFRESH_TOKEN secret this chain started from: a new secret means "reconnected". */
  bootstrap: string;
}

interface CachedQuickBooksToken extends CachedToken {
  refreshToken: string;
  version: number;
  bootstrap: string;
  /**
   * Set when a refresh succeeded but writing the store failed (or its reply was lost): the pair must be saved before
   * anything else — but only over the very state it was redeemed from (`version`, `redeemed`), never over a newer one.
   */
  unsaved?: { redeemed: string };
  tokens: QuickBooksTokens;
}

/** Warm Lambda containers reuse the access token for its hour instead of reading the store on every run. */
const tokenCache = moduleCache<CachedQuickBooksToken>();
/** One refresh at a time per container and realm. */
const refreshing = moduleCache<Promise<string>>();

export interface QuickBooksCredentials {
  clientId: string;
  clientSecret: string;
  realmId: string;
  /** The bootstrap refresh token from the secret; used only while the store is empty. */
  bootstrapRefreshToken: string;
}

/**
 * The one case that truly needs a person to reconnect: Intuit refuses the refresh token (invalid_grant) and nothing
 * newer can appear — it is the QUICKBOOKS_REFRESH_TOKEN secret's own token (nothing newer exists in the store), or the
 * stored pair is older than INVALID_GRANT_GRACE_MS and no other execution saved a newer one meanwhile (the user
 * disconnected the app in QuickBooks, the refresh token's 100-day or 5-year life ended, or a container holding the only
 * live pair was recycled before it could save it). Everything else (a concurrent rotation, a lost store-write reply, a
 * run without enough budget) is retryable.
 */
export interface QuickBooksAuth {
  accessToken(): Promise<string>;
  /** After a 401: the token we sent was refused; get another (from the store, or by refreshing). */
  renewAfterUnauthorized(refused: string): Promise<void>;
}

/** `afterLostReply`: Intuit refused the token when it was sent again because its answer to the first send was lost. */
type Redemption = { ok: true; tokens: QuickBooksTokens } | { ok: false; reason: 'invalid_grant'; afterLostReply?: boolean };

export function reconnectError(realmId: string, from: 'bootstrap' | 'store', cause: 'refused' | 'lost-reply' = 'refused'): ConfigError {
  const what = cause === 'lost-reply'
    ? `Intuit's answer to this run's token refresh was lost in transit, and the same refresh token sent again was refused (invalid_grant): Intuit rotated it when it answered, the new one never arrived, and Intuit documents no way to use a rotated refresh token again. The connection to QuickBooks company ${realmId} is lost. `
    : `QuickBooks refused the ${from === 'bootstrap' ? 'refresh token in the QUICKBOOKS_REFRESH_TOKEN secret' : 'stored refresh token'} (invalid_grant): the connection to QuickBooks company ${realmId} has expired or was revoked. `;
  return new ConfigError(
    what +
      'To reconnect, get a new refresh token for this company (your Intuit app\'s connect flow or the OAuth 2.0 Playground), put it in the QUICKBOOKS_REFRESH_TOKEN secret, and clear the "Integration store value" property of the company "QuickBooks connection (do not delete)" in HubSpot (a changed secret is also noticed on its own).',
    { errorCode: 'QUICKBOOKS_RECONNECT_REQUIRED', service: 'quickbooks' },
  );
}

export function createQuickBooksAuth(options: {
  credentials: QuickBooksCredentials;
  store: TokenStore<QuickBooksTokens>;
  /** A service client for the token endpoint (no base URL, no auth of its own). */
  oauth: ServiceClient;
  now: () => number;
  log: Logger;
  /** Deadline-aware sleep (ctx.deadline.sleep); resolves false when the budget does not allow the wait. */
  sleep?: (ms: number) => Promise<boolean>;
  /** Milliseconds left of the run's budget (ctx.deadline), and its total; a refresh needs REFRESH_BUDGET_MS of it. */
  budget?: { remaining: () => number; total: number };
}): QuickBooksAuth {
  const { credentials, store, oauth, now, log } = options;
  const cacheKey = `${credentials.clientId}:${credentials.realmId}`;
  const bootstrap = fingerprint(credentials.bootstrapRefreshToken);

  /** A stored pair counts only if it descends from the current secret; a changed secret means the user reconnected. */
  const usable = (stored: StoredValue<QuickBooksTokens>) => (stored.value && stored.value.bootstrap === bootstrap ? stored.value : undefined);

  function remember(tokens: QuickBooksTokens, version: number, unsaved?: { redeemed: string }): string {
    log.addSecret(tokens.accessToken);
    log.addSecret(tokens.refreshToken);
    tokenCache.set(cacheKey, { accessToken: tokens.accessToken, expiresAt: tokens.accessTokenExpiresAt, refreshToken: tokens.refreshToken, version, bootstrap, ...(unsaved ? { unsaved } : {}), tokens });
    return tokens.accessToken;
  }

  /** Saves a pair just redeemed from `redeemed` (read as version `basedOn`). */
  async function persist(tokens: QuickBooksTokens, basedOn: number, redeemed: string): Promise<string> {
    // Keep the new pair in module scope first: if the store write fails, the next run in this container saves it.
    remember(tokens, basedOn, { redeemed });
    try {
      return remember(tokens, await store.write(tokens, basedOn));
    } catch (error) {
      if (error instanceof TokenStoreWriteRefusedError) {
        // A portal rule refused the update: the pair stays in this container only, saved by its next run once the
        // rule lets the write through (the error tells the admin which rule). A rotated token lives nowhere else.
        log.warn('quickbooks.token.not_saved', { reason: 'a validation rule refused the token store update', rotated: tokens.refreshToken !== redeemed, next: 'kept in this container until a write succeeds' });
      }
      if (!(error instanceof TokenStoreConflictError)) throw error;
      // Someone wrote a newer version meanwhile (a reconnect, another chain): leave it; this run still has a valid token.
      log.warn('quickbooks.token.not_saved', { reason: 'the store moved on since it was read', stored: error.storedVersion });
      return remember(tokens, error.storedVersion);
    }
  }

  /**
   * A warm container's pair whose store write failed: save it only if the store still holds exactly what it was
   * redeemed from. If the store is newer (another execution rotated and saved) or holds another refresh token, the
   * pair is dropped — writing it would roll the store back to a refresh token Intuit may already have retired.
   */
  async function saveUnsaved(cached: CachedQuickBooksToken & { unsaved: { redeemed: string } }): Promise<string | undefined> {
    const stored = await store.read();
    const current = usable(stored);
    // What a refresh would redeem now: the stored chain's token, or the secret's when the store has none of this secret.
    const storedToken = current ? current.refreshToken : credentials.bootstrapRefreshToken;
    if (stored.version > cached.version || storedToken !== cached.unsaved.redeemed) {
      log.info('quickbooks.token.unsaved_dropped', { held: cached.version, stored: stored.version });
      tokenCache.delete(cacheKey);
      return undefined;
    }
    return persist(cached.tokens, cached.version, cached.unsaved.redeemed);
  }

  /**
   * Refuses to send a refresh that might not finish: a rotated pair lost to our own deadline loses the connection.
   * Checked before the first send and before every resend (after a 429, `aheadMs` is the wait before it): a refresh
   * resent at 15 s of a 20 s run once rotated the token and had its store write cut off by the deadline.
   */
  function checkRefreshBudget(aheadMs = 0): void {
    if (!options.budget) return;
    const needed = Math.min(REFRESH_BUDGET_MS, options.budget.total * 0.45);
    const left = options.budget.remaining() - aheadMs;
    if (left < needed) {
      throw new DeadlineError(`stopped before ${aheadMs ? 'resending' : 'sending'} the QuickBooks token refresh: ${Math.round(left)} ms of the budget left${aheadMs ? ` after a ${Math.round(aheadMs)} ms wait` : ''}, a refresh and its store write need ${Math.round(needed)} ms`, { service: 'quickbooks' });
    }
  }

  /**
   * One refresh. Its answer can be lost (a reset, a timeout, a 5xx or a garbled 200 from a proxy) after Intuit acted
   * on it. Intuit rotates a refresh token when it issues a new one and the old one then stops working
   * (https://developer.intuit.com/app/developer/qbo/docs/develop/authentication-and-authorization/faq); it documents
   * no grace period in which the previous token still works (none in the pages we could search: the FAQ, the 2024
   * token-management and 2025 refresh-token-policy posts on blogs.intuit.com), and the answer cannot be asked for
   * again. The refresh token's value changes only about once a day, though (developers quote the FAQ for "every 24
   * hours", e.g. blog.csdn.net/chenpei_pei/article/details/124256298; our stored copy of the FAQ is cut short; the
   * fake rotates after 24 h by default), so most lost answers lost nothing: the token is sent once more at once, while the refresh budget allows
   * (sending a rotated token costs only an invalid_grant). If that is refused, this run's own lost answer most likely
   * rotated it: the run says so at once (QUICKBOOKS_RECONNECT_REQUIRED, naming the lost answer) instead of leaving the
   * enrollment to six hours of re-runs. Other enrollments cannot tell this from a warm container that holds an
   * unsaved pair, so they still retry (QUICKBOOKS_TOKEN_ROTATION_PENDING) and pick up a reconnect when it is made.
   */
  async function redeem(refreshToken: string): Promise<Redemption> {
    checkRefreshBudget();
    // The token we send may come back in an error message (a vendor or proxy echoing the request).
    log.addSecret(refreshToken);
    try {
      return await redeemOnce(refreshToken);
    } catch (error) {
      const lostReply = error instanceof RetryableError && !(error instanceof DeadlineError) && error.status !== 429;
      if (!lostReply) throw error;
      checkRefreshBudget();
      log.warn('quickbooks.token.reply_lost', { error: error.errorCode, next: 'sending the same refresh token once more' });
      const again = await redeemOnce(refreshToken);
      return again.ok ? again : { ...again, afterLostReply: true };
    }
  }

  async function redeemOnce(refreshToken: string): Promise<Redemption> {
    const res = await oauth.request<{ access_token?: unknown; refresh_token?: unknown; expires_in?: unknown; x_refresh_token_expires_in?: unknown; error?: unknown }>({
      method: 'POST',
      url: INTUIT_TOKEN_URL,
      headers: { authorization: `Basic ${Buffer.from(`${credentials.clientId}:${credentials.clientSecret}`).toString('base64')}` },
      form: { grant_type: 'refresh_token', refresh_token: refreshToken },
      accept: [400, 401],
      // Not resent after a lost answer (it may already have rotated the token); a 429 refused it unseen and may be
      // resent, but only with the refresh budget still ahead after the wait.
      idempotent: false,
      beforeResend: (waitMs) => checkRefreshBudget(waitMs),
      label: 'refresh token',
    });
    const body = res.data ?? {};
    if (res.status === 401 || body.error === 'invalid_client') {
      throw new ConfigError('Intuit refused the app credentials (invalid_client): check the QUICKBOOKS_CLIENT_ID and QUICKBOOKS_CLIENT_SECRET secrets (production and development keys differ)', { errorCode: 'QUICKBOOKS_INVALID_CLIENT', service: 'quickbooks', status: res.status });
    }
    if (res.status === 400) {
      if (body.error === 'invalid_grant') return { ok: false, reason: 'invalid_grant' };
      throw new PermanentError(`Intuit refused the token refresh: ${typeof body.error === 'string' ? body.error : 'HTTP 400'}`, { errorCode: 'QUICKBOOKS_TOKEN_REFRESH_FAILED', service: 'quickbooks', status: 400 });
    }
    if (typeof body.access_token !== 'string' || typeof body.refresh_token !== 'string' || typeof body.expires_in !== 'number') {
      throw new PermanentError('Intuit answered the token refresh without access_token, refresh_token or expires_in', { errorCode: 'QUICKBOOKS_TOKEN_REFRESH_FAILED', service: 'quickbooks' });
    }
    log.addSecret(body.access_token);
    log.addSecret(body.refresh_token);
    const at = now();
    if (body.refresh_token !== refreshToken) log.info('quickbooks.token.rotated');
    return {
      ok: true,
      tokens: {
        accessToken: body.access_token,
        accessTokenExpiresAt: at + body.expires_in * 1000,
        refreshToken: body.refresh_token,
        ...(typeof body.x_refresh_token_expires_in === 'number' ? { refreshTokenExpiresAt: at + body.x_refresh_token_expires_in * 1000 } : {}),
        bootstrap,
        issuedAt: at,
      },
    };
  }

  /** Refresh from what the store holds (or the bootstrap secret); on invalid_grant re-read once, since another execution may have rotated it. */
  async function refreshFrom(stored: StoredValue<QuickBooksTokens>): Promise<string> {
    const current = usable(stored);
    const redeemed = current?.refreshToken ?? credentials.bootstrapRefreshToken;
    const first = await redeem(redeemed);
    if (first.ok) return persist(first.tokens, stored.version, redeemed);

    log.warn('quickbooks.token.invalid_grant', { from: current ? 'store' : 'bootstrap', version: stored.version, next: 're-reading the store' });
    let again = await store.read();
    // The execution that rotated the token may not have saved the new pair yet: give it a moment (if the budget
    // allows) before concluding the connection is dead — that conclusion asks a person to reconnect.
    if (again.version === stored.version && options.sleep && (await options.sleep(RACE_GRACE_MS))) again = await store.read();
    const latest = usable(again);
    if (latest && again.version !== stored.version && latest.refreshToken !== current?.refreshToken) {
      if (isFresh({ accessToken: latest.accessToken, expiresAt: latest.accessTokenExpiresAt }, now())) return remember(latest, again.version);
      const second = await redeem(latest.refreshToken);
      if (second.ok) return persist(second.tokens, again.version, latest.refreshToken);
    }
    // This run's own lost answer rotated it and nothing newer appeared: waiting cannot bring the new pair back.
    if (first.afterLostReply && !(latest && again.version !== stored.version)) throw reconnectError(credentials.realmId, current ? 'store' : 'bootstrap', 'lost-reply');
    const refused = latest ?? current;
    const issuedAt = refused ? (refused.issuedAt ?? refused.accessTokenExpiresAt - 3600_000) : undefined;
    if (refused && issuedAt !== undefined && now() - issuedAt < INVALID_GRANT_GRACE_MS) {
      // A stored pair this recent was not revoked by age: most likely another execution redeemed it and has not saved
      // the new pair yet (its store write failed; it saves it on its next run). Retry instead of asking for a reconnect.
      throw new RetryableError(
        `QuickBooks refused the stored refresh token (invalid_grant) ${Math.round((now() - issuedAt) / 60_000)} min after it was issued: another execution probably rotated it and has not saved the new one yet; HubSpot will re-run the action. If this persists for ${INVALID_GRANT_GRACE_MS / 3600_000} h, the action asks for a reconnect.`,
        { errorCode: 'QUICKBOOKS_TOKEN_ROTATION_PENDING', status: 503, service: 'quickbooks' },
      );
    }
    throw reconnectError(credentials.realmId, current ? 'store' : 'bootstrap');
  }

  async function obtain(): Promise<string> {
    const stored = await store.read();
    const current = usable(stored);
    if (current && isFresh({ accessToken: current.accessToken, expiresAt: current.accessTokenExpiresAt }, now())) return remember(current, stored.version);
    if (stored.value && !current) log.info('quickbooks.token.bootstrap', { reason: 'the QUICKBOOKS_REFRESH_TOKEN secret changed since the store was written' });
    return refreshFrom(stored);
  }

  /** Tokens obtained by a concurrent execution in this container still have to be redacted from this run's log. */
  function registerWithThisRun(): void {
    const cached = tokenCache.get(cacheKey);
    log.addSecret(cached?.accessToken);
    log.addSecret(cached?.refreshToken);
  }

  function singleFlight(work: () => Promise<string>): Promise<string> {
    const inFlight = refreshing.get(cacheKey);
    if (inFlight) return inFlight;
    const promise = work().finally(() => refreshing.delete(cacheKey));
    refreshing.set(cacheKey, promise);
    return promise;
  }

  return {
    async accessToken() {
      const cached = tokenCache.get(cacheKey);
      if (cached?.unsaved && cached.bootstrap === bootstrap) {
        const unsaved = cached as CachedQuickBooksToken & { unsaved: { redeemed: string } };
        await singleFlight(async () => (await saveUnsaved(unsaved)) ?? '');
      }
      const fresh = tokenCache.get(cacheKey);
      const token = fresh && fresh.bootstrap === bootstrap && isFresh(fresh, now()) ? fresh.accessToken : await singleFlight(obtain);
      registerWithThisRun();
      return token;
    },

    async renewAfterUnauthorized(refused) {
      const cached = tokenCache.get(cacheKey);
      if (cached && cached.accessToken !== refused && isFresh(cached, now())) return; // another call already renewed it
      tokenCache.delete(cacheKey);
      await singleFlight(async () => {
        const stored = await store.read();
        const current = usable(stored);
        // Another execution may already hold a newer token than the one refused.
        if (current && current.accessToken !== refused && isFresh({ accessToken: current.accessToken, expiresAt: current.accessTokenExpiresAt }, now())) return remember(current, stored.version);
        return refreshFrom(stored);
      });
      registerWithThisRun();
    },
  };
}

// ---- the Accounting API ---------------------------------------------------------------------------------------

export interface QuickBooksRef {
  value: string;
  name?: string;
}

export interface QuickBooksCustomer {
  Id: string;
  SyncToken?: string;
  DisplayName: string;
  PrimaryEmailAddr?: { Address?: string };
  Active?: boolean;
  /** The customer's currency (multicurrency companies); fixed once set. Absent: the home currency. */
  CurrencyRef?: QuickBooksRef;
}

/** The company's currency settings (Preferences.CurrencyPrefs). */
export interface QuickBooksCurrencyPrefs {
  multiCurrencyEnabled: boolean;
  homeCurrency: string;
}

export interface QuickBooksItem {
  Id: string;
  Name: string;
  Type?: string;
  Active?: boolean;
}

export interface QuickBooksInvoice {
  Id: string;
  DocNumber?: string;
  TxnDate?: string;
  TotalAmt?: number;
  Balance?: number;
  CustomerRef?: QuickBooksRef;
  EmailStatus?: string;
}

export interface QuickBooksClient {
  query<T>(entity: string, where: string, maxResults?: number): Promise<T[]>;
  /**
   * Active and inactive customers with this email. `SELECT … FROM Customer` returns only active customers unless the
   * query names Active, while DisplayName uniqueness (6240) also counts inactive ones: without `Active IN (true,
   * false)` an inactive customer is invisible here yet blocks its own name.
   * https://developer.intuit.com/app/developer/qbo/docs/learn/explore-the-quickbooks-online-api/data-queries
   */
  findCustomersByEmail(email: string): Promise<QuickBooksCustomer[]>;
  /** Makes an inactive customer active again: a sparse update of Active only. */
  reactivateCustomer(customer: QuickBooksCustomer): Promise<QuickBooksCustomer>;
  /** Home currency and whether multicurrency is on (GET /preferences). */
  currencyPrefs(): Promise<QuickBooksCurrencyPrefs>;
  findItemByName(name: string): Promise<QuickBooksItem | undefined>;
  /** `requestId`: Intuit answers a repeated requestid with the first answer instead of creating again. */
  createCustomer(customer: Record<string, unknown>, requestId: string): Promise<QuickBooksCustomer>;
  createInvoice(invoice: Record<string, unknown>, requestId: string): Promise<QuickBooksInvoice>;
}

export function createQuickBooksClient(options: {
  realmId: string;
  environment: QuickBooksEnvironment;
  auth: QuickBooksAuth;
  service: (options: Omit<ServiceOptions, 'log' | 'deadline'>) => ServiceClient;
}): QuickBooksClient {
  const { auth, realmId } = options;
  let lastToken = '';
  const http = options.service({
    service: 'quickbooks',
    baseUrl: `${QUICKBOOKS_API[options.environment]}/v3/company/${encodeURIComponent(realmId)}`,
    auth: async () => {
      lastToken = await auth.accessToken();
      return { authorization: `Bearer ${lastToken}` };
    },
    describeError: describeQuickBooksError,
    inspect: faultInSuccess,
    rateLimitWaitMs: INTUIT_RATE_LIMIT_WAIT_MS,
    onUnauthorized: async () => {
      await auth.renewAfterUnauthorized(lastToken);
      return true;
    },
  });

  async function query<T>(entity: string, where: string, maxResults = 10): Promise<T[]> {
    const res = await http.request<{ QueryResponse?: Record<string, unknown> }>({
      method: 'GET',
      url: '/query',
      query: { query: `SELECT * FROM ${entity} WHERE ${where} MAXRESULTS ${maxResults}`, minorversion: MINOR_VERSION },
      idempotent: true,
      label: `query ${entity}`,
    });
    const list = res.data?.QueryResponse?.[entity];
    return Array.isArray(list) ? (list as T[]) : [];
  }

  async function create<T>(entity: 'Customer' | 'Invoice', body: Record<string, unknown>, requestId: string): Promise<T> {
    const res = await http.request<Record<string, unknown>>({
      method: 'POST',
      url: `/${entity.toLowerCase()}`,
      query: { minorversion: MINOR_VERSION, requestid: requestId },
      json: body,
      // Safe to send again: the same requestid makes Intuit replay its first answer.
      idempotent: true,
      label: `create ${entity.toLowerCase()}`,
    });
    const created = res.data?.[entity] as (T & { Id?: unknown }) | undefined;
    if (!created || typeof created.Id !== 'string') {
      throw new PermanentError(`QuickBooks answered the ${entity.toLowerCase()} create without an ${entity}.Id`, { errorCode: 'QUICKBOOKS_EMPTY_RESPONSE', service: 'quickbooks', status: res.status });
    }
    return created;
  }

  return {
    query,
    findCustomersByEmail: (email) => query<QuickBooksCustomer>('Customer', `PrimaryEmailAddr = ${quickBooksLiteral(email)} AND Active IN (true, false)`),
    async reactivateCustomer(customer) {
      // Sparse update: only the fields sent change. Not resent in-process: a second send with the same SyncToken is a
      // stale-object error (5010); a re-run reads the customer again and finds it active.
      // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/customer#sparse-update-a-customer
      const res = await http.request<{ Customer?: QuickBooksCustomer }>({
        method: 'POST',
        url: '/customer',
        query: { minorversion: MINOR_VERSION },
        json: { Id: customer.Id, SyncToken: customer.SyncToken ?? '0', sparse: true, Active: true },
        label: 'reactivate customer',
      });
      const updated = res.data?.Customer;
      if (!updated || typeof updated.Id !== 'string') throw new PermanentError('QuickBooks answered the customer update without a Customer', { errorCode: 'QUICKBOOKS_EMPTY_RESPONSE', service: 'quickbooks', status: res.status });
      return updated;
    },
    async currencyPrefs() {
      // https://developer.intuit.com/app/developer/qbo/docs/api/accounting/all-entities/preferences (CurrencyPrefs)
      const res = await http.request<{ Preferences?: { CurrencyPrefs?: { MultiCurrencyEnabled?: boolean; HomeCurrency?: { value?: string } } } }>({
        method: 'GET',
        url: '/preferences',
        query: { minorversion: MINOR_VERSION },
        idempotent: true,
        label: 'read preferences',
      });
      const prefs = res.data?.Preferences?.CurrencyPrefs;
      const home = prefs?.HomeCurrency?.value;
      if (typeof home !== 'string' || !/^[A-Z]{3}$/.test(home)) throw new PermanentError('QuickBooks answered the preferences without a home currency', { errorCode: 'QUICKBOOKS_EMPTY_RESPONSE', service: 'quickbooks', status: res.status });
      return { multiCurrencyEnabled: prefs?.MultiCurrencyEnabled === true, homeCurrency: home };
    },
    findItemByName: async (name) => (await query<QuickBooksItem>('Item', `Name = ${quickBooksLiteral(name)}`, 1))[0],
    createCustomer: (customer, requestId) => create<QuickBooksCustomer>('Customer', customer, requestId),
    createInvoice: (invoice, requestId) => create<QuickBooksInvoice>('Invoice', invoice, requestId),
  };
}
