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
  const join = (path: readonly PropertyKey[]) => path.map(String).join(".") || "(root)";
  // An unknown key (a misspelling, `acessToken`) is named itself, not the object holding it: the
  // key is what the caller typed, never a value.
  const named = issues.flatMap(
    (issue): Array<[string, string]> =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => [join([...issue.path, key]), "unknown option"])
        : [[join(issue.path), issue.message]],
  );
  const fields = [...new Set(named.map(([field]) => field))];
  const detail = named.map(([field, message]) => `${field}: ${message}`);
  throw new ConfigError(`Invalid ${what}: ${detail.join("; ")}`, { fields, cause: issues });
}
