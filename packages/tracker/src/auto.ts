/**
 * The IIFE build's entry: `<script src="/revtrace.js" data-endpoint="/rt/collect" defer></script>`.
 * Reads its options from the script tag's `data-*` attributes, starts the tracker and exposes it as
 * `window.revtrace` (with `window.revtrace.init` for a manual start when `data-manual` is set).
 *
 * @module
 */
import { init } from "./tracker.js";
import type { Tracker, TrackerOptions } from "./tracker-types.js";

declare global {
  interface Window {
    revtrace?: Tracker | { init: typeof init };
  }
}

const data = ((document.currentScript || {}) as HTMLScriptElement).dataset || {};
const options: TrackerOptions = {
  endpoint: data.endpoint,
  affiliateParam: data.affiliateParam,
  requireConsent: "requireConsent" in data,
  respectDoNotTrack: "respectDnt" in data,
  forms: "forms" in data,
  useGaClientId: "gaClientId" in data,
};
// A page that loads the script twice keeps the first tracker (one landing, one identify a form).
window.revtrace = window.revtrace || ("manual" in data ? { init } : init(options));
