/**
 * Network failures in plain words, next to the code Node gives (the code alone — ENOTFOUND,
 * UND_ERR_CONNECT_TIMEOUT — tells most people nothing). Used by setup, deploy and the harness.
 * Codes: Node's system errors (https://nodejs.org/api/errors.html#common-system-errors), undici's
 * (https://undici.nodejs.org/#/docs/api/Errors) and OpenSSL's certificate errors as Node reports them
 * (https://nodejs.org/api/tls.html, `err.code` on a failed verification). Node's fetch ignores HTTPS_PROXY unless
 * NODE_USE_ENV_PROXY=1 (or --use-env-proxy) is set: https://nodejs.org/api/cli.html#node_use_env_proxy1
 */

const CAUSES: Array<[RegExp, string]> = [
  [/^(ENOTFOUND|EAI_AGAIN|EAI_NONAME|EAI_FAIL)$/, 'DNS: the host name could not be resolved — no network, or DNS is blocked here'],
  [/^(ENETUNREACH|EHOSTUNREACH|ENETDOWN|EHOSTDOWN)$/, 'no network: there is no route to the host from this machine'],
  [/^ECONNREFUSED$/, 'connection refused: nothing answers at that address — wrong URL, or a firewall/proxy refused it'],
  [/^(ECONNRESET|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)$/, 'the connection was dropped — often a proxy or firewall cutting it'],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|ECONNABORTED)$/, 'no answer while connecting — no network, a firewall, or a proxy is required (Node 24 uses HTTPS_PROXY only with NODE_USE_ENV_PROXY=1)'],
  [/^(UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT|ABORTED|TIMEOUT|TimeoutError|AbortError)$/, 'connected, but no answer came in time — a silent proxy or firewall, or the service is down'],
  [/^(CERT_|UNABLE_TO_(GET|VERIFY)|SELF_SIGNED_CERT|DEPTH_ZERO_SELF_SIGNED|ERR_TLS_CERT|ERR_SSL|EPROTO)/, 'TLS: the certificate was not trusted — an intercepting proxy? give Node its CA with NODE_EXTRA_CA_CERTS=<file.pem>'],
  [/^(UND_ERR_PRX_TLS|ERR_PROXY|EPROXY)/, 'the proxy refused or failed the connection — check HTTPS_PROXY'],
];

/** The likely cause of a network code in plain words, or undefined when the code is not a network one. */
export function explainNetworkCode(code: string): string | undefined {
  return CAUSES.find(([pattern]) => pattern.test(code))?.[1];
}

/** The first network code anywhere in an error, its `cause` chain or its message ("no response (ENOTFOUND)"). */
export function findNetworkCode(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current && typeof current === 'object' && !seen.has(current)) {
    seen.add(current);
    const e = current as { code?: unknown; name?: unknown; message?: unknown; cause?: unknown; errors?: unknown };
    if (typeof e.code === 'string' && explainNetworkCode(e.code)) return e.code;
    if (Array.isArray(e.errors)) for (const inner of e.errors) {
      const code = findNetworkCode(inner);
      if (code) return code;
    }
    if (typeof e.message === 'string') {
      const match = /\b([A-Z][A-Z0-9_]{3,})\b/g;
      for (const m of e.message.matchAll(match)) if (explainNetworkCode(m[1] as string)) return m[1];
    }
    if (e.name === 'TimeoutError' || e.name === 'AbortError') return e.name;
    current = e.cause;
  }
  return undefined;
}

/** "message\n  likely cause (ENOTFOUND): DNS: …" for an error that failed on the wire; the message alone otherwise. */
export function describeFailure(error: unknown, env: Record<string, string | undefined> = process.env): { message: string; network: boolean } {
  const message = error instanceof Error ? error.message : String(error);
  const code = findNetworkCode(error);
  if (!code) return { message, network: false };
  const proxy = env.HTTPS_PROXY || env.https_proxy || env.HTTP_PROXY || env.http_proxy;
  const proxyHint = proxy && env.NODE_USE_ENV_PROXY !== '1' ? '\n  a proxy is set (HTTPS_PROXY), but Node uses it only with NODE_USE_ENV_PROXY=1: run again with NODE_USE_ENV_PROXY=1' : '';
  return { message: `${message}\n  likely cause (${code}): ${explainNetworkCode(code)}${proxyHint}`, network: true };
}
