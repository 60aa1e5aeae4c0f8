/**
 * Firehose destination buffering defaults of the lake: FirehoseLake uses them for the delivery
 * stream, and the local pipeline buffers the same way (a file per interval or per size, whichever
 * comes first). Data-plane module: no Pulumi.
 */
export const FIREHOSE_BUFFERING_DEFAULTS = {
    /** Seconds buffered before a Parquet file is written. */
    intervalSeconds: 60,
    /** MiB buffered before a Parquet file is written. */
    sizeMiB: 64,
} as const;
