/**
 * Option validation shared by the factories: zod at construction, a {@link ConfigError} naming the
 * offending fields (never their values).
 *
 * @module
 */
import { ConfigError, redactIssues } from "@revtrace/core";
import type { z } from "zod";

/** Parses `input` with `schema`, or throws a `ConfigError` listing the dotted paths of the bad fields. */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = redactIssues(parsed.error.issues);
  const fields = [...new Set(issues.map((issue) => issue.path.map(String).join(".") || "(root)"))];
  const detail = issues.map(
    (issue) => `${issue.path.map(String).join(".") || "(root)"}: ${issue.message}`,
  );
  throw new ConfigError(`Invalid ${what}: ${detail.join("; ")}`, { fields, cause: parsed.error });
}
