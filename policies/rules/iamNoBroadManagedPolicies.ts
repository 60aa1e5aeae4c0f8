import { ResourceValidationPolicy } from "@pulumi/policy";
import { configRegex, configWithDefaults } from "../lib/config";
import { asArray } from "../lib/values";

export interface BroadManagedPoliciesConfig {
    forbiddenPolicyPattern: string;
}

const DEFAULTS: BroadManagedPoliciesConfig = {
    forbiddenPolicyPattern: "^arn:aws[a-z-]*:iam::aws:policy/(.*/)?(AdministratorAccess|PowerUserAccess|IAMFullAccess|[A-Za-z0-9]*FullAccess[A-Za-z0-9_-]*)$",
};

/** AWS managed "admin" and "*FullAccess" policies grant `service:*` on "*": the opposite of least privilege. */
export const iamNoBroadManagedPolicies: ResourceValidationPolicy = {
    name: "clickstream-iam-no-broad-managed-policies",
    description: "No role, user or group gets AdministratorAccess, PowerUserAccess or an AWS *FullAccess managed policy.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["least-privilege", "iam"],
    remediationSteps: "Replace the attachment with an inline aws.iam.RolePolicy listing the actions and resources the role uses (the components' *PolicyDocument functions build them).",
    configSchema: {
        properties: {
            forbiddenPolicyPattern: { type: "string", default: DEFAULTS.forbiddenPolicyPattern, description: "Regex of managed policy ARNs that may not be attached." },
        },
    },
    validateResource: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const forbidden = configRegex("clickstream-iam-no-broad-managed-policies", "forbiddenPolicyPattern", cfg.forbiddenPolicyPattern);
        let arns: string[];
        switch (args.type) {
            case "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            case "aws:iam/userPolicyAttachment:UserPolicyAttachment":
            case "aws:iam/groupPolicyAttachment:GroupPolicyAttachment":
            case "aws:iam/policyAttachment:PolicyAttachment":
                arns = [String(args.props.policyArn ?? "")];
                break;
            case "aws:iam/role:Role":
                arns = asArray(args.props.managedPolicyArns).map(String);
                break;
            default:
                return args.notApplicable("Only IAM roles and policy attachments.");
        }
        for (const arn of arns.filter((a) => forbidden.test(a))) reportViolation(`attaches ${arn}.`);
    },
};
