/**
 * One alert per anomaly: consecutive anomalous points (as the detector flags them, point by point)
 * form one episode carrying its start, end, peak score and the expected band at the peak. Used by
 * the streaming caller (local pipeline), `clickstream detect` and the benchmark, so all three count
 * alerts the same way.
 *
 * Data-plane code: pure, no I/O.
 */

/** What an episode needs of each scored point (a DetectorResult has all of these). */
export interface ScoredPoint {
    /** Position in the stream (0-based, counting missing points). */
    index: number;
    value: number;
    expected: number;
    score: number;
    anomalous: boolean;
    /** Expected band at this point; defaults to `expected` when absent. */
    lower?: number;
    upper?: number;
}

export interface Episode<P extends ScoredPoint = ScoredPoint> {
    /** First and last anomalous point. */
    first: P;
    last: P;
    /** The point with the largest |score|. */
    peak: P;
    /** Anomalous points in the episode. */
    points: number;
    direction: "up" | "down";
}

export interface EpisodeTrackerOptions {
    /**
     * Normal points (or missing points) that close an episode. 1 = strictly consecutive flags. Defaults to 1:
     * the detector's own re-baselining already keeps one shift in one run of flags.
     */
    closeAfter?: number;
}

/**
 * Groups flagged points into episodes, streaming: `push` each scored point in order; it returns an
 * episode when one closes. `flush` closes the open one at the end of a stream.
 */
export class EpisodeTracker<P extends ScoredPoint = ScoredPoint> {
    private readonly closeAfter: number;
    private open: Episode<P> | null = null;

    constructor(options: EpisodeTrackerOptions = {}) {
        const closeAfter = options.closeAfter ?? 1;
        if (!Number.isInteger(closeAfter) || closeAfter < 1) throw new Error(`closeAfter must be a positive integer (normal points that end an episode), got ${closeAfter}`);
        this.closeAfter = closeAfter;
    }

    /** Adds the next scored point (indexes increasing; a jump in index is missing points). Returns the episode it closes, if any. */
    push(point: P): Episode<P> | null {
        let closed: Episode<P> | null = null;
        if (this.open) {
            // `closeAfter` normal or missing points after the last flag end the episode.
            const since = point.index - this.open.last.index;
            if (point.anomalous ? since > this.closeAfter : since >= this.closeAfter) closed = this.close();
        }
        if (!point.anomalous) return closed;
        const ep = this.open;
        if (!ep) {
            this.open = { first: point, last: point, peak: point, points: 1, direction: point.score > 0 ? "up" : "down" };
        } else {
            ep.last = point;
            ep.points++;
            if (Math.abs(point.score) > Math.abs(ep.peak.score)) {
                ep.peak = point;
                ep.direction = point.score > 0 ? "up" : "down";
            }
        }
        return closed;
    }

    /** Closes and returns the open episode (end of stream), if any. */
    flush(): Episode<P> | null {
        return this.open ? this.close() : null;
    }

    /** The episode still open (its last point may not be final), if any. */
    get current(): Readonly<Episode<P>> | null {
        return this.open;
    }

    private close(): Episode<P> {
        const ep = this.open!;
        this.open = null;
        return ep;
    }
}

/** Episodes of a whole scored series. */
export function groupEpisodes<P extends ScoredPoint>(points: Iterable<P>, options?: EpisodeTrackerOptions): Episode<P>[] {
    const tracker = new EpisodeTracker<P>(options);
    const out: Episode<P>[] = [];
    for (const p of points) {
        const closed = tracker.push(p);
        if (closed) out.push(closed);
    }
    const last = tracker.flush();
    if (last) out.push(last);
    return out;
}
