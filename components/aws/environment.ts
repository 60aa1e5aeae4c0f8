/**
 * The account, region and partition a component's ARNs are built in, looked up through the provider its
 * children use (`parent`), so a component deployed with an explicit provider builds its ARNs for that
 * provider's account and region.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type AwsEnvironment } from "../lake/policies";

export function awsEnvironment(parent: pulumi.Resource): pulumi.Output<AwsEnvironment> {
    const opts = { parent };
    return pulumi
        .all([aws.getCallerIdentityOutput({}, opts), aws.getRegionOutput({}, opts), aws.getPartitionOutput({}, opts)])
        .apply(([identity, region, partition]) => ({ accountId: identity.accountId, region: region.region, partition: partition.partition }));
}
