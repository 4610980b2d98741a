declare const __REVTRACE_VERSION__: string | undefined;

/** This package's version (injected at build; `0.0.0-dev` when running from source). */
export const VERSION: string =
  typeof __REVTRACE_VERSION__ === "string" ? __REVTRACE_VERSION__ : "0.0.0-dev";

/** The `User-Agent` of every request: `@revtrace/sink-activecampaign/<version>`. */
export const USER_AGENT = `@revtrace/sink-activecampaign/${VERSION}`;
