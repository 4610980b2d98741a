/**
 * The pipeline's HTTP answers. Error bodies are JSON `{ "error": { "code", "message", "issues"? } }`
 * and never quote the request (it may hold personal data) or any credential.
 *
 * @module
 */

const JSON_HEADERS = { "content-type": "application/json; charset=utf-8" };

/** The text each JSON answer was built from, so the Node adapters need not read it back. */
const ANSWER_TEXT = new WeakMap<Response, string>();

/** The body text of an answer made by {@link jsonAnswer}; `undefined` for any other response. */
export function answerText(response: Response): string | undefined {
  return ANSWER_TEXT.get(response);
}

/** A JSON answer. */
export function jsonAnswer(status: number, body: unknown, headers?: Record<string, string>) {
  const text = JSON.stringify(body);
  const response = new Response(text, { status, headers: { ...JSON_HEADERS, ...headers } });
  ANSWER_TEXT.set(response, text);
  return response;
}

/** A JSON error answer. */
export function errorAnswer(
  status: number,
  code: string,
  message: string,
  extra?: { issues?: unknown; headers?: Record<string, string> },
): Response {
  const error: Record<string, unknown> = { code, message };
  if (extra?.issues !== undefined) error.issues = extra.issues;
  return jsonAnswer(status, { error }, extra?.headers);
}

/** 401 without any detail (no hint which part of the credentials was wrong). */
export function unauthorizedAnswer(scheme: string | null): Response {
  return new Response(null, {
    status: 401,
    headers: scheme ? { "www-authenticate": scheme } : {},
  });
}

/** 405 naming the allowed methods. */
export function methodNotAllowedAnswer(allow: string): Response {
  return errorAnswer(405, "method_not_allowed", `Use ${allow}`, { headers: { allow } });
}
