/**
 * API Gateway mapping templates (Velocity, VTL) of the ingest endpoint, as plain strings.
 *
 * No Pulumi here: the OpenAPI builder embeds these strings, and the tests render them with
 * velocityjs (test/ingest/velocity.ts) the way API Gateway would, then feed the records through the
 * real transform. Everything a template needs from the deployment (stream names, allowed origins)
 * is a parameter.
 *
 * VTL notes that shape this code (API Gateway runs Apache Velocity 1.7 on the JVM):
 * - `$util.escapeJavaScript` escapes `'` as `\'`, which is not valid JSON. AWS documents the fix:
 *   `.replaceAll("\\'", "'")` (a Java regex: one backslash followed by a quote).
 * - A double-quoted VTL string interpolates references, but a backslash does not escape a quote,
 *   so the envelope's JSON quotes come from `$q` (set to one `"` with a single-quoted literal).
 * - `$!ref` renders an absent value as "" instead of the reference text.
 */

/** Header the envelope's userAgent comes from (client-controlled, so escaped). */
const USER_AGENT_HEADER = "User-Agent";

/** The partition-key paths and limit are shared with the function URL collector (dataplane/ingest/request.ts). */
export { MAX_PARTITION_KEY_CHARS, PARTITION_KEY_PATHS } from "../../dataplane/ingest/request";
import { MAX_PARTITION_KEY_CHARS, PARTITION_KEY_PATHS } from "../../dataplane/ingest/request";

/**
 * Error types (the AWS JSON protocol's `__type`) that mean "slow down": the endpoint answers 429
 * so trackers back off and retry. Matched as substrings: the type may carry a namespace prefix.
 */
export const THROTTLING_ERROR_TYPES = [
    "ProvisionedThroughputExceededException",
    "ServiceUnavailableException",
    "LimitExceededException",
    "ThrottlingException",
    "KMSThrottlingException",
] as const;

/**
 * Error types that mean the request itself can never succeed (e.g. a record over Firehose's
 * 1,000 KiB or Kinesis' 1 MiB limit): the endpoint answers 400 so trackers stop retrying it.
 */
export const CLIENT_ERROR_TYPES = ["InvalidArgumentException", "ValidationException", "SerializationException"] as const;

/** VTL that renders `$escaped` as a JSON-string-safe version of `$raw` (no surrounding quotes). */
function escapeInto(target: string, source: string): string {
    return `#set($${target} = $util.escapeJavaScript(${source}).replaceAll("\\\\'", "'"))`;
}

/**
 * VTL statements that leave the request envelope (dataplane/envelope.ts, version 1) as a JSON
 * string in `$envelope`. The body is embedded as JSON (`$input.json('$')`), so the transform gets
 * the tracker's document unchanged; the client-controlled User-Agent is escaped.
 */
export function envelopeStatements(): string {
    return [
        "## Builds the request envelope (dataplane/envelope.ts, v1) as JSON in $envelope.",
        `#set($q = '"')`,
        escapeInto("userAgent", `$input.params('${USER_AGENT_HEADER}')`),
        `#set($body = $input.json('$'))`,
        `#set($apiKeyId = "$!context.identity.apiKeyId")`,
        "## apiKeyId is optional in the envelope: only present when the caller used an API key.",
        `#if($apiKeyId == "")#set($apiKeyField = "")#{else}${escapeInto("apiKeyIdEscaped", "$apiKeyId")}#set($apiKeyField = ",\${q}apiKeyId\${q}:\${q}$apiKeyIdEscaped\${q}")#end`,
        `#set($envelope = "{\${q}v\${q}:1,\${q}receivedAt\${q}:$context.requestTimeEpoch,\${q}sourceIp\${q}:\${q}$context.identity.sourceIp\${q},\${q}userAgent\${q}:\${q}$userAgent\${q},\${q}path\${q}:\${q}$context.resourcePath\${q},\${q}requestId\${q}:\${q}$context.requestId\${q}$apiKeyField,\${q}body\${q}:$body}")`,
    ].join("\n");
}

/**
 * VTL that leaves a JSON-string-safe Kinesis partition key in `$partitionKey`. A stable key per
 * client keeps one client's events in order on one shard (sessions, funnels); the request id is
 * the fallback so a request without ids still spreads evenly. Keys over Kinesis' 256-character
 * limit fall back too, rather than failing the request.
 */
export function partitionKeyStatements(): string {
    const lines = ["## Picks a stable per-client partition key, else the request id.", `#set($pk = "")`];
    for (const path of PARTITION_KEY_PATHS) lines.push(`#if($pk == "")#set($pk = "$!input.path('${path}')")#end`);
    lines.push(`#if($pk == "" || $pk.length() > ${MAX_PARTITION_KEY_CHARS})#set($pk = "$context.requestId")#end`);
    lines.push(escapeInto("partitionKey", "$pk"));
    return lines.join("\n");
}

