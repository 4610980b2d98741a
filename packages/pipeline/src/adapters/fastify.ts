/**
 * `@revtrace/pipeline/fastify`: an encapsulated Fastify plugin serving the pipeline's endpoints. It
 * removes the app's body parsers inside its own context and adds one that hands the raw request
 * stream to the pipeline, so the webhook gets the exact bytes and the size limit applies while they
 * arrive; the rest of the app keeps its parsers.
 *
 * @example
 * import Fastify from "fastify";
 * import { revtraceFastify } from "@revtrace/pipeline/fastify";
 *
 * const app = Fastify();
 * await app.register(revtraceFastify, { pipeline });
 * await app.listen({ port: 3000 });
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Pipeline } from "../pipeline.js";
import { answerNodeRequest } from "./node-bridge.js";
import { type RoutePaths, resolvePaths } from "./routes.js";

export { DEFAULT_PATHS, type RoutePaths } from "./routes.js";

/** Options of {@link revtraceFastify}. */
export interface RevtraceFastifyOptions {
  pipeline: Pipeline;
  paths?: Partial<RoutePaths>;
}

/** The parts of a Fastify instance the plugin uses (kept structural: no runtime import of fastify). */
interface FastifyLike {
  removeAllContentTypeParsers(): void;
  addContentTypeParser(
    type: string,
    parser: (
      request: unknown,
      payload: IncomingMessage,
      done: (e: Error | null, body?: unknown) => void,
    ) => void,
  ): void;
  route(options: {
    method: string[];
    url: string;
    handler: (
      request: { raw: IncomingMessage; body?: unknown; url: string },
      reply: FastifyReplyLike,
    ) => Promise<unknown>;
  }): unknown;
}
interface FastifyReplyLike {
  raw: ServerResponse;
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string | string[]>): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
}

const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];
const STREAM = Symbol("revtrace.stream");

/**
 * The plugin. Register it (optionally with a `prefix`) — it is encapsulated, so its raw-body parser
 * never affects the app's other routes.
 */
export async function revtraceFastify(
  fastify: FastifyLike,
  options: RevtraceFastifyOptions,
): Promise<void> {
  fastify.removeAllContentTypeParsers();
  // Every content type: the body is not read here; the pipeline reads the stream itself.
  fastify.addContentTypeParser("*", (_request, payload, done) => done(null, { [STREAM]: payload }));
  for (const [path, handler] of resolvePaths(options.pipeline, options.paths)) {
    fastify.route({
      method: METHODS,
      url: path,
      handler: async (request, reply) => {
        const carried = (request.body as { [STREAM]?: IncomingMessage } | undefined)?.[STREAM];
        const answer = await answerNodeRequest(handler, request.raw, {
          url: request.raw.url ?? path,
          limit: options.pipeline.maxBodyBytes,
          ...(carried ? { stream: carried } : {}),
        });
        return reply.code(answer.status).headers(answer.headers).send(answer.body);
      },
    });
  }
}
