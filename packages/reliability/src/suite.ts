/**
 * The suite: which rows run, at which sizes, in which order.
 *
 * @module
 */
import { renderTable, type RowResult } from "./row.js";
import { accuracyRows, duplicateShuffleRows } from "./rows-inprocess.js";
import { simulate } from "./simulator.js";

export interface Profile {
  /** Buyers of the accuracy run. */
  accuracyBuyers: number;
  /** Webhook deliveries of the duplicate/shuffle run (30 % duplicates). */
  duplicateWebhooks: number;
  /** Webhook deliveries of the outage run. */
  outageWebhooks: number;
  fuzzBodies: number;
  killEvents: number;
  killTrials: number;
  postgresWebhooks: number;
}

export const PROFILES = {
  short: {
    accuracyBuyers: 150,
    duplicateWebhooks: 1_000,
    outageWebhooks: 120,
    fuzzBodies: 3_000,
    killEvents: 600,
    killTrials: 3,
    postgresWebhooks: 600,
  },
  full: {
    accuracyBuyers: 2_000,
    duplicateWebhooks: 10_000,
    outageWebhooks: 600,
    fuzzBodies: 100_000,
    killEvents: 10_000,
    killTrials: 10,
    postgresWebhooks: 10_000,
  },
} satisfies Record<string, Profile>;
export type ProfileName = keyof typeof PROFILES;

export const ROWS = ["accuracy", "dup", "outage", "fuzz", "privacy", "kill", "postgres"] as const;

export interface SuiteOptions {
  profile: ProfileName;
  seed: number;
  only?: string[] | undefined;
  progress?: (line: string) => void;
}

/** Webhook-only simulations of `webhooks` deliveries (30 % duplicates). */
export function webhookSimulation(seed: number, webhooks: number) {
  return simulate({ seed, now: Date.now(), events: Math.round(webhooks * 0.7), prospectsPerBuyer: 0 });
}

export async function runSuite(options: SuiteOptions): Promise<{ rows: RowResult[]; table: string }> {
  const p: Profile = PROFILES[options.profile];
  const wanted = (row: string) => !options.only || options.only.includes(row);
  const log = options.progress ?? (() => {});
  const rows: RowResult[] = [];
  const run = async (name: string, f: () => Promise<RowResult[]>) => {
    if (!wanted(name)) return;
    const t = Date.now();
    log(`… ${name}`);
    try {
      rows.push(...(await f()));
    } catch (error) {
      rows.push({
        row: name,
        tried: 0,
        delivered: 0,
        lost: 0,
        duplicated: 0,
        notes: `the row failed: ${error instanceof Error ? error.message : String(error)}`,
        ok: false,
      });
    }
    log(`✓ ${name} (${((Date.now() - t) / 1000).toFixed(1)} s)`);
  };
  const now = Date.now();
  await run("accuracy", () =>
    accuracyRows(simulate({ seed: options.seed, now, buyers: p.accuracyBuyers })),
  );
  const dupSim = webhookSimulation(options.seed + 1, p.duplicateWebhooks);
  await run("dup", () =>
    duplicateShuffleRows(dupSim, "dup", `dup/shuffle ${dupSim.webhooks.length} (SQLite)`),
  );
  return { rows, table: renderTable(rows) };
}
