export { createSeededRandom as createRandom, type SeededRandom as Random } from "@revtrace/core";
export type { RowResult } from "./row.js";
export {
  type BuyerKind,
  type CollectCall,
  type Owed,
  type PaymentTruth,
  type SimTouch,
  type Simulation,
  type SimulationOptions,
  simulate,
  type Truth,
  touchIdOf,
  type WebhookDelivery,
} from "./simulator.js";
export { PROFILES, type ProfileName, runSuite, type SuiteOptions } from "./suite.js";
