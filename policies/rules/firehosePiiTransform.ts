import { StackValidationPolicy } from "@pulumi/policy";
import { configRegex, configWithDefaults } from "../lib/config";
import { bucketByArn, bucketName, ofType } from "../lib/stack";
import { asArray, tagsOf } from "../lib/values";

export interface PiiTransformConfig {
    lakeBucketPattern: string;
    transformEnvVars: string[];
    exemptTagKey: string;
    exemptTagValue: string;
}

const DEFAULTS: PiiTransformConfig = {
    lakeBucketPattern: ".*",
    transformEnvVars: ["CLICKSTREAM_PII_SECRET_PARAMETER", "CLICKSTREAM_PII_SECRET_ARN"],
    exemptTagKey: "clickstream:pii-transform",
    exemptTagValue: "not-required",
};

/**
 * Events reach the lake only through the pseudonymizing transform. Every Firehose stream that
 * delivers into an S3 bucket matching `lakeBucketPattern` (default: any bucket) must have Lambda
 * processing enabled; when that Lambda is in the stack it must be configured as the PII transform
 * (it has one of `transformEnvVars`, the key-location variables the transform requires).
 */
export const firehosePiiTransform: StackValidationPolicy = {
    name: "clickstream-firehose-pii-transform",
    description: "Every Firehose stream delivering into the lake (an S3 lake bucket or an Iceberg table) runs the PII transform Lambda (processingConfiguration enabled with a Lambda processor configured as the transform).",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["pii", "firehose"],
    remediationSteps:
        "Deliver through FirehoseLake (components/lake), or set extendedS3Configuration.processingConfiguration (icebergConfiguration.processingConfiguration for an Iceberg destination) { enabled: true, processors: [{ type: \"Lambda\", parameters: " +
        "[{ parameterName: \"LambdaArn\", parameterValue: transform.arn }] }] } with the transform Lambda (env CLICKSTREAM_PII_SECRET_PARAMETER or CLICKSTREAM_PII_SECRET_ARN). " +
        "A stream that provably carries no personal data may be tagged clickstream:pii-transform = not-required.",
    configSchema: {
        properties: {
            lakeBucketPattern: { type: "string", default: DEFAULTS.lakeBucketPattern, description: "Regex (case-insensitive) of destination bucket names that count as the lake." },
            transformEnvVars: { type: "array", items: { type: "string" }, default: DEFAULTS.transformEnvVars, description: "A processor Lambda in the stack must set one of these environment variables." },
            exemptTagKey: { type: "string", default: DEFAULTS.exemptTagKey, description: "Stream tag key that exempts a stream." },
            exemptTagValue: { type: "string", default: DEFAULTS.exemptTagValue, description: "Value of exemptTagKey that exempts a stream." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const lake = configRegex("clickstream-firehose-pii-transform", "lakeBucketPattern", cfg.lakeBucketPattern);
        const streams = ofType(args.resources, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").filter((s) => s.props.extendedS3Configuration || s.props.icebergConfiguration);
        if (streams.length === 0) args.notApplicable("No Firehose stream with an S3 or Iceberg destination.");
        const functions = ofType(args.resources, "aws:lambda/function:Function");
        for (const stream of streams) {
            if (tagsOf(stream.props)[cfg.exemptTagKey] === cfg.exemptTagValue) continue;
            const s3 = stream.props.extendedS3Configuration;
            const iceberg = stream.props.icebergConfiguration;
            let destination: string;
            if (s3) {
                const bucket = bucketByArn(args.resources, s3.bucketArn);
                destination = bucket ? bucketName(bucket) : String(s3.bucketArn ?? "").replace(/^arn:[^:]+:s3:::/, "");
                if (!lake.test(destination)) continue;
            } else {
                // Iceberg destinations are tables, always lake tables: the bucket pattern does not apply.
                destination = asArray(iceberg.destinationTableConfigurations).map((t: any) => `${t?.databaseName}.${t?.tableName}`).join(", ") || "Iceberg tables";
            }
            const processing = (s3 ?? iceberg).processingConfiguration;
            const lambdaArns = asArray(processing?.processors)
                .filter((p: any) => p?.type === "Lambda")
                .flatMap((p: any) => asArray(p.parameters))
                .filter((p: any) => p?.parameterName === "LambdaArn")
                .map((p: any) => String(p.parameterValue));
            if (processing?.enabled !== true || lambdaArns.length === 0) {
                reportViolation(`Firehose stream "${stream.props.name ?? stream.name}" delivers into "${destination}" without a Lambda processor: events reach the lake without PII pseudonymization.`, stream.urn);
                continue;
            }
            for (const arn of lambdaArns) {
                const fn = functions.find((f) => f.props.arn === arn || arn.startsWith(`${f.props.arn}:`));
                if (!fn) continue; // A Lambda outside this stack: its configuration cannot be checked here.
                const env = fn.props.environment?.variables ?? {};
                if (!cfg.transformEnvVars.some((v) => typeof env[v] === "string" && env[v] !== "")) {
                    reportViolation(`Firehose stream "${stream.props.name ?? stream.name}" processor "${fn.props.name ?? fn.name}" is not configured as the PII transform (none of ${cfg.transformEnvVars.join(", ")} set).`, stream.urn);
                }
            }
        }
    },
};
