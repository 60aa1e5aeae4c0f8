/**
 * The prod web ACL in front of the ingest API: AWS managed rules for common exploits and known bad
 * inputs, plus a per-IP rate limit so one abusive client cannot use up the stage's throttle budget.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface IngestWebAclArgs {
    /** Requests per 5-minute window from one IP before WAF blocks it. */
    rateLimitPer5Min: number;
}

function managedRule(name: string, priority: number): aws.types.input.wafv2.WebAclRule {
    return {
        name,
        priority,
        overrideAction: { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name } },
        visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
    };
}

export function createIngestWebAcl(name: string, args: IngestWebAclArgs, opts?: pulumi.CustomResourceOptions): aws.wafv2.WebAcl {
    return new aws.wafv2.WebAcl(name, {
        description: "Ingest API: managed common and bad-input rules, per-IP rate limit",
        scope: "REGIONAL",
        defaultAction: { allow: {} },
        rules: [
            {
                name: "per-ip-rate-limit",
                priority: 0,
                action: { block: {} },
                statement: { rateBasedStatement: { limit: args.rateLimitPer5Min, aggregateKeyType: "IP" } },
                visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "per-ip-rate-limit" },
            },
            managedRule("AWSManagedRulesCommonRuleSet", 1),
            managedRule("AWSManagedRulesKnownBadInputsRuleSet", 2),
        ],
        visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
    }, opts);
}
