/**
 * The conformance suite is itself tested: it runs (in a Vitest of its own) against memory engines
 * broken on purpose (a lost write, a duplicate accept, a stale lease that settles, a non-atomic batch)
 * and must fail each of them in the tests named for the defect, while a faithful wrapper passes.
 */
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { createVitest } from "vitest/node";
import { brokenEngines } from "./broken-engines.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixture = "test/fixtures/broken-engines.conformance.ts";

/** Per engine: the state of each test, by its name below the engine's block. */
type Outcomes = Map<string, Map<string, string>>;

async function runSuite(): Promise<Outcomes> {
  const vitest = await createVitest(
    {
      config: false,
      root,
      include: [fixture],
      watch: false,
      reporters: [],
      typecheck: { enabled: false },
      // One worker: the machine is shared, and the memory engine needs no parallelism.
      maxWorkers: 1,
    },
    {
      resolve: { conditions: ["@revtrace/source"] },
      ssr: { resolve: { conditions: ["@revtrace/source"] } },
    },
  );
  try {
    const { testModules, unhandledErrors } = await vitest.start();
    expect(unhandledErrors).toEqual([]);
    expect(testModules).toHaveLength(1);
    const outcomes: Outcomes = new Map();
    for (const test of (testModules[0] as (typeof testModules)[number]).children.allTests()) {
      const [block, ...rest] = test.fullName.split(" > ");
      const engine = (block as string).replace(/^storage conformance: /, "");
      const tests = outcomes.get(engine) ?? new Map<string, string>();
      tests.set(rest.join(" > "), test.result().state);
      outcomes.set(engine, tests);
    }
    return outcomes;
  } finally {
    await vitest.close();
  }
}

describe("the storage conformance suite", { timeout: 120_000 }, () => {
  let outcomes: Outcomes;
  beforeAll(async () => {
    outcomes = await runSuite();
  }, 120_000);

  const failed = (engine: string) =>
    [...(outcomes.get(engine) ?? [])].filter(([, state]) => state === "failed").map(([t]) => t);

  it("passes a faithful wrapper of the memory engine (the wrapping breaks nothing)", () => {
    const tests = outcomes.get("faithful wrapper");
    expect(tests?.size).toBeGreaterThan(50);
    expect(failed("faithful wrapper")).toEqual([]);
  });

  for (const [name, engine] of Object.entries(brokenEngines)) {
    it(`catches a ${name}`, () => {
      const tests = outcomes.get(name);
      expect(tests?.size, `the suite ran for "${name}"`).toBe(
        outcomes.get("faithful wrapper")?.size,
      );
      for (const title of engine.caughtBy) expect(tests?.has(title), title).toBe(true);
      expect(failed(name)).toEqual(expect.arrayContaining([...engine.caughtBy]));
    });
  }
});
