import { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * Function URLs need two public statements (since October 2025): lambda:InvokeFunctionUrl for the
 * URL's auth type and lambda:InvokeFunction. A public InvokeFunction without the function-URL
 * condition lets anyone call the function through the Lambda API directly, around the URL's CORS
 * and with any event shape; a public InvokeFunctionUrl must say which auth type it is for.
 */
export const lambdaPublicInvokeViaUrlOnly: ResourceValidationPolicy = {
    name: "clickstream-lambda-public-invoke-via-url-only",
    description: "A Lambda permission for principal \"*\" is lambda:InvokeFunctionUrl with functionUrlAuthType, or lambda:InvokeFunction with invokedViaFunctionUrl true; no other public action.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["exposure", "lambda", "least-privilege"],
    remediationSteps: "For a function URL use two aws.lambda.Permission resources: { action: \"lambda:InvokeFunctionUrl\", principal: \"*\", functionUrlAuthType: \"NONE\" } and { action: \"lambda:InvokeFunction\", principal: \"*\", invokedViaFunctionUrl: true }; give other callers their service principal and sourceArn.",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:lambda/permission:Permission") {
            args.notApplicable("Only Lambda permissions.");
            return;
        }
        if (args.props.principal !== "*") return;
        const action = String(args.props.action ?? "");
        if (action === "lambda:InvokeFunctionUrl") {
            if (!args.props.functionUrlAuthType) reportViolation("Public lambda:InvokeFunctionUrl without functionUrlAuthType.");
        } else if (action === "lambda:InvokeFunction") {
            if (args.props.invokedViaFunctionUrl !== true) reportViolation("Public lambda:InvokeFunction without invokedViaFunctionUrl: anyone could invoke the function through the Lambda API.");
        } else {
            reportViolation(`Public ${action || "(no action)"}: only function URL invocations may be public.`);
        }
    },
};
