/**
 * SNS, SQS and DynamoDB carry the alert path: priced per anomaly-alarm transition (a stated number per
 * alarm and month). The dead-letter queues stay empty in normal operation.
 */
import type { ModelContext } from "../context";
import { T } from "../graph";

export function priceMessaging(ctx: ModelContext): void {
    const { g, a } = ctx;
    const transitions = ctx.t.eventsPerSecond > 0 ? g.anomalyAlarms().length * a.anomalyAlarmTransitionsPerMonth : 0;
    for (const topic of g.ofType(T.topic)) {
        ctx.priced(topic, "SNS", `publishes (${a.anomalyAlarmTransitionsPerMonth} alarm transitions per anomaly alarm-month)`, transitions, "requests", "sns.publish");
        const emails = g.ofType(T.subscription).filter((s) => s.inputs.protocol === "email" && g.byRef(s.inputs.topic, T.topic) === topic).length;
        ctx.priced(topic, "SNS", "e-mail notifications", transitions * emails, "notifications", "sns.email");
    }
    const queues = g.ofType(T.queue);
    if (queues.length) ctx.note(`SQS: ${queues.length} dead-letter queue(s), empty in normal operation: no requests priced (nothing polls them; their alarms read CloudWatch metrics).`);
    for (const table of g.ofType(T.table)) {
        if (table.inputs.billingMode === "PAY_PER_REQUEST") {
            ctx.priced(table, "DynamoDB", "on-demand writes (one item per alarm transition, 1 KB)", transitions, "write request units", "dynamodb.onDemand.writes");
        } else {
            ctx.note(`DynamoDB ${table.name}: provisioned capacity is not priced by this model.`);
        }
    }
}
