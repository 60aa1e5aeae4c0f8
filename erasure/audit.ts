/**
 * The `erasures` audit record: when, which pseudonyms, what was removed where, and how many rows or
 * records. It never holds a raw id, so the audit table can be kept as long as the law asks.
 */
import { randomUUID } from "crypto";
import type { ErasureSubject, SubjectKind } from "./subject";

/** What happened at one place the pipeline keeps data. */
export interface ErasureStep {
    /** events | bad_rows | aggregates | sessions | raw_backup | error_output | alerts */
    place: string;
    /** How: athena-delete, partition-rewrite, object-rewrite, none (nothing per-person stored), ... */
    method: string;
    /** Rows or records removed (for a dry run: that would be removed). */
    removed: number;
    /** Objects (files) touched. */
    objects?: number;
    /** Why nothing was done, or what remains (snapshot expiry, lifecycle). */
    note?: string;
}

export interface ErasureAuditRecord {
    erasure_id: string;
    requested_at: string;
    completed_at: string;
    target: string;
    dry_run: boolean;
    subjects: { kind: SubjectKind; pseudonym: string }[];
    steps: ErasureStep[];
    rows_removed: number;
}

/** Places that are tables: their removals count as rows_removed (raw records and files do not). */
const TABLE_PLACES = ["events", "bad_rows", "aggregates", "sessions"];

export function newErasureId(): string {
    return randomUUID();
}

export function auditRecord(a: { erasureId: string; requestedAt: Date; completedAt: Date; target: string; dryRun: boolean; subjects: readonly ErasureSubject[]; steps: ErasureStep[] }): ErasureAuditRecord {
    return {
        erasure_id: a.erasureId,
        requested_at: a.requestedAt.toISOString(),
        completed_at: a.completedAt.toISOString(),
        target: a.target,
        dry_run: a.dryRun,
        // Kind and pseudonym only: `raw` is non-enumerable and named nowhere here.
        subjects: a.subjects.map((s) => ({ kind: s.kind, pseudonym: s.pseudonym })),
        steps: a.steps,
        rows_removed: a.steps.filter((s) => TABLE_PLACES.includes(s.place)).reduce((n, s) => n + s.removed, 0),
    };
}

/** The human-readable plan or report (what --dry-run prints). */
export function renderReport(r: ErasureAuditRecord): string {
    const lines = [
        `${r.dry_run ? "Erasure plan (dry run: nothing removed)" : "Erasure done"} ${r.erasure_id} on ${r.target}`,
        ...r.subjects.map((s) => `  subject ${s.kind} pseudonym ${s.pseudonym}`),
    ];
    for (const s of r.steps) {
        lines.push(`  ${s.place.padEnd(13)} ${s.method.padEnd(18)} ${r.dry_run ? "would remove" : "removed"} ${s.removed}${s.objects !== undefined ? ` in ${s.objects} object(s)` : ""}${s.note ? `  (${s.note})` : ""}`);
    }
    return lines.join("\n");
}
