// Fails any npm script that is about to run on a Node older than 24.
// Node 24 comes from the pinned `node` devDependency (its preinstall puts the binary in
// node_modules/.bin); if that script was skipped (--ignore-scripts), npm silently falls back to the
// system Node, which cannot run the tests (node:sqlite, Map.groupBy in vitest's reporter).
const major = Number(process.versions.node.split(".")[0]);
if (major < 24) {
  console.error(
    `revtrace: this script needs Node >= 24 but is running on ${process.version}.\n` +
      "The pinned `node` devDependency did not install its binary. Run `npm ci` without --ignore-scripts.",
  );
  process.exit(1);
}
