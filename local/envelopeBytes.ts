/**
 * A request envelope's bytes as the HTTP thread holds them: one buffer, or pieces whose concatenation
 * is the envelope (the server's head, the request body's own bytes, the closing brace). Pieces let
 * the write-ahead log write the body straight from the socket's buffer and the delivery copy it once
 * into the worker's transfer buffer, instead of building a third copy per request on the HTTP thread.
 */
export type EnvelopeBytes = Buffer | readonly Buffer[];

/** Total bytes of an envelope. */
export function envelopeLength(envelope: EnvelopeBytes): number {
    if (Buffer.isBuffer(envelope)) return envelope.length;
    let total = 0;
    for (const part of envelope) total += part.length;
    return total;
}

/** The envelope as pieces (a lone buffer is one piece). */
export function envelopePieces(envelope: EnvelopeBytes): readonly Buffer[] {
    return Buffer.isBuffer(envelope) ? [envelope] : envelope;
}

/** The envelope as one buffer (copies only when it is in pieces). */
export function envelopeBuffer(envelope: EnvelopeBytes): Buffer {
    if (Buffer.isBuffer(envelope)) return envelope;
    return envelope.length === 1 ? envelope[0] : Buffer.concat(envelope as Buffer[]);
}
