import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { describeFailure, explainNetworkCode, findNetworkCode } from '../../scripts/lib-tooling/network';

describe('explainNetworkCode', () => {
  it.each([
    ['ENOTFOUND', /^DNS: .*no network/],
    ['EAI_AGAIN', /^DNS/],
    ['ECONNREFUSED', /^connection refused/],
    ['ECONNRESET', /dropped.*proxy or firewall/],
    ['UND_ERR_CONNECT_TIMEOUT', /no answer while connecting.*proxy is required.*NODE_USE_ENV_PROXY/],
    ['ETIMEDOUT', /no answer while connecting/],
    ['UND_ERR_HEADERS_TIMEOUT', /silent proxy/],
    ['ABORTED', /silent proxy/],
    ['CERT_HAS_EXPIRED', /^TLS: .*NODE_EXTRA_CA_CERTS/],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /^TLS/],
    ['SELF_SIGNED_CERT_IN_CHAIN', /^TLS/],
    ['ENETUNREACH', /^no network/],
  ])('%s → %s', (code, words) => {
    expect(explainNetworkCode(code)).toMatch(words);
  });

  it('is silent on codes that are not about the network', () => {
    expect(explainNetworkCode('MISSING_TOKEN')).toBeUndefined();
    expect(explainNetworkCode('BAD_REQUEST')).toBeUndefined();
  });
});

describe('findNetworkCode', () => {
  it('finds the code in fetch\'s cause, in a message, and in an AggregateError', () => {
    expect(findNetworkCode(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND x'), { code: 'ENOTFOUND' }) }))).toBe('ENOTFOUND');
    expect(findNetworkCode(new Error('hubspot list contacts properties failed: no response (UND_ERR_CONNECT_TIMEOUT)'))).toBe('UND_ERR_CONNECT_TIMEOUT');
    expect(findNetworkCode(new AggregateError([Object.assign(new Error('x'), { code: 'ECONNREFUSED' })]))).toBe('ECONNREFUSED');
    expect(findNetworkCode(new Error('HTTP 400 — Property values were not valid'))).toBeUndefined();
  });

  it('a real refused connection from Node\'s fetch is named in plain words', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    const { message, network } = describeFailure(error);
    expect(network).toBe(true);
    expect(message).toMatch(/likely cause \(ECONNREFUSED\): connection refused/);
  });

  it('a proxy in the environment that Node ignores is pointed out', () => {
    const error = new Error('hubspot get flow failed: no response (UND_ERR_CONNECT_TIMEOUT)');
    expect(describeFailure(error, { HTTPS_PROXY: 'http://proxy:3128' }).message).toContain('Node uses it only with NODE_USE_ENV_PROXY=1');
    expect(describeFailure(error, { HTTPS_PROXY: 'http://proxy:3128', NODE_USE_ENV_PROXY: '1' }).message).not.toContain('NODE_USE_ENV_PROXY=1:');
    expect(describeFailure(error, {}).message).not.toContain('a proxy is set');
  });
});
