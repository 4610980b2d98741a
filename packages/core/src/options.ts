/**
 * Option validation shared by every factory: zod at construction, and a {@link ConfigError} that
 * names the offending fields and why, never their values.
 *
 * @module
 */
import type { z } from "zod";
import { ConfigError, redactIssues } from "./errors.js";

/**
 * Parses `input` with `schema`, or throws a {@link ConfigError} whose `fields` are the dotted paths of
 * the bad options and whose message says what is wrong with each (`Invalid TikTok sink options:
 * accessToken: is required`). Values never appear: zod messages describe types and constraints only.
 *
 * @example const settings = parseOptions(SettingsSchema, options, "TikTok sink options");
 */
export function parseOptions<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issues = redactIssues(parsed.error.issues);
  const pathOf = (issue: z.core.$ZodIssue) => issue.path.map(String).join(".") || "(root)";
  const fields = [...new Set(issues.map(pathOf))];
  const detail = issues.map((issue) => `${pathOf(issue)}: ${issue.message}`);
  throw new ConfigError(`Invalid ${what}: ${detail.join("; ")}`, { fields, cause: issues });
}