/** Firehose names and Kinesis names are [a-zA-Z0-9_.-]: anything else would break the template's JSON. */
function assertAwsName(field: string, value: string): void {
    if (!/^[a-zA-Z0-9_.-]{1,128}$/.test(value)) {
        throw new Error(`${field} "${value}" is not a valid stream name ([a-zA-Z0-9_.-], 1-128 characters); pass the name output by FirehoseLake / the stream.`);
    }
}

/** Request template for Firehose PutRecord: one record per HTTP request, the envelope base64-encoded. */
export function firehosePutRecordTemplate(deliveryStreamName: string): string {
    assertAwsName("deliveryStreamName", deliveryStreamName);
    return [
        envelopeStatements(),
        `{"DeliveryStreamName":"${deliveryStreamName}","Record":{"Data":"$util.base64Encode($envelope)"}}`,
    ].join("\n");
}

/** Request template for Kinesis PutRecord: one record per HTTP request, keyed per client. */
export function kinesisPutRecordTemplate(streamName: string): string {
    assertAwsName("streamName", streamName);
    return [
        envelopeStatements(),
        partitionKeyStatements(),
        `{"StreamName":"${streamName}","PartitionKey":"$partitionKey","Data":"$util.base64Encode($envelope)"}`,
    ].join("\n");
}

export { assertCorsOrigins, CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS } from "../../dataplane/ingest/http";
import { assertCorsOrigins } from "../../dataplane/ingest/http";

/**
 * VTL that sets Access-Control-Allow-Origin on the response: "*" when every origin is allowed,
 * else the caller's Origin only if it is in the list (a response can name one origin, so a list
 * needs the comparison; API Gateway's static header mapping cannot do it). Empty when CORS is off.
 */
export function corsOriginStatements(origins: readonly string[]): string {
    if (origins.length === 0) return "";
    assertCorsOrigins(origins);
    if (origins.includes("*")) return `#set($context.responseOverride.header.Access-Control-Allow-Origin = "*")`;
    const condition = origins.map((o) => `$origin == "${o}"`).join(" || ");
    return [
        "## Echoes the Origin header only when it is an allowed origin.",
        `#set($origin = "$!input.params('Origin')")`,
        `#if($origin == "")#set($origin = "$!input.params('origin')")#end`,
        `#if(${condition})#set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)#end`,
    ].join("\n");
}

/** Integration response template for a stored record: Segment clients expect 200 and a small JSON body. */
export function acknowledgementTemplate(origins: readonly string[]): string {
    return [corsOriginStatements(origins), `{"success":true}`].filter(Boolean).join("\n");
}

/**
 * Integration response template for a 4xx from Firehose/Kinesis. The integration response's status
 * is 429 (throttling is the common case, and trackers retry 429). The error type then decides:
 * a request that can never fit (record too large) gets 400 so trackers stop; a configuration
 * fault (access denied, stream missing, key disabled) gets 500 so trackers keep the events and
 * retry once the operator fixes it. Nothing is reported as stored unless it was.
 */
export function serviceClientErrorTemplate(origins: readonly string[]): string {
    const throttled = THROTTLING_ERROR_TYPES.map((t) => `$errorType.contains("${t}")`).join(" || ");
    const invalid = CLIENT_ERROR_TYPES.map((t) => `$errorType.contains("${t}")`).join(" || ");
    return [
        corsOriginStatements(origins),
        `#set($errorType = "$!input.path('$.__type')")`,
        `#if(${throttled})#set($status = "throttled")`,
        `#elseif(${invalid})#set($status = "rejected")#set($context.responseOverride.status = 400)`,
        `#{else}#set($status = "backend_error")#set($context.responseOverride.status = 500)#end`,
        escapeInto("errorTypeEscaped", "$errorType"),
        `{"success":false,"error":"$status","type":"$errorTypeEscaped","requestId":"$context.requestId"}`,
    ].filter(Boolean).join("\n");
}

/** Integration response template for a 5xx from Firehose/Kinesis: 503, trackers retry. */
export function serviceServerErrorTemplate(origins: readonly string[]): string {
    return [corsOriginStatements(origins), `{"success":false,"error":"backend_unavailable","requestId":"$context.requestId"}`].filter(Boolean).join("\n");
}

/** Request template of the CORS preflight's mock integration. */
export const PREFLIGHT_REQUEST_TEMPLATE = `{"statusCode": 200}`;

/** Response template of the CORS preflight: the allowed origin; the other headers are static. */
export function preflightResponseTemplate(origins: readonly string[]): string {
    return corsOriginStatements(origins);
}
