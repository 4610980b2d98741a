/**
 * The pipeline's HTTP answers. Error bodies are JSON `{ "error": { "code", "message", "issues"? } }`
 * and never quote the request (it may hold personal data) or any credential.
 *
 * @module
 */

import type { HttpAnswer } from "./http-exchange.js";

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** A JSON answer. */
export function jsonAnswer(
  status: number,
  body: unknown,
  headers?: Record<string, string>,
): HttpAnswer {
  return { status, headers: { ...JSON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** A JSON error answer. */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
  extra?: { issues?: unknown; headers?: Record<string, string> },
): HttpAnswer {
  const error: Record<string, unknown> = { code, message };
  if (extra?.issues !== undefined) error.issues = extra.issues;
  return jsonAnswer(status, { error }, extra?.headers);
}

/** An answer without a body (`204`, a refused bot, a CORS preflight). */
export function emptyAnswer(status: number, headers: Record<string, string> = {}): HttpAnswer {
  return { status, headers, body: null };
}

/** 401 without any detail (no hint which part of the credentials was wrong). */
export function unauthorizedAnswer(scheme: string | null): HttpAnswer {
  return emptyAnswer(401, scheme ? { "www-authenticate": scheme } : {});
}

/** 405 naming the allowed methods. */
export function methodNotAllowedAnswer(allow: string): HttpAnswer {
  return errorAnswer(405, "method_not_allowed", `Use ${allow}`, { headers: { allow } });
}
