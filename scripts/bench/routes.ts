import type { FakeHandler, FakeNetwork } from '../../test/fakes/network';

/** Wraps the handler a world routed for `origin` (rate limit, seed shims). Call before `install()`. */
export function wrapRoute(net: FakeNetwork, origin: string, wrap: (inner: FakeHandler) => FakeHandler): void {
  net.wrapRoute(origin, wrap);
}
