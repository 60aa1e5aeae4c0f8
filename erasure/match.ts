/**
 * Which stored rows belong to the person, as pure functions and as the SQL Athena (and DuckDB) runs.
 * Both say the same thing, and the property test checks the function against the transform:
 *
 * - a good row belongs to a subject when its user_id or anonymous_id (by the subject's kind) EQUALS the
 *   subject's pseudonym: 64 hex digits, so no prefix, case or Unicode variant of another id can match;
 * - so does any row one of whose properties/context values EQUALS one of the person's pseudonyms: the
 *   transform pseudonymizes identity keys in the maps (userId, previousId of an alias, traits ids), so an
 *   alias event linking the person's anonymous id to a user id is theirs too;
 * - a bad row (event_type = 'bad_row') belongs to it when its bad_payload CONTAINS one of the person's
 *   pseudonyms: the transform pseudonymizes identity keys (userId, anonymousId, previousId, ...) inside
 *   bad payloads, and a 64-hex-digit HMAC appears in another person's payload only by collision;
 * - an aggregates row belongs to it when one of its group values is a pseudonym (a window spec that
 *   groups by a person column makes per-person rows); rows of other groups keep their counts.
 */
import type { EventRow } from "../dataplane/schema";
import type { ErasureSubject } from "./subject";

/** A pseudonym as the transform writes it: HMAC-SHA256 in lower-case hex. */
const PSEUDONYM = /^[0-9a-f]{64}$/;

function checked(subjects: readonly ErasureSubject[]): readonly ErasureSubject[] {
    if (subjects.length === 0) throw new Error("erasure: no subjects");
    for (const s of subjects) {
        // Everything that reaches SQL passes this check: the predicate cannot be widened by its input.
        if (!PSEUDONYM.test(s.pseudonym)) throw new Error(`erasure: "${s.pseudonym}" is not a pseudonym (64 lower-case hex digits)`);
    }
    return subjects;
}

type LakeRowFields = Pick<EventRow, "event_type" | "user_id" | "anonymous_id" | "bad_payload"> & Partial<Pick<EventRow, "properties" | "context">>;

/** True when the events-table row (good or bad) belongs to one of the subjects. */
export function eventRowBelongsTo(row: LakeRowFields, subjects: readonly ErasureSubject[]): boolean {
    for (const s of checked(subjects)) {
        if (row[s.kind] === s.pseudonym) return true;
        if (Object.values(row.properties ?? {}).includes(s.pseudonym) || Object.values(row.context ?? {}).includes(s.pseudonym)) return true;
        if (row.event_type === "bad_row" && typeof row.bad_payload === "string" && row.bad_payload.includes(s.pseudonym)) return true;
    }
    return false;
}

/** True when an aggregates row is a group of one of the subjects. */
export function aggregateRowBelongsTo(row: { group_values: Record<string, string> | null }, subjects: readonly ErasureSubject[]): boolean {
    const values = Object.values(row.group_values ?? {});
    return checked(subjects).some((s) => values.includes(s.pseudonym));
}

/** SQL (Athena/Trino and DuckDB) for `eventRowBelongsTo`. */
export function eventRowPredicateSql(subjects: readonly ErasureSubject[]): string {
    return checked(subjects)
        .map((s) => `(${s.kind} = '${s.pseudonym}' OR contains(map_values(properties), '${s.pseudonym}') OR contains(map_values(context), '${s.pseudonym}')` +
            ` OR (event_type = 'bad_row' AND strpos(bad_payload, '${s.pseudonym}') > 0))`)
        .join(" OR ");
}

/** SQL (Athena/Trino) for `aggregateRowBelongsTo`. */
export function aggregateRowPredicateSql(subjects: readonly ErasureSubject[]): string {
    return checked(subjects).map((s) => `contains(map_values(group_values), '${s.pseudonym}')`).join(" OR ");
}

/**
 * SQL (Athena/Trino and DuckDB) for the person's rows of the `sessions` model: a session belongs to a
 * subject when its anonymous_id or user_id (by the subject's kind, as for events) EQUALS the pseudonym.
 * The other models hold counts only (no ids), so sessions is the one model table erasure deletes from.
 */
export function sessionRowPredicateSql(subjects: readonly ErasureSubject[]): string {
    return checked(subjects).map((s) => `${s.kind} = '${s.pseudonym}'`).join(" OR ");
}
