/**
 * `@revtrace/sandbox/sinks`: the four revtrace sinks (TikTok, Segment, ActiveCampaign, Kiflo) pointed
 * at a running sandbox, configured the one way the demo, the end-to-end tests and the reliability
 * suite all use. The sinks are optional peer dependencies: only this entry point imports them.
 *
 * @module
 */
export {
  createSandboxSinks,
  SANDBOX_SINK_NAMES,
  type SandboxSinkName,
  type SandboxSinksOptions,
  type SandboxSinkTransport,
} from "./sandbox-sinks.js";
