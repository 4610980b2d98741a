import { packageBuild } from "../../scripts/tsup-package.ts";

export default packageBuild([
  "src/index.ts",
  "src/adapters/express.ts",
  "src/adapters/fastify.ts",
  "src/adapters/node.ts",
]);
