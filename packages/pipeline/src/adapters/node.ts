/**
 * `@revtrace/pipeline/node`: the pipeline's handlers on plain `node:http`.
 *
 * @example
 * import { createServer } from "node:http";
 * import { createNodeListener } from "@revtrace/pipeline/node";
 *
 * createServer(createNodeListener(pipeline)).listen(3000);
 *
 * // or, listening and with a graceful close():
 * const served = await servePipeline(pipeline, { port: 3000 });
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pipeline, WebHandler } from "../pipeline.js";
import { answerNodeRequest, writeNodeAnswer } from "./node-bridge.js";
import { type RoutePaths, resolvePaths, routePath } from "./routes.js";

export {
  type ServedPipeline,
  type ServePipelineOptions,
  servePipeline,
} from "./node-serve.js";
export { DEFAULT_PATHS, type RoutePaths } from "./routes.js";

/** A `node:http` request listener. */
export type NodeListener = (request: IncomingMessage, response: ServerResponse) => void;

function failed(response: ServerResponse): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  response.writeHead(500, { "content-type": "application/json; charset=utf-8" });
  response.end(JSON.stringify({ error: { code: "internal", message: "Internal error" } }));
}

/**
 * Runs one Web handler for Node requests, reading bodies of at most `maxBodyBytes` (default 1 MiB;
 * more is answered 413).
 */
export function toNodeListener(
  handler: WebHandler,
  options: { maxBodyBytes?: number } = {},
): NodeListener {
  const limit = options.maxBodyBytes;
  return (request, response) => {
    answerNodeRequest(handler, request, limit === undefined ? {} : { limit })
      .then((answer) => writeNodeAnswer(answer, response))
      .catch(() => failed(response));
  };
}

/**
 * A listener routing the pipeline's endpoints by path (see {@link RoutePaths}); any other path
 * answers 404.
 */
export function createNodeListener(pipeline: Pipeline, paths?: Partial<RoutePaths>): NodeListener {
  const routes = new Map(
    [...resolvePaths(pipeline, paths)].map(([path, handler]) => [
      path,
      toNodeListener(handler, { maxBodyBytes: pipeline.maxBodyBytes }),
    ]),
  );
  return (request, response) => {
    const path = routePath(request.url ?? "/");
    const handler = routes.get(path);
    if (!handler) {
      request.resume();
      response.writeHead(404, { "content-type": "application/json; charset=utf-8" });
      response.end(JSON.stringify({ error: { code: "not_found", message: "No such endpoint" } }));
      return;
    }
    handler(request, response);
  };
}
