/**
 * Composition per stack. `index.ts` (the Pulumi program) and the offline tools call `deployStack`
 * with `pulumi.getStack()`; each stack module builds its components from validated config.
 */
import * as pulumi from "@pulumi/pulumi";

export type StackOutputs = Record<string, pulumi.Input<unknown>>;

const STACKS: Record<string, () => StackOutputs> = {
    dev: () => require("./dev").deployDev(),
    prod: () => require("./prod").deployProd(),
};

/** Builds the named stack's resources and returns its outputs. */
export function deployStack(stack: string): StackOutputs {
    const deploy = STACKS[stack];
    if (!deploy) {
        throw new Error(`No composition for stack "${stack}". Known stacks: ${Object.keys(STACKS).join(", ")}. Create one with "pulumi stack init dev" or "pulumi stack init prod".`);
    }
    return deploy();
}
