/**
 * Construction-time check of the transform configuration the component writes into the Lambda's
 * environment: a bad value must fail `pulumi preview`, not every batch at run time. The rules are the
 * transform's own (`resolveTransformConfig`), so the component and the Lambda can never disagree.
 * Imported from resolve.ts rather than the transform's index so the Pulumi program does not load the AWS SDK.
 */
import type { TransformConfig } from "../../dataplane/transform/config";
import { resolveTransformConfig } from "../../dataplane/transform/resolve";

/** Throws an Error naming the `transform` field that is invalid (and the fix). */
export function validateTransformConfig(config: TransformConfig): void {
    try {
        resolveTransformConfig(config);
    } catch (e) {
        throw new Error(`FirehoseLake: transform is invalid: ${(e as Error).message}`);
    }
}
