import type { FakeHandler, FakeNetwork } from '../../test/fakes/network';

/** Wraps the handler a world routed for `origin` (rate limit, shims of the original snippets). Call before `install()`. */
export function wrapRoute(net: FakeNetwork, origin: string, wrap: (inner: FakeHandler) => FakeHandler): void {
  net.wrapRoute(origin, wrap);
}

/** The same, when the world routes `origin` at all (a world only routes the vendors its action calls). */
export function wrapRouteIfRouted(net: FakeNetwork, origin: string, wrap: (inner: FakeHandler) => FakeHandler): boolean {
  try {
    net.wrapRoute(origin, wrap);
    return true;
  } catch (error) {
    if (/no route/.test((error as Error).message)) return false;
    throw error;
  }
}
