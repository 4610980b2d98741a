import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const worker = fileURLToPath(new URL("./fixtures/sqlite-worker.ts", import.meta.url));

/** Starts `fixtures/sqlite-worker.ts` on this Node, with tsx and the workspace's source condition. */
export function startWorker(...args: string[]): ChildProcessWithoutNullStreams {
  return spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", worker, ...args],
    {
      cwd: root,
    },
  );
}

/** Calls `onLine` for each line the child prints; resolves with its exit code and signal. */
export function watchLines(
  child: ChildProcessWithoutNullStreams,
  onLine: (line: string) => void,
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  let buffered = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split("\n");
    buffered = lines.pop() ?? "";
    for (const line of lines) onLine(line);
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  return new Promise((resolve) => {
    child.on("close", (code, signal) => resolve({ code, signal, stderr }));
  });
}
