import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { decodeWalSegment, encodeWalRecord, WalEntry, WalEntryReader, WriteAheadLog } from "../../local/wal";

describe("local write-ahead log", () => {
    let dir: string;
    beforeEach(async () => {
        dir = await fsp.mkdtemp(path.join(os.tmpdir(), "wal-test-"));
    });
    afterEach(async () => {
        await fsp.rm(dir, { recursive: true, force: true });
    });

    it("group-commits concurrent appends: fewer fdatasyncs than records, sequence numbers in append order", async () => {
        const { wal, pending } = await WriteAheadLog.open(dir, 0);
        assert.equal(pending.length, 0);
        const entries = await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(Buffer.from(`record-${i}`))));
        assert.deepEqual(entries.map((e) => e.seq), Array.from({ length: 200 }, (_, i) => i + 1));
        assert.equal(wal.stats.appends, 200);
        assert.ok(wal.stats.syncs < 200 && wal.stats.syncs >= 1, `syncs ${wal.stats.syncs}`);
        await wal.close();
        const reopened = await WriteAheadLog.open(dir, 0);
        assert.deepEqual(reopened.pending.map((r) => r.data.toString()), Array.from({ length: 200 }, (_, i) => `record-${i}`));
        assert.equal(reopened.wal.nextSequence, 201);
        await reopened.wal.close();
    });

    it("writes an envelope given in pieces as the same record as its concatenation, and replays it whole", async () => {
        const pieces = [Buffer.from('{"v":1,"receivedAt":1,"body":'), Buffer.from('{"events":[{"name":"é€💡"}]}'), Buffer.from("}")];
        const whole = Buffer.concat(pieces);
        const { wal } = await WriteAheadLog.open(dir, 0);
        // Concurrent appends share one group write: pieces and whole buffers interleave in one writev.
        assert.deepEqual((await Promise.all([wal.append(pieces), wal.append(whole), wal.append([]), wal.append(pieces)])).map((e) => e.seq), [1, 2, 3, 4]);
        await wal.close();
        const [segment] = await fsp.readdir(dir);
        const bytes = await fsp.readFile(path.join(dir, segment));
        assert.deepEqual(bytes, Buffer.concat([encodeWalRecord(1, whole), encodeWalRecord(2, whole), encodeWalRecord(3, Buffer.alloc(0)), encodeWalRecord(4, whole)]));
        assert.deepEqual(encodeWalRecord(1, pieces), encodeWalRecord(1, whole));
        const reopened = await WriteAheadLog.open(dir, 0);
        assert.deepEqual(reopened.pending.map((r) => r.data.toString("utf8")), [whole, whole, Buffer.alloc(0), whole].map((b) => b.toString("utf8")));
        await reopened.wal.close();
    });

    it("replays only records after the delivered sequence number, and continues numbering after the highest", async () => {
        const { wal } = await WriteAheadLog.open(dir, 0);
        for (let i = 0; i < 10; i++) await wal.append(Buffer.from(String(i)));
        await wal.close();
        const { wal: again, pending } = await WriteAheadLog.open(dir, 7);
        assert.deepEqual(pending.map((r) => r.seq), [8, 9, 10]);
        assert.equal((await again.append(Buffer.from("next"))).seq, 11);
        await again.close();
        // Everything delivered: nothing pending, numbering still continues.
        const { wal: third, pending: none } = await WriteAheadLog.open(dir, 11);
        assert.equal(none.length, 0);
        assert.equal(third.nextSequence, 12);
        await third.close();
    });

    it("cuts a torn tail record (a crash mid-write) and keeps every whole record before it", async () => {
        const { wal } = await WriteAheadLog.open(dir, 0);
        await wal.append(Buffer.from("first"));
        await wal.append(Buffer.from("second"));
        await wal.close();
        const [segment] = (await fsp.readdir(dir)).filter((n) => n.endsWith(".log"));
        const file = path.join(dir, segment);
        const whole = (await fsp.stat(file)).size;
        const torn = encodeWalRecord(3, Buffer.from("third, never acknowledged")).subarray(0, 20);
        await fsp.appendFile(file, torn);
        const { wal: reopened, pending, truncatedBytes } = await WriteAheadLog.open(dir, 0);
        assert.deepEqual(pending.map((r) => r.data.toString()), ["first", "second"]);
        assert.equal(truncatedBytes, 20);
        assert.equal((await fsp.stat(file)).size, whole);
        // The next record follows the whole ones and survives another reopen.
        assert.equal((await reopened.append(Buffer.from("third"))).seq, 3);
        await reopened.close();
        const last = await WriteAheadLog.open(dir, 0);
        assert.deepEqual(last.pending.map((r) => r.data.toString()), ["first", "second", "third"]);
        await last.wal.close();
    });

    it("reads records back by their entries, across rotated segments and after a reopen, and refuses an entry that is not the record there", async () => {
        const { wal } = await WriteAheadLog.open(dir, 0, { segmentBytes: 200 });
        const payloads = Array.from({ length: 30 }, (_, i) => Buffer.from(`{"n":${i},"text":"${"é€💡".repeat(i % 5)}"}`));
        // Concurrent appends (group writes) then single ones, so spans hold several records and segments roll.
        const entries: WalEntry[] = [...await Promise.all(payloads.slice(0, 15).map((p) => wal.append(p)))];
        for (const p of payloads.slice(15)) entries.push(await wal.append(p));
        assert.ok(new Set(entries.map((e) => e.file)).size >= 3, "the records span several segments");
        const reader = new WalEntryReader();
        assert.deepEqual(reader.read(entries).map((b) => b.toString("utf8")), payloads.map((p) => p.toString("utf8")));
        // A later, smaller read reuses the buffer; a subset with gaps reads only its records.
        const some = [entries[2], entries[3], entries[17], entries[29]];
        assert.deepEqual(reader.read(some).map((b) => b.toString("utf8")), [2, 3, 17, 29].map((i) => payloads[i].toString("utf8")));
        await wal.close();
        const reopened = await WriteAheadLog.open(dir, 10, { segmentBytes: 200 });
        assert.deepEqual(reader.read(reopened.pending).map((b) => b.toString("utf8")), payloads.slice(10).map((p) => p.toString("utf8")));
        await reopened.wal.close();
        assert.throws(() => reader.read([{ ...entries[4], seq: 99 }]), /is not request 99/);
        assert.throws(() => reader.read([{ ...entries[4], offset: entries[4].offset + 1 }]), /is not request 5/);
    });

    it("rejects a record whose checksum does not match (a corrupt tail is not replayed)", () => {
        const a = encodeWalRecord(1, Buffer.from("good"));
        const b = encodeWalRecord(2, Buffer.from("flipped"));
        b[b.length - 1] ^= 0xff;
        const { records, validBytes } = decodeWalSegment(Buffer.concat([a, b]));
        assert.deepEqual(records.map((r) => r.data.toString()), ["good"]);
        assert.equal(validBytes, a.length);
    });

    it("rotates segments and releases the ones wholly delivered", async () => {
        const { wal } = await WriteAheadLog.open(dir, 0, { segmentBytes: 100 });
        for (let i = 0; i < 12; i++) await wal.append(Buffer.alloc(40, i));
        const before = (await fsp.readdir(dir)).filter((n) => n.endsWith(".log")).length;
        assert.ok(before >= 4, `segments ${before}`);
        await wal.release(12);
        const after = (await fsp.readdir(dir)).filter((n) => n.endsWith(".log"));
        assert.equal(after.length, 1, "only the segment being written remains");
        await wal.close();
        const { pending, wal: reopened } = await WriteAheadLog.open(dir, 12, { segmentBytes: 100 });
        assert.equal(pending.length, 0);
        await reopened.close();
    });

    it("rejects the appends of a failed write instead of acknowledging them", async () => {
        const { wal } = await WriteAheadLog.open(dir, 0);
        // Simulate the disk failing under the log: the file handle is closed behind its back.
        await (wal as unknown as { handle: { close(): Promise<void> } }).handle.close();
        await assert.rejects(wal.append(Buffer.from("lost?")));
    });
});
