/**
 * A bounded memo for hot, repetitive lookups (user agents, pseudonyms). Two generations approximate
 * LRU at the cost of one Map lookup: entries used since the last rotation survive it, the rest are
 * dropped together, so memory stays bounded without per-hit bookkeeping.
 */
export class BoundedCache<V> {
    private young = new Map<string, V>();
    private old = new Map<string, V>();

    /** @param generationSize entries per generation; at most twice this many are held. */
    constructor(private readonly generationSize: number) {}

    get(key: string): V | undefined {
        const hit = this.young.get(key);
        if (hit !== undefined) return hit;
        if (this.old.size === 0) return undefined; // until the first rotation: one lookup per miss
        const aged = this.old.get(key);
        if (aged !== undefined) this.set(key, aged); // promote: recently used entries survive rotation
        return aged;
    }

    set(key: string, value: V): void {
        if (this.young.size >= this.generationSize) {
            this.old = this.young;
            this.young = new Map();
        }
        this.young.set(key, value);
    }

    get size(): number {
        return this.young.size + this.old.size;
    }
}
