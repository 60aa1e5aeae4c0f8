/**
 * Erasure on the local pipeline's lake (LAKE_DIR, layout in the local pipeline's docs/local.md): not built
 * yet. The local pipeline is being built on another branch; once it is merged, this module rewrites each
 * Parquet file holding the person's rows without them (DuckDB COPY to a temp file, fsync, rename, so a
 * crash leaves the old or the new file), the raw/ and errors/ NDJSON files likewise (rewriteRawObject),
 * and appends the audit record to erasures/, using the same predicates (match.ts) as the stack path.
 */
export class LocalErasureUnavailable extends Error {}

export async function eraseLocal(): Promise<never> {
    throw new LocalErasureUnavailable(
        "erase --local is not yet available: it needs the local pipeline (clickstream local / query), which is not merged into this build. " +
        "Fix: erase on a deployed stack with --stack <name>, or update to a build that has `clickstream local`",
    );
}
