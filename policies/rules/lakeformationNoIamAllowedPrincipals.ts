import { ResourceValidationPolicy } from "@pulumi/policy";
import { asArray } from "../lib/values";

export const IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";

/**
 * IAM_ALLOWED_PRINCIPALS hands access control back to plain IAM: every IAM principal with Glue and
 * S3 permissions reads the data and LF-tags stop mattering. No grant to it, and no default
 * permission that gives it new databases or tables.
 */
export const lakeformationNoIamAllowedPrincipals: ResourceValidationPolicy = {
    name: "clickstream-lakeformation-no-iam-allowed-principals",
    description: "No Lake Formation permission or data-lake default permission is granted to IAM_ALLOWED_PRINCIPALS.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["pii", "lakeformation"],
    remediationSteps:
        "Remove the grant; in aws.lakeformation.DataLakeSettings set createDatabaseDefaultPermissions and createTableDefaultPermissions to [] (LakeFormationGrants does) " +
        "and revoke existing IAM_ALLOWED_PRINCIPALS grants on the lake database and tables.",
    validateResource: (args, reportViolation) => {
        if (args.type === "aws:lakeformation/permissions:Permissions") {
            if (args.props.principal === IAM_ALLOWED_PRINCIPALS) reportViolation("principal is IAM_ALLOWED_PRINCIPALS.");
        } else if (args.type === "aws:lakeformation/dataLakeSettings:DataLakeSettings") {
            for (const field of ["createDatabaseDefaultPermissions", "createTableDefaultPermissions"]) {
                if (asArray(args.props[field]).some((p: any) => p?.principal === IAM_ALLOWED_PRINCIPALS && asArray(p.permissions).length > 0)) {
                    reportViolation(`${field} grants IAM_ALLOWED_PRINCIPALS: new databases/tables would be readable by any IAM principal with Glue and S3 access.`);
                }
            }
        } else {
            args.notApplicable("Only Lake Formation permissions and data lake settings.");
        }
    },
};
