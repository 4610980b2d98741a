/** One row of the table. */
export interface RowResult {
  row: string;
  tried: number;
  delivered: number;
  lost: number;
  duplicated: number;
  notes: string;
  /** False when the row lost anything, duplicated anything, or missed its target. */
  ok: boolean;
  /** Extra lines printed under the table (misses by cause, lost keys). */
  details?: string[];
}

export function renderTable(rows: readonly RowResult[]): string {
  const header = ["row", "tried", "delivered", "lost", "duplicated", "ok", "notes"];
  const lines = rows.map((r) => [
    r.row,
    String(r.tried),
    String(r.delivered),
    String(r.lost),
    String(r.duplicated),
    r.ok ? "yes" : "NO",
    r.notes,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? "").length)));
  const fmt = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 1 && i <= 4 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(" | ")} |`;
  return [
    fmt(header),
    // The separator as Biome formats Markdown tables, so the table pastes into a README unchanged.
    `| ${widths.map((w, i) => (i >= 1 && i <= 4 ? `${"-".repeat(w - 1)}:` : "-".repeat(w))).join(" | ")} |`,
    ...lines.map(fmt),
  ].join("\n");
}
