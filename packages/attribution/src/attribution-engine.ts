/**
 * The attribution engine: pure, deterministic, no storage. Give it a conversion and the touchpoints of
 * the person (plus any found by click id); it returns every model's credits side by side, exact to the
 * minor unit, each with an explanation.
 *
 * @module
 */
import { allocateMoney, type Credit, type Money, type Touchpoint } from "@revtrace/core";
import { type AttributionInput, resolveInput } from "./attribution-input.js";
import {
  type AttributionOptions,
  type ModelName,
  type ResolvedModel,
  type ResolvedOptions,
  resolveAttributionOptions,
} from "./attribution-options.js";
import type { AttributionResult, Explanation, ModelAttribution } from "./attribution-result.js";
import { exclusionFor, explain, type ModelWindow } from "./explain.js";
import { type Selection, selectCredits } from "./model-selection.js";
import { type PreparedTouchpoints, prepareTouchpoints } from "./touchpoint-order.js";

/** An engine with validated options. */
export interface AttributionEngine {
  /** The models it runs, with every default filled in. */
  readonly models: readonly ResolvedModel[];
  /** Attributes one conversion. Same input, same output, whatever the order of `touchpoints`. */
  attribute(conversion: AttributionInput, touchpoints: readonly Touchpoint[]): AttributionResult;
}

/**
 * The touchpoints a model may credit (the same array when all of them are eligible). Without a
 * channel or click-id filter, they are a contiguous run of the time-ordered valid touchpoints.
 */
function eligible(
  prepared: PreparedTouchpoints,
  spec: ResolvedModel,
  window: ModelWindow,
): readonly Touchpoint[] {
  const { valid } = prepared;
  const n = valid.length;
  if (n === 0) return valid;
  const { anchorAt, windowStart } = window;
  if (spec.channels === null && spec.clickIds === null) {
    if (
      (valid[n - 1] as Touchpoint).occurredAt <= anchorAt &&
      (windowStart === null || (valid[0] as Touchpoint).occurredAt >= windowStart)
    )
      return valid;
    let end = n;
    while (end > 0 && (valid[end - 1] as Touchpoint).occurredAt > anchorAt) end--;
    let start = 0;
    if (windowStart !== null)
      while (start < end && (valid[start] as Touchpoint).occurredAt < windowStart) start++;
    return valid.slice(start, end);
  }
  const out: Touchpoint[] = [];
  for (const touchpoint of valid)
    if (exclusionFor(touchpoint, spec, window) === null) out.push(touchpoint);
  return out;
}

/** Credits of a selection: shares `weight / total`, amounts by largest remainder (sum exact). */
export function creditsOf(name: string, selection: Selection, value: Money | null): Credit[] {
  const { credited, weights } = selection;
  const n = credited.length;
  if (n === 0) return [];
  if (n === 1) {
    const amount = value === null ? null : { amount: value.amount, currency: value.currency };
    return [{ model: name, touchpoint: credited[0] as Touchpoint, share: 1, amount }];
  }
  const amounts = value === null ? null : allocateMoney(value, weights);
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i] as number;
  const credits: Credit[] = new Array(n);
  for (let i = 0; i < n; i++) {
    credits[i] = {
      model: name,
      touchpoint: credited[i] as Touchpoint,
      share: (weights[i] as number) / total,
      amount: amounts === null ? null : (amounts[i] as Money),
    };
  }
  return credits;
}

/**
 * Results are plain data to every reader that copies them (`JSON.stringify`, `structuredClone`,
 * object spread): their lazy parts are own enumerable getters, which those readers invoke, never
 * getters on a prototype, which they skip. Defining an own getter costs far more than creating the
 * object, so a result defines one (`models`) and its models define theirs (`explanation`) only once
 * `models` is read: reading `credits` alone stays as cheap as a plain object.
 */
let explanationProperty: PropertyDescriptor;
let modelsProperty: PropertyDescriptor;

/** One model's outcome. Its `explanation` is built on first read (it costs more than the credits). */
class ModelOutcome implements ModelAttribution {
  readonly name: string;
  readonly model: ModelName;
  readonly credits: Credit[];
  declare readonly explanation: Explanation;
  readonly #spec: ResolvedModel;
  readonly #prepared: PreparedTouchpoints;
  readonly #window: ModelWindow;
  readonly #selection: Selection;
  #explanation: Explanation | undefined;

  static {
    explanationProperty = {
      get(this: ModelOutcome): Explanation {
        this.#explanation ??= explain(
          this.#spec,
          this.#prepared,
          this.#window,
          this.#selection,
          this.credits,
        );
        return this.#explanation;
      },
      enumerable: true,
    };
  }

  constructor(
    spec: ResolvedModel,
    prepared: PreparedTouchpoints,
    window: ModelWindow,
    selection: Selection,
    credits: Credit[],
  ) {
    this.name = spec.name;
    this.model = spec.model;
    this.credits = credits;
    this.#spec = spec;
    this.#prepared = prepared;
    this.#window = window;
    this.#selection = selection;
  }
}

