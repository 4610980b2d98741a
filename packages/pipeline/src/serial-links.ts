/**
 * An identity resolver whose writes (`link`, `forget`) run one at a time in this process. The
 * resolver reads a component, decides and writes: two links that meet in one person (through stored
 * edges neither caller knows of) must not interleave, or one's write could undo the other's merge.
 * The worker runs events of different customers side by side; their links queue here.
 *
 * @module
 */
import type { IdentityResolver } from "@revtrace/identity";

export function serialLinks(resolver: IdentityResolver): IdentityResolver {
  let tail: Promise<unknown> = Promise.resolve();
  const serial = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) => {
    return (...args: A): Promise<R> => {
      const result = tail.then(() => fn(...args));
      tail = result.catch(() => {});
      return result;
    };
  };
  return {
    ...resolver,
    link: serial(resolver.link.bind(resolver)),
    forget: serial(resolver.forget.bind(resolver)),
    resolve: resolver.resolve.bind(resolver),
    resolveAt: resolver.resolveAt.bind(resolver),
    get: resolver.get.bind(resolver),
    explain: resolver.explain.bind(resolver),
  };
}
