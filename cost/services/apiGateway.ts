/** API Gateway requests: REST APIs per request (tiered), HTTP APIs per 512 KB-metered request (tiered). */
import type { ModelContext } from "../context";
import { T } from "../graph";

export function priceApiGateway(ctx: ModelContext): void {
    for (const api of ctx.g.apis) {
        const requests = ctx.g.apiRequests.get(api.urn) ?? 0;
        if (api.type === T.restApi) {
            ctx.priced(api, "API Gateway", "REST API requests", requests, "requests", "apigateway.rest.requests");
        } else {
            // HTTP APIs meter each request in 512 KB increments: a 600 KB request counts twice.
            const increments = Math.ceil(ctx.t.requestBodyBytes / ctx.p.figure("apigateway.http.requests", "meteringBytes"));
            ctx.priced(api, "API Gateway", `HTTP API requests (${increments} x 512 KB increment${increments > 1 ? "s" : ""} each)`, requests * increments, "requests", "apigateway.http.requests");
        }
    }
    if (ctx.g.apis.length > 0) ctx.note("API Gateway: responses are ~20 bytes, so data transfer out stays inside AWS's 100 GB/month free allowance and is not priced; request bodies in are free.");
}
