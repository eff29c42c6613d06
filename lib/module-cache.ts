/**
 * Caches that live in module scope, so a warm Lambda container reuses an OAuth access token instead of asking
 * for a new one on every enrollment. HubSpot reuses containers between runs of the same action; a cold one
 * simply starts empty. Tests clear them all between cases with `clearModuleCaches()`.
 */
const registry = new Set<Map<string, unknown>>();

export interface CachedToken {
  accessToken: string;
  /** Epoch ms after which the token must not be used (already shortened by a safety margin). */
  expiresAt: number;
  [extra: string]: unknown;
}

export function moduleCache<T>(): Map<string, T> {
  const cache = new Map<string, T>();
  registry.add(cache as Map<string, unknown>);
  return cache;
}

export function clearModuleCaches(): void {
  for (const cache of registry) cache.clear();
}

/** A token is used only while it has more than a minute left (clock skew, and the run's own duration). */
export const TOKEN_SAFETY_MARGIN_MS = 60_000;

export function isFresh(token: CachedToken | undefined, now: number): token is CachedToken {
  return token !== undefined && token.expiresAt - TOKEN_SAFETY_MARGIN_MS > now;
}