/** The result of one conversion: `models` (and their explanations) become own getters on first read. */
class Attribution implements AttributionResult {
  readonly occurredAt: number;
  readonly value: Money | null;
  declare readonly models: ModelAttribution[];
  readonly credits: Credit[];
  readonly #models: ModelOutcome[];
  #ready = false;

  static {
    modelsProperty = {
      get(this: Attribution): ModelAttribution[] {
        if (!this.#ready) {
          for (const outcome of this.#models)
            Object.defineProperty(outcome, "explanation", explanationProperty);
          this.#ready = true;
        }
        return this.#models;
      },
      enumerable: true,
    };
  }

  constructor(occurredAt: number, value: Money | null, models: ModelOutcome[], credits: Credit[]) {
    this.occurredAt = occurredAt;
    this.value = value;
    Object.defineProperty(this, "models", modelsProperty);
    this.credits = credits;
    this.#models = models;
  }
}

/**
 * Runs every model over one conversion. The touchpoints are sorted and filtered once; a model's window
 * and eligible touchpoints are computed only when they differ from the previous model's (without
 * per-model windows or filters, every model reads the same list).
 */
function run(
  options: ResolvedOptions,
  conversion: AttributionInput,
  touchpoints: readonly Touchpoint[],
): AttributionResult {
  const input = resolveInput(conversion);
  const prepared = prepareTouchpoints(input.occurredAt, touchpoints, options.isJunk);
  const { models } = options;
  const count = models.length;
  const results: ModelOutcome[] = new Array(count);
  let window: ModelWindow | undefined;
  let candidates: readonly Touchpoint[] = prepared.valid;
  let channels: ResolvedModel["channels"] = null;
  let clickIds: ResolvedModel["clickIds"] = null;
  let size = 0;
  for (let i = 0; i < count; i++) {
    const spec = models[i] as ResolvedModel;
    const original = input.originalOccurredAt;
    const anchorAt =
      spec.renewals === "original" && original !== null && original < input.occurredAt
        ? original
        : input.occurredAt;
    const windowStart = spec.lookbackMs === null ? null : anchorAt - spec.lookbackMs;
    if (
      window === undefined ||
      window.anchorAt !== anchorAt ||
      window.windowStart !== windowStart ||
      spec.channels !== channels ||
      spec.clickIds !== clickIds
    ) {
      window = { anchorAt, windowStart };
      channels = spec.channels;
      clickIds = spec.clickIds;
      candidates = eligible(prepared, spec, window);
    }
    const selection = selectCredits(candidates, spec, input, anchorAt);
    const credits = creditsOf(spec.name, selection, input.value);
    results[i] = new ModelOutcome(spec, prepared, window, selection, credits);
    size += credits.length;
  }
  let credits = (results[0] as ModelOutcome).credits;
  if (count > 1) {
    credits = new Array(size);
    let k = 0;
    for (let i = 0; i < count; i++) {
      const own = (results[i] as ModelOutcome).credits;
      for (let j = 0; j < own.length; j++) credits[k++] = own[j] as Credit;
    }
  }
  return new Attribution(input.occurredAt, input.value, results, credits);
}

/**
 * Creates an engine. Options are validated once here.
 *
 * @throws ConfigError when an option is invalid (the error names the field).
 * @example
 * const engine = createAttributionEngine({ models: ["first_touch", { model: "time_decay", lookbackMs: days(30) }] });
 * const { credits } = engine.attribute({ occurredAt: Date.now(), value: fromMajor("99.00", "USD") }, touchpoints);
 */
export function createAttributionEngine(options: AttributionOptions = {}): AttributionEngine {
  const resolved = resolveAttributionOptions(options);
  return {
    models: resolved.models,
    attribute: (conversion, touchpoints) => run(resolved, conversion, touchpoints),
  };
}

const engines = new WeakMap<AttributionOptions, AttributionEngine>();
const defaultEngine = createAttributionEngine();

/** Freezes `value` and every object or array it holds in a data property (accessors are not read). */
function freezeDeep(value: unknown, seen = new Set<object>()): void {
  if (typeof value !== "object" || value === null || seen.has(value)) return;
  seen.add(value);
  Object.freeze(value);
  for (const property of Object.values(Object.getOwnPropertyDescriptors(value)))
    if ("value" in property) freezeDeep(property.value, seen);
}

/**
 * Attributes a conversion to touchpoints under one or more models (first-touch by default). Pure and
 * deterministic: the result depends only on the arguments, never on the order of `touchpoints`. The
 * options object is validated on first use and cached, so pass the same object in a loop; it is then
 * frozen (deeply), so a later change throws a `TypeError` instead of being silently ignored. To change
 * options, pass a new object (or use {@link createAttributionEngine}).
 *
 * @throws ConfigError when an option is invalid.
 */
export function attribute(
  conversion: AttributionInput,
  touchpoints: readonly Touchpoint[],
  options?: AttributionOptions,
): AttributionResult {
  if (options === undefined) return defaultEngine.attribute(conversion, touchpoints);
  let engine = engines.get(options);
  if (engine === undefined) {
    engine = createAttributionEngine(options);
    freezeDeep(options);
    engines.set(options, engine);
  }
  return engine.attribute(conversion, touchpoints);
}
