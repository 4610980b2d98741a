import { defineConfig } from "tsup";
import { packageBuild } from "../../scripts/tsup-package.ts";
import { IIFE_BUILD } from "./src/build-options.ts";

export default defineConfig([
  { ...packageBuild(["src/index.ts"]), platform: "browser", target: "es2017" },
  { ...IIFE_BUILD, format: [...IIFE_BUILD.format], clean: false, dts: false },
]);
