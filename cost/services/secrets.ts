/** Secrets Manager: per secret-month, and the reads of the functions that load it (cached for minutes per container). */
import type { CapturedResource } from "../../offline/runUnderMocks";
import type { ModelContext } from "../context";
import { T } from "../graph";

export function secretApiCalls(ctx: ModelContext): Array<{ secret: CapturedResource; calls: number }> {
    const { g, a } = ctx;
    return g.ofType(T.secret).map((secret) => {
        const readers = g.functions.filter((w) => w.invocations > 0 && Object.values(w.resource.inputs.environment?.variables ?? {}).some((v) => v === secret.state.arn));
        const calls = readers.length * a.containersPerFunction * ((ctx.hours * 3600) / a.secretCacheSeconds);
        return { secret, calls };
    });
}

export function priceSecrets(ctx: ModelContext): void {
    for (const secret of ctx.g.ofType(T.secret)) ctx.priced(secret, "Secrets Manager", "secret", 1, "secret-months", "secretsmanager.secret");
    for (const s of secretApiCalls(ctx)) {
        ctx.priced(s.secret, "Secrets Manager", `GetSecretValue (${ctx.a.containersPerFunction} warm containers per reading function, ${ctx.a.secretCacheSeconds} s cache)`, s.calls, "API calls", "secretsmanager.apiCalls");
    }
}
