/** Shared assertions on IAM documents for the lake tests. */
import { strict as assert } from "assert";
import type { PolicyDocument } from "../../components/lake/policies";

export const asList = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** No Allow grants "*" or "service:*" actions, nor a "*" resource; every Allow names a resource. */
export function assertLeastPrivilege(doc: PolicyDocument, label: string): void {
    for (const st of doc.Statement.filter((s) => s.Effect === "Allow")) {
        for (const a of asList(st.Action)) assert.ok(a !== "*" && !/^[a-z0-9-]+:\*$/.test(a), `${label} ${st.Sid}: wildcard action ${a}`);
        for (const r of asList(st.Resource)) assert.notEqual(r, "*", `${label} ${st.Sid}: "*" resource`);
        assert.ok(asList(st.Resource).length > 0, `${label} ${st.Sid}: no resource`);
    }
}
