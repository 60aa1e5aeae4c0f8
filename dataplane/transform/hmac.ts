/**
 * HMAC-SHA256 (RFC 2104) as hex, for many short messages under one key: the pseudonyms and
 * deterministic ids of a batch.
 *
 * Why not `createHmac` per message: building Node's Hmac object costs ~3 µs, most of a pseudonym's
 * price and about a fifth of a cold batch's row building. With the key's inner and outer pad blocks
 * computed once, HMAC is two one-shot hashes, H(opad || H(ipad || message)), and `crypto.hash`
 * (Node >= 20.12; the Lambda runtime is Node 22) does each for ~0.5 µs.
 *
 * `crypto.hash` reads a string as UTF-8, so ipad and the message go in as one string. That is exact only
 * when every pad byte is ASCII, i.e. the key is ASCII of at most 64 bytes (the generated default key is
 * 64 alphanumerics). Any other key, or a Node without `crypto.hash`, uses `createHmac`: same output.
 */
import * as crypto from "crypto";

/** SHA-256 block size: keys up to this length are padded, longer ones hashed (RFC 2104). */
const BLOCK = 64;
const DIGEST = 32;

export type HexHmac = (message: string) => string;

export function hmacSha256Hex(key: Uint8Array): HexHmac {
    const hash = (crypto as { hash?: typeof crypto.hash }).hash;
    if (typeof hash !== "function" || key.length > BLOCK || !key.every((b) => b < 0x80)) {
        const keyObject = crypto.createSecretKey(Buffer.from(key));
        return (message) => crypto.createHmac("sha256", keyObject).update(message, "utf8").digest("hex");
    }
    const ipad = Buffer.alloc(BLOCK, 0x36);
    const outer = Buffer.alloc(BLOCK + DIGEST, 0x5c);
    for (let i = 0; i < key.length; i++) {
        ipad[i] ^= key[i];
        outer[i] ^= key[i];
    }
    const ipadText = ipad.toString("latin1"); // ASCII: its UTF-8 is these same 64 bytes
    return (message) => {
        // The inner digest as "binary" (latin1) text: one character per byte, written back byte for byte after opad.
        outer.write(hash("sha256", ipadText + message, "binary"), BLOCK, "binary");
        return hash("sha256", outer, "hex");
    };
}
