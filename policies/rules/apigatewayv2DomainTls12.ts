import { ResourceValidationPolicy } from "@pulumi/policy";
import { isTls12OrBetter } from "./apigatewayTls12";

export const apigatewayv2DomainTls12: ResourceValidationPolicy = {
    name: "clickstream-apigatewayv2-domain-tls12",
    description: "API Gateway v2 custom domain names require TLS 1.2 or newer (domainNameConfiguration.securityPolicy TLS_1_2).",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["transport", "apigatewayv2"],
    remediationSteps: "Set domainNameConfiguration.securityPolicy: \"TLS_1_2\" on the aws.apigatewayv2.DomainName.",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:apigatewayv2/domainName:DomainName") {
            args.notApplicable("Only API Gateway v2 domain names.");
            return;
        }
        const policy = args.props.domainNameConfiguration?.securityPolicy;
        if (!isTls12OrBetter(policy)) reportViolation(`domainNameConfiguration.securityPolicy is ${policy ?? "unset"}; TLS 1.0/1.1 clients would be accepted.`);
    },
};
