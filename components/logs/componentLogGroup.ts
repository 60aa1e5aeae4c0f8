/**
 * The log group every component function or stream of this project writes to: named
 * `/clickstream/<component>/<role>-...`, so an operator finds a component's logs together, and always
 * with retention and a customer-managed key (the policy pack requires both).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ComponentLogGroupArgs {
    /** Days CloudWatch keeps the events. */
    retentionInDays: number;
    /** KMS key ARN the log group is encrypted with. */
    kmsKeyId: pulumi.Input<string>;
    tags?: Record<string, string>;
}

/** A log group `${component}-${role}-logs` under `/clickstream/${component}/${role}-`. */
export function componentLogGroup(component: string, role: string, args: ComponentLogGroupArgs, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(`${component}-${role}-logs`, {
        namePrefix: `/clickstream/${component}/${role}-`,
        retentionInDays: args.retentionInDays,
        kmsKeyId: args.kmsKeyId,
        tags: args.tags,
    }, opts);
}
