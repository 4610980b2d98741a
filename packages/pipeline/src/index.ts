/**
 * @revtrace/pipeline: the whole revtrace flow behind one call — durable Chargebee webhook ingest,
 * identity resolution, attribution, commissions and delivery to every sink — behind any Web runtime,
 * Express (`@revtrace/pipeline/express`), Fastify (`@revtrace/pipeline/fastify`) or plain Node
 * (`@revtrace/pipeline/node`).
 *
 * @module
 */
export { type BackoffPolicy, retryDelay } from "./backoff.js";
export { billingContact, billingConversion, retentionConversion } from "./conversions.js";
export { DrainTimeoutError } from "./drain-timeout.js";
export { billingIdentityKeys, retentionIdentityKeys } from "./identity-keys.js";
export { type PipelineMetrics, prometheusText, type QueueMetrics } from "./metrics.js";
export { createPipeline, type Pipeline, type WebHandler } from "./pipeline.js";
export type { PipelineOptions, PipelineStorage } from "./pipeline-options.js";
export { type ReplayReport, recordedFiles } from "./replay.js";
export { WORK_QUEUE } from "./work-item.js";
