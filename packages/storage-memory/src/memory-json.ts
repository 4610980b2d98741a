/**
 * What storing `value` as JSON and reading it back gives, as the durable engines store records: the
 * same values come back, and the same values (a BigInt, a cycle) are refused, with a `TypeError`.
 */
export const jsonCopy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
