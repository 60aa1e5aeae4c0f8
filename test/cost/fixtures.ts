/**
 * Hand-built resource lists for the cost model's unit tests: the same shape `runUnderMocks` captures
 * (type, name, inputs, state with name/arn), so each test sets exactly the inputs a price depends on.
 */
import type { CapturedResource } from "../../offline/runUnderMocks";

export function res(type: string, name: string, inputs: Record<string, any> = {}, state: Record<string, any> = {}, parent?: string): CapturedResource {
    const arn = `arn:test:${type.split("/")[1]?.split(":")[0] ?? "x"}:${name}`;
    return {
        type,
        name,
        urn: `urn:test::${type}::${name}`,
        parent,
        custom: !type.startsWith("clickstream:"),
        inputs,
        state: { name, arn, ...inputs, ...state },
        id: name,
    };
}

export const SECONDS = 730 * 3600;
export const GIB = 1024 ** 3;
