/**
 * REQUEST authorizer of the ingest endpoint (option `acceptSegmentWriteKey`): turns Segment's
 * Basic-auth write key into the API key API Gateway checks against the usage plan
 * (`usageIdentifierKey`, with the API's apiKeySource = AUTHORIZER). It does not judge the key: an
 * unknown key is refused by API Gateway (403) after this returns, so no key list lives here.
 * A header with no usable key is refused with "Unauthorized" (401), which API Gateway caches too.
 */
import { createHash } from "crypto";
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { parseWriteKey, stageWideResource } from "../auth/writeKey";

function header(event: APIGatewayRequestAuthorizerEvent, name: string): string | undefined {
    const headers = event.headers ?? {};
    for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name && v) return v;
    return undefined;
}

export async function handler(event: APIGatewayRequestAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const parsed = parseWriteKey(header(event, "authorization"));
    if (!parsed.ok) {
        // The reason goes to the function's log, never the key itself.
        console.log(JSON.stringify({ level: "info", msg: "write key refused", reason: parsed.reason }));
        throw new Error("Unauthorized");
    }
    // The principal names the key without revealing it (access logs and $context show it).
    const principalId = `writekey-${createHash("sha256").update(parsed.writeKey).digest("hex").slice(0, 16)}`;
    return {
        principalId,
        usageIdentifierKey: parsed.writeKey,
        policyDocument: {
            Version: "2012-10-17",
            Statement: [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: stageWideResource(event.methodArn) }],
        },
    };
}
