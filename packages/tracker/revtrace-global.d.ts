// Types of the IIFE script `@revtrace/tracker/revtrace.js`: it exports nothing and sets `window.revtrace`.
import type { init, Tracker } from "./dist/index.js";

declare global {
  interface Window {
    revtrace?: Tracker | { init: typeof init };
  }
}
