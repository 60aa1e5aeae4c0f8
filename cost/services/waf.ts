/** WAF: each web ACL per month, each rule (a managed rule group counts as one), each request it inspects. */
import type { ModelContext } from "../context";
import { T } from "../graph";

export function priceWaf(ctx: ModelContext): void {
    for (const acl of ctx.g.ofType(T.webAcl)) {
        ctx.priced(acl, "WAF", "web ACL", 1, "web ACL-month", "waf.webAcl");
        const rules = (acl.inputs.rules ?? []).length;
        ctx.priced(acl, "WAF", "rules (managed rule groups count as one each)", rules, "rule-months", "waf.rule");
        // Requests: those of every API stage the ACL is associated with.
        let inspected = 0;
        for (const assoc of ctx.g.ofType(T.webAclAssociation).filter((x) => ctx.g.byRef(x.inputs.webAclArn, T.webAcl) === acl)) {
            const stage = ctx.g.byRef(assoc.inputs.resourceArn);
            const api = stage ? ctx.g.byRef(stage.inputs.restApi ?? stage.inputs.apiId) : undefined;
            inspected += api ? ctx.g.apiRequests.get(api.urn) ?? 0 : 0;
        }
        ctx.priced(acl, "WAF", "requests inspected", inspected, "requests", "waf.requests");
    }
}
