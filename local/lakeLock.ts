/**
 * One writer per lake: `clickstream local` and `clickstream erase --local` each hold LAKE_DIR/local.lock
 * (created with O_EXCL, holding the owner's pid) while they write. Erasure needs this: while a pipeline
 * runs, events it acknowledged sit in its write-ahead log and buffer and would reach the lake after the
 * erase, and its deliveries would race the file rewrites. A lock left by a process that died (kill -9,
 * power cut) names a pid that no longer runs and is taken over.
 */
import { constants as fsc, promises as fsp } from "fs";
import * as path from "path";

/** The lock file inside LAKE_DIR. */
export const LAKE_LOCK_FILE = "local.lock";

interface LockContent {
    pid: number;
    command: string;
    since: string;
}

export class LakeLockedError extends Error {}

function running(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        // EPERM: the process exists but belongs to someone else.
        return (e as NodeJS.ErrnoException).code === "EPERM";
    }
}

/** The lock's holder, when a running process holds it. */
export async function lakeLockHolder(lakeDir: string): Promise<LockContent | undefined> {
    let content: LockContent;
    try {
        content = JSON.parse(await fsp.readFile(path.join(lakeDir, LAKE_LOCK_FILE), "utf8")) as LockContent;
    } catch {
        return undefined;
    }
    return Number.isInteger(content.pid) && running(content.pid) ? content : undefined;
}

/**
 * Takes the lake's lock for `command` (e.g. "clickstream local"); resolves with its release. Throws
 * LakeLockedError naming the holder and the fix when a running process holds it.
 */
export async function acquireLakeLock(lakeDir: string, command: string): Promise<() => Promise<void>> {
    const file = path.join(lakeDir, LAKE_LOCK_FILE);
    const content: LockContent = { pid: process.pid, command, since: new Date().toISOString() };
    for (let attempt = 0; ; attempt++) {
        try {
            const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o644);
            try {
                await handle.writeFile(JSON.stringify(content) + "\n");
                await handle.sync();
            } finally {
                await handle.close();
            }
            let released = false;
            return async () => {
                if (released) return;
                released = true;
                await fsp.rm(file, { force: true });
            };
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw e;
        }
        const holder = await lakeLockHolder(lakeDir);
        if (holder) {
            throw new LakeLockedError(
                `${command}: ${holder.command} (pid ${holder.pid}, since ${holder.since}) is using the lake ${lakeDir}. ` +
                "Fix: stop it first (Ctrl-C / SIGTERM: it delivers everything it acknowledged, then exits), then run this again",
            );
        }
        // Left by a process that is gone: take it over.
        await fsp.rm(file, { force: true });
    }
}
