/**
 * Every policy of the clickstream pack, as a plain array. The pack (index.ts) and the offline
 * harness (offline/policyHarness.ts) both use this list; only index.ts creates the PolicyPack,
 * because `new PolicyPack` starts a gRPC server that keeps the process alive.
 */
import { Policies } from "@pulumi/policy";
import { apigatewayAuthenticatedIngest } from "./rules/apigatewayAuthenticatedIngest";
import { apigatewayLogsNoBodies } from "./rules/apigatewayLogsNoBodies";
import { apigatewayTls12 } from "./rules/apigatewayTls12";
import { apigatewayv2AccessLogs } from "./rules/apigatewayv2AccessLogs";
import { apigatewayv2AuthenticatedRoutes } from "./rules/apigatewayv2AuthenticatedRoutes";
import { apigatewayv2DomainTls12 } from "./rules/apigatewayv2DomainTls12";
import { apigatewayv2StageThrottling } from "./rules/apigatewayv2StageThrottling";
import { athenaWorkgroupEncryption } from "./rules/athenaWorkgroupEncryption";
import { cloudwatchLogGroupKms } from "./rules/cloudwatchLogGroupKms";
import { cloudwatchLogGroupRetention } from "./rules/cloudwatchLogGroupRetention";
import { dynamodbTableCmk } from "./rules/dynamodbTableCmk";
import { firehosePiiTransform } from "./rules/firehosePiiTransform";
import { firehoseS3DestinationKms } from "./rules/firehoseS3DestinationKms";
import { firehoseSseCmk } from "./rules/firehoseSseCmk";
import { glueCatalogEncryption } from "./rules/glueCatalogEncryption";
import { glueIcebergTableMaintenance } from "./rules/glueIcebergTableMaintenance";
import { gluePiiColumnsTagged } from "./rules/gluePiiColumnsTagged";
import { iamNoBroadManagedPolicies } from "./rules/iamNoBroadManagedPolicies";
import { iamKnownActions } from "./rules/iamKnownActions";
import { iamNoWildcards } from "./rules/iamNoWildcards";
import { kinesisStreamCmk } from "./rules/kinesisStreamCmk";
import { kmsKeyRotation } from "./rules/kmsKeyRotation";
import { lambdaLogGroupManaged } from "./rules/lambdaLogGroupManaged";
import { lambdaFunctionUrlAuthenticated } from "./rules/lambdaFunctionUrlAuthenticated";
import { lambdaFunctionUrlConcurrency } from "./rules/lambdaFunctionUrlConcurrency";
import { lambdaFunctionUrlCors } from "./rules/lambdaFunctionUrlCors";
import { lambdaPublicInvokeViaUrlOnly } from "./rules/lambdaPublicInvokeViaUrlOnly";
import { lakeformationNoIamAllowedPrincipals } from "./rules/lakeformationNoIamAllowedPrincipals";
import { lakeformationNoPiiToAnalysts } from "./rules/lakeformationNoPiiToAnalysts";
import { s3BucketSseKms } from "./rules/s3BucketSseKms";
import { s3PiiAccessAudited } from "./rules/s3PiiAccessAudited";
import { s3PublicAccessBlock } from "./rules/s3PublicAccessBlock";
import { s3RawBucketExpiry } from "./rules/s3RawBucketExpiry";
import { s3TlsOnly } from "./rules/s3TlsOnly";
import { snsTopicCmk } from "./rules/snsTopicCmk";
import { sqsQueueKms } from "./rules/sqsQueueKms";

/** Policy pack name, as `pulumi policy publish` and the Pulumi Cloud show it. */
export const POLICY_PACK_NAME = "clickstream-policies";

/** Encryption at rest. */
export const ENCRYPTION_POLICIES: Policies = [
    s3BucketSseKms,
    firehoseSseCmk,
    firehoseS3DestinationKms,
    kinesisStreamCmk,
    snsTopicCmk,
    sqsQueueKms,
    dynamodbTableCmk,
    cloudwatchLogGroupKms,
    athenaWorkgroupEncryption,
    glueCatalogEncryption,
    kmsKeyRotation,
];

/** Transport security and exposure. */
export const EXPOSURE_POLICIES: Policies = [
    s3TlsOnly,
    s3PublicAccessBlock,
    apigatewayTls12,
    apigatewayAuthenticatedIngest,
    apigatewayv2DomainTls12,
    apigatewayv2AuthenticatedRoutes,
    apigatewayv2StageThrottling,
    lambdaFunctionUrlAuthenticated,
    lambdaFunctionUrlConcurrency,
    lambdaFunctionUrlCors,
    lambdaPublicInvokeViaUrlOnly,
];

/** Personal data and retention. */
export const PII_POLICIES: Policies = [
    firehosePiiTransform,
    gluePiiColumnsTagged,
    lakeformationNoPiiToAnalysts,
    lakeformationNoIamAllowedPrincipals,
    apigatewayLogsNoBodies,
    apigatewayv2AccessLogs,
    s3RawBucketExpiry,
    s3PiiAccessAudited,
    glueIcebergTableMaintenance,
    cloudwatchLogGroupRetention,
    lambdaLogGroupManaged,
];

/** Least privilege. */
export const LEAST_PRIVILEGE_POLICIES: Policies = [iamNoWildcards, iamNoBroadManagedPolicies, iamKnownActions];

export const ALL_POLICIES: Policies = [...ENCRYPTION_POLICIES, ...EXPOSURE_POLICIES, ...PII_POLICIES, ...LEAST_PRIVILEGE_POLICIES];
