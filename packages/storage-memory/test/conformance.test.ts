import { runStorageConformance } from "@revtrace/testing/storage";
import { createMemoryStorage } from "../src/index.js";

runStorageConformance("memory", () => createMemoryStorage());
