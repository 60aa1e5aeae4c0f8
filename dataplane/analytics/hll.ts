/**
 * HyperLogLog distinct counter (Flajolet, Fusy, Gandouet, Meunier 2007, "HyperLogLog: the analysis
 * of a near-optimal cardinality estimation algorithm"), precision p = 12: 4,096 registers, standard
 * error 1.04 / sqrt(4096) ~ 1.6%. Small cardinalities use linear counting, as in the paper and in
 * Heule et al. 2013 ("HyperLogLog in Practice"). Sketches merge by register-wise max, so per-invocation,
 * per-shard and per-part sketches combine without double counting.
 *
 * The serialized form is what lives in the Lambda window state (capped at 1 MB per shard), so it is
 * small: a sparse list of (register, rank) pairs while few registers are set, then the dense
 * registers as base64 (4,096 bytes -> ~5.5 KB).
 */
import { HLL_PRECISION } from "./spec";

const M = 1 << HLL_PRECISION;
const INDEX_MASK = M - 1;
const ALPHA = 0.7213 / (1 + 1.079 / M);
/** Above this many set registers the dense form is smaller than the sparse list. */
const SPARSE_LIMIT = 512;

/** Serialized sketch: sparse (register * 64 + rank) list, or dense base64 registers. */
export type HllState = { s: number[] } | { d: string };

/** MurmurHash3 (x86, 32-bit) of a string's UTF-16 code units: fast, well mixed, deterministic everywhere. */
export function murmur3(text: string, seed: number): number {
    let h = seed >>> 0;
    const len = text.length;
    let i = 0;
    for (; i + 1 < len; i += 2) h = murmurRound(h, murmurBlock(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16)));
    if (i < len) h ^= murmurBlock(text.charCodeAt(i));
    return murmurFinish(h, len);
}

/**
 * murmur3(text, seedA) and murmur3(text, seedB) in one pass, into out[0] and out[1]: the code units are
 * read and scrambled once (the windows' de-duplication hashes each event id with two seeds, seenIds.ts).
 */
export function murmur3Pair(text: string, seedA: number, seedB: number, out: Uint32Array): void {
    let a = seedA >>> 0;
    let b = seedB >>> 0;
    const len = text.length;
    let i = 0;
    for (; i + 1 < len; i += 2) {
        const k = murmurBlock(text.charCodeAt(i) | (text.charCodeAt(i + 1) << 16));
        a = murmurRound(a, k);
        b = murmurRound(b, k);
    }
    if (i < len) {
        const k = murmurBlock(text.charCodeAt(i));
        a ^= k;
        b ^= k;
    }
    out[0] = murmurFinish(a, len);
    out[1] = murmurFinish(b, len);
}

// The steps below stay in this module, unexported: called from here they are inlined, where a call
// from another module goes through the CommonJS interop of tsx and esbuild bundles (a getter a call).

/** MurmurHash3's scrambling of one 32-bit block (two UTF-16 code units; the last odd one alone). */
function murmurBlock(block: number): number {
    let k = Math.imul(block >>> 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    return Math.imul(k, 0x1b873593);
}

/** MurmurHash3's mixing of a scrambled block into the state. */
function murmurRound(h: number, k: number): number {
    h ^= k;
    h = (h << 13) | (h >>> 19);
    return (Math.imul(h, 5) + 0xe6546b64) >>> 0;
}

/** MurmurHash3's finalization of the state after `len` code units. */
function murmurFinish(h: number, len: number): number {
    h ^= len * 2;
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    return h >>> 0;
}

export class HyperLogLog {
    readonly registers: Uint8Array;
    /** Registers that are non-zero: decides the serialized form and bounds its size cheaply. */
    private setCount = 0;

    constructor(registers?: Uint8Array) {
        this.registers = registers ?? new Uint8Array(M);
        if (registers) for (let i = 0; i < M; i++) if (registers[i] !== 0) this.setCount++;
    }

    /** Upper bound of the JSON size of `toState()`, O(1). */
    stateBytesBound(): number {
        return this.setCount <= SPARSE_LIMIT ? 16 + this.setCount * 7 : 16 + Math.ceil(M / 3) * 4;
    }

    /** Adds a value (hashed to 52 bits: 12 for the register, 40 for the rank). */
    add(value: string): void {
        const h1 = murmur3(value, 0x9747b28c);
        const index = h1 & INDEX_MASK;
        const high = h1 >>> HLL_PRECISION; // 20 bits
        let rank: number;
        if (high !== 0) rank = Math.clz32(high) - HLL_PRECISION + 1;
        else {
            // The second hash only decides ranks past the first 20 bits: computed for 1 value in 2^20.
            const h2 = murmur3(value, 0x5bd1e995);
            rank = 32 - HLL_PRECISION + (h2 === 0 ? 33 : Math.clz32(h2) + 1);
        }
        if (rank > this.registers[index]) {
            if (this.registers[index] === 0) this.setCount++;
            this.registers[index] = rank;
        }
    }

    merge(other: HyperLogLog): void {
        for (let i = 0; i < M; i++) {
            if (other.registers[i] > this.registers[i]) {
                if (this.registers[i] === 0) this.setCount++;
                this.registers[i] = other.registers[i];
            }
        }
    }

    estimate(): number {
        let sum = 0;
        let zeros = 0;
        for (let i = 0; i < M; i++) {
            const r = this.registers[i];
            sum += 2 ** -r;
            if (r === 0) zeros++;
        }
        const raw = (ALPHA * M * M) / sum;
        if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros);
        return raw;
    }

    toState(): HllState {
        let set = 0;
        for (let i = 0; i < M; i++) if (this.registers[i] !== 0) set++;
        if (set <= SPARSE_LIMIT) {
            const s: number[] = [];
            for (let i = 0; i < M; i++) if (this.registers[i] !== 0) s.push(i * 64 + this.registers[i]);
            return { s };
        }
        return { d: Buffer.from(this.registers).toString("base64") };
    }

    static fromState(state: HllState | undefined): HyperLogLog {
        if (!state) return new HyperLogLog();
        if ("d" in state) {
            const bytes = Buffer.from(state.d, "base64");
            if (bytes.length !== M) throw new Error(`HyperLogLog state has ${bytes.length} registers, expected ${M}`);
            return new HyperLogLog(new Uint8Array(bytes));
        }
        const registers = new Uint8Array(M);
        for (const packed of state.s) registers[Math.floor(packed / 64)] = packed % 64;
        return new HyperLogLog(registers);
    }
}

