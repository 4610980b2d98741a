import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const worker = fileURLToPath(new URL("./fixtures/sqlite-worker.ts", import.meta.url));

/** Workers started and not exited yet. */
const running = new Set<ChildProcessWithoutNullStreams>();

/**
 * Starts `fixtures/sqlite-worker.ts` on this Node, with tsx and the workspace's source condition.
 * Call {@link killWorkers} after each test, so a test that times out or fails early leaves none behind.
 */
export function startWorker(...args: string[]): ChildProcessWithoutNullStreams {
  const child = spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", "tsx", worker, ...args],
    { cwd: root },
  );
  running.add(child);
  child.on("exit", () => running.delete(child));
  return child;
}

/** SIGKILLs every worker still running and waits until each has exited. */
export async function killWorkers(): Promise<void> {
  await Promise.all(
    [...running].map(
      (child) =>
        new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          // The exit event may already be queued; once it fires, `running` drops the child too.
          if (child.exitCode !== null || child.signalCode !== null || !child.kill("SIGKILL"))
            resolve();
        }),
    ),
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
