/**
 * Who is erased: the ids a person asked about, turned into the pseudonyms the lake holds. The
 * pseudonym is computed with the transform's own keyed HMAC (`Pseudonymizer`, dataplane/transform/pii.ts)
 * and the same key, so it is byte-for-byte the value the transform wrote into user_id / anonymous_id and
 * into bad rows' payloads. The raw id stays in memory: it is never written, logged or put in a query.
 */
import { Pseudonymizer } from "../dataplane/transform/pii";

export type SubjectKind = "user_id" | "anonymous_id";

/** An erasure request: one or both ids of one person (raw, as the tracker sent them). */
export interface ErasureRequest {
    userId?: string;
    anonymousId?: string;
}

/** One id of the person with its pseudonym. `raw` is needed only to find raw-backup records. */
export interface ErasureSubject {
    kind: SubjectKind;
    pseudonym: string;
    /** The raw id; held in memory for the raw-backup scan only. Non-enumerable so JSON and util.inspect don't print it. */
    readonly raw: string;
}

/** The transform's limit on an id (dataplane/transform/fields.ts optId). */
const MAX_ID_LENGTH = 1024;

/**
 * The subjects of a request, with their pseudonyms under `piiKey`. Throws naming the flag and the fix
 * when no id is given or an id could never have been stored (empty, longer than the transform accepts).
 */
export function erasureSubjects(request: ErasureRequest, piiKey: string | Uint8Array): ErasureSubject[] {
    const pseudonymizer = new Pseudonymizer(piiKey);
    const out: ErasureSubject[] = [];
    for (const [kind, flag, value] of [["user_id", "--user-id", request.userId], ["anonymous_id", "--anonymous-id", request.anonymousId]] as const) {
        if (value === undefined) continue;
        // The transform stores neither an empty id nor one over 1024 characters (it keeps such events as bad rows without the id).
        if (value === "") throw new Error(`erase: ${flag} is empty. Fix: pass the id exactly as the tracker sent it`);
        if (value.length > MAX_ID_LENGTH) throw new Error(`erase: ${flag} is ${value.length} characters; the pipeline never stores ids over ${MAX_ID_LENGTH}. Fix: check the id`);
        const subject = { kind, pseudonym: pseudonymizer.pseudonymize(value) } as ErasureSubject;
        Object.defineProperty(subject, "raw", { value, enumerable: false });
        out.push(subject);
    }
    if (out.length === 0) throw new Error("erase: no id given. Fix: pass --user-id <id> and/or --anonymous-id <id>");
    return out;
}

/** The pseudonyms of the subjects (what may be printed, queried and audited). */
export function pseudonymsOf(subjects: readonly ErasureSubject[]): string[] {
    return subjects.map((s) => s.pseudonym);
}
