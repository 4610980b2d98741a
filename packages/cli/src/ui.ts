/**
 * What a command shows while it runs: spinners and progress bars from `@clack/prompts` on an
 * interactive terminal (on stderr, so stdout stays the command's result), nothing in CI or when the
 * output is not a terminal. Colours come from Node's own `util.styleText`, which honours `NO_COLOR`,
 * `FORCE_COLOR` and whether the stream is a TTY.
 *
 * @module
 */
import { styleText } from "node:util";
import { progress, spinner } from "@clack/prompts";

type Style = Parameters<typeof styleText>[0];

/** A step shown with a spinner (or nothing when quiet). */
export interface UiTask {
  message(text: string): void;
  done(text?: string): void;
  fail(text?: string): void;
}

/** A counted step with a bar, rate and ETA (or nothing when quiet). */
export interface UiProgress {
  advance(by?: number): void;
  done(text?: string): void;
}

export interface Ui {
  /** `true` when spinners and bars are drawn. */
  readonly interactive: boolean;
  task(text: string): UiTask;
  progress(text: string, total: number): UiProgress;
  /** Colours `text` for stdout (plain when stdout is not a colour terminal). */
  style(format: Style, text: string): string;
}

export interface UiOptions {
  /** Draw nothing. @default when `CI=true`, stderr is not a TTY, or `--json` */
  quiet?: boolean | undefined;
}

/** `true` when progress displays should stay off: CI, or not a terminal. */
export function quietByDefault(): boolean {
  return process.env.CI === "true" || !process.stderr.isTTY;
}

const formatRate = (done: number, startedAt: number) => {
  const seconds = (Date.now() - startedAt) / 1000;
  return seconds > 0 ? done / seconds : 0;
};

/** Creates the display of one command run. */
export function createUi(options: UiOptions = {}): Ui {
  const quiet = options.quiet ?? quietByDefault();
  const style = (format: Style, text: string) =>
    styleText(format, text, { stream: process.stdout });
  if (quiet) {
    const silent = { message() {}, done() {}, fail() {}, advance() {} };
    return { interactive: false, task: () => silent, progress: () => silent, style };
  }
  return {
    interactive: true,
    style,
    task(text) {
      const s = spinner({ output: process.stderr });
      s.start(text);
      return {
        message: (t) => s.message(t),
        done: (t) => s.stop(t ?? text),
        fail: (t) => s.error(t ?? text),
      };
    },
    progress(text, total) {
      const max = Math.max(1, total);
      const bar = progress({ output: process.stderr, max, style: "heavy" });
      const startedAt = Date.now();
      let done = 0;
      let drawn = 0;
      let drawnAt = 0;
      const draw = () => {
        const rate = formatRate(done, startedAt);
        const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
        bar.advance(
          done - drawn,
          `${text} ${done}/${total} · ${rate.toFixed(0)}/s · ETA ${eta.toFixed(0)} s`,
        );
        drawn = done;
        drawnAt = Date.now();
      };
      bar.start(text);
      return {
        advance(by = 1) {
          done += by;
          // Redrawing on every step would cost more than the steps: at most ten times a second.
          if (Date.now() - drawnAt >= 100) draw();
        },
        done: (t) => {
          if (done !== drawn) draw();
          bar.stop(t ?? `${text} ${done}/${total}`);
        },
      };
    },
  };
}
