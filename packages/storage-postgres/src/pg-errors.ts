/** SQLSTATEs meaning the tables are not there: the schema was never migrated. */
const MISSING_SCHEMA = new Set(["42P01", "3F000"]);

/** A short, data-free description of a `pg` error: its SQLSTATE or network code, never its message. */
export function describePgError(error: unknown): string | undefined {
  const code =
    typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code !== "string") return undefined;
  if (MISSING_SCHEMA.has(code)) return "the schema is missing: run migrate() first";
  return /^[0-9A-Z]{5}$/.test(code) ? `SQLSTATE ${code}` : code;
}
