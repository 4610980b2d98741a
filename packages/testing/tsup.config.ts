import { packageBuild } from "../../scripts/tsup-package.ts";

export default packageBuild(["src/storage.ts", "src/sink.ts", "src/msw.ts", "src/browser.ts"]);
