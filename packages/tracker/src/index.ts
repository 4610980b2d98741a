/**
 * @revtrace/tracker: the browser script that records first-party touchpoints (click ids, UTM
 * parameters, referrer, landing page, TikTok's `_ttp`) and lead-form identities for revtrace.
 *
 * @module
 */
export { init } from "./tracker.js";
export {
  CLICK_ID_PARAMS,
  type ClickIdParam,
  type CollectBody,
  type IdentifyEvent,
  type TouchEvent,
  type Tracker,
  type TrackerEvent,
  type TrackerOptions,
  UTM_PARAMS,
  type UtmParam,
} from "./tracker-types.js";
