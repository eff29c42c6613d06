import type { FakeHandler, FakeNetwork } from '../../test/fakes/network';

/**
 * Wraps the handler a world routed for `origin` (FakeNetwork keeps its routes private; the bench reads them rather
 * than change the shared fake). Call before `install()`.
 */
export function wrapRoute(net: FakeNetwork, origin: string, wrap: (inner: FakeHandler) => FakeHandler): void {
  const routes = (net as unknown as { routes: Map<string, FakeHandler> }).routes;
  const inner = routes.get(origin);
  if (!inner) throw new Error(`the world has no route for ${origin}`);
  net.route(origin, wrap(inner));
}
