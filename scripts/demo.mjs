// `npm run demo` runs the whole flow (Chargebee webhook → identity → attribution → sinks) on the
// embedded SQLite store against the local destination sandbox. It lands with the pipeline package;
// until then it says so and fails, so that nobody mistakes a no-op for a working demo.
console.error(
  "revtrace demo: not yet available — it needs @revtrace/pipeline, which has not landed yet.\n" +
    "Run `npm test` to exercise what exists today.",
);
process.exit(1);
