/**
 * The suite: which rows run, at which sizes, in which order.
 *
 * @module
 */
import { privacyRows, registerPersonalData } from "./privacy.js";
import { type RowResult, renderTable } from "./row.js";
import { fuzzRows } from "./rows-fuzz.js";
import { accuracyRows, duplicateShuffleRows } from "./rows-inprocess.js";
import { outageRows } from "./rows-outage.js";
import { postgresRows, sqliteKillRows } from "./rows-processes.js";
import { simulate } from "./simulator.js";

export interface Profile {
  /** Buyers of the accuracy run. */
  accuracyBuyers: number;
  /** Webhook deliveries (30 % duplicates) of the duplicate/shuffle, SIGKILL and PostgreSQL runs. */
  duplicateWebhooks: number;
  /** Webhook deliveries of the outage run. */
  outageWebhooks: number;
  fuzzBodies: number;
  /** SIGKILLs during the SQLite run (each followed by a restart). */
  killTrials: number;
  /** SIGKILLs of ingest or worker processes during the PostgreSQL run. */
  postgresKills: number;
}

export const PROFILES = {
  short: {
    accuracyBuyers: 150,
    duplicateWebhooks: 1_000,
    outageWebhooks: 40,
    fuzzBodies: 3_000,
    killTrials: 3,
    postgresKills: 2,
  },
  full: {
    accuracyBuyers: 2_000,
    duplicateWebhooks: 10_000,
    outageWebhooks: 300,
    fuzzBodies: 100_000,
    killTrials: 10,
    postgresKills: 5,
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
  return simulate({
    seed,
    now: Date.now(),
    events: Math.round(webhooks * 0.7),
    prospectsPerBuyer: 0,
  });
}

/** The suite's groups of rows, in the order they run (`only` picks among them). */
export const ROW_GROUPS = ["accuracy", "dup", "outage", "fuzz", "kill", "postgres", "privacy"];

/**
 * Runs the suite's rows (all, or the groups `only` names).
 * @throws TypeError when `only` names a group the suite does not have (a run of nothing would pass).
 */
export async function runSuite(
  options: SuiteOptions,
): Promise<{ rows: RowResult[]; table: string }> {
  const unknown = (options.only ?? []).filter((name) => !ROW_GROUPS.includes(name));
  if (unknown.length > 0 || options.only?.length === 0)
    throw new TypeError(
      `unknown row group ${unknown.join(", ") || "(none given)"}: use ${ROW_GROUPS.join(", ")}`,
    );
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
  const accuracySim = simulate({ seed: options.seed, now, buyers: p.accuracyBuyers });
  registerPersonalData(accuracySim);
  await run("accuracy", () => accuracyRows(accuracySim));
  const dupSim = webhookSimulation(options.seed + 1, p.duplicateWebhooks);
  registerPersonalData(dupSim);
  await run("dup", () =>
    duplicateShuffleRows(dupSim, "dup", `dup/shuffle ${dupSim.webhooks.length} (SQLite)`),
  );
  const outageSim = webhookSimulation(options.seed + 2, p.outageWebhooks);
  registerPersonalData(outageSim);
  await run("outage", () => outageRows(outageSim, "outage"));
  await run("fuzz", () => fuzzRows(options.seed + 3, p.fuzzBodies));
  await run("kill", () => sqliteKillRows(dupSim, "dup", p.killTrials, options.seed + 4));
  await run("postgres", () => postgresRows(dupSim, "dup", p.postgresKills, options.seed + 5));
  // Last: it scans the logs of every row above.
  await run("privacy", async () => privacyRows());
  return { rows, table: renderTable(rows) };
}
