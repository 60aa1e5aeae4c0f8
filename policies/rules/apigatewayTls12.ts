import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";

/** TLS_1_2 and the enhanced policies whose minimum is TLS 1.2 or 1.3. */
export function isTls12OrBetter(policy: string | undefined): boolean {
    return policy === "TLS_1_2" || /^SecurityPolicy_TLS1[23]_/.test(policy ?? "");
}

export const apigatewayTls12: ResourceValidationPolicy = {
    name: "clickstream-apigateway-tls12",
    description: "API Gateway custom domain names require TLS 1.2 or newer (securityPolicy TLS_1_2 or an enhanced SecurityPolicy_TLS13_* policy).",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["transport", "apigateway"],
    remediationSteps: "Set securityPolicy: \"TLS_1_2\" on the aws.apigateway.DomainName (it must be set explicitly; the provider only detects drift on an explicit value).",
    validateResource: validateResourceOfType(aws.apigateway.DomainName, (domain, _args, reportViolation) => {
        if (!isTls12OrBetter(domain.securityPolicy)) {
            reportViolation(`securityPolicy is ${domain.securityPolicy ?? "unset"}; TLS 1.0/1.1 clients would be accepted.`);
        }
    }),
};
