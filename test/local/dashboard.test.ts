/// <reference lib="dom" />
/**
 * The local dashboard in a real headless browser: the system's Chromium (Debian's `chromium`,
 * installed by .ci/run when missing) driven by puppeteer-core. A recorded day with a spike and two
 * bad events is replayed into a temp lake, `clickstream local` serves it on a free loopback port, and
 * the page must load without console errors, draw the replayed data (compared with SQL run here
 * over the same lake, and pixels of the series' colours on the canvases), and show a newly posted
 * event within a few seconds. The screenshot goes to test-artifacts/dashboard.png.
 */
import { strict as assert } from "assert";
import { accessSync, constants as fsc, promises as fsp } from "fs";
import * as path from "path";
import puppeteer, { Browser, Page } from "puppeteer-core";
import { spikeTraffic } from "../../examples/spike/generate";
import { queryLake } from "../../local/query";
import { runLocal } from "../../local/run";
import { capturedOutput, LocalUnderTest, postJson, startLocal, tempLakeDir } from "./localHarness";
import { REPO_ROOT } from "./localProcess";

const ARTIFACT = path.join(REPO_ROOT, "test-artifacts", "dashboard.png");

/** CHROMIUM_PATH, else `chromium` / `chromium-browser` on PATH; a clear failure (not a skip) when absent. */
function chromiumPath(): string {
    const candidates = process.env.CHROMIUM_PATH
        ? [process.env.CHROMIUM_PATH]
        : (process.env.PATH ?? "").split(path.delimiter).flatMap((dir) => ["chromium", "chromium-browser"].map((n) => path.join(dir, n)));
    for (const c of candidates) {
        try {
            accessSync(c, fsc.X_OK);
            return c;
        } catch {
            // next
        }
    }
    throw new Error("Chromium not found (the dashboard test needs a real browser): install it with `apt-get update && apt-get install -y chromium` (.ci/run does this when `command -v chromium` fails), or set CHROMIUM_PATH to a Chromium binary");
}

/** Pixels of a canvas close to an RGB colour (the series' stroke/fill), counted in the browser. */
function countColour(page: Page, selector: string, rgb: [number, number, number]): Promise<number> {
    return page.evaluate((sel: string, [r, g, b]: [number, number, number]) => {
        const canvas = document.querySelector(sel) as HTMLCanvasElement | null;
        if (!canvas) return -1;
        const data = canvas.getContext("2d")!.getImageData(0, 0, canvas.width, canvas.height).data;
        let n = 0;
        for (let i = 0; i < data.length; i += 4) {
            if (data[i + 3] > 0 && Math.abs(data[i] - r) < 40 && Math.abs(data[i + 1] - g) < 40 && Math.abs(data[i + 2] - b) < 40) n++;
        }
        return n;
    }, selector, rgb);
}

describe("local dashboard in headless Chromium", function () {
    this.timeout(90_000);
    const dirs: string[] = [];
    let local: LocalUnderTest | undefined;
    let browser: Browser | undefined;

    after(async () => {
        await browser?.close();
        await local?.pipeline.stop();
        for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
    });

    it("draws a replayed recording, updates live, and puts no ids on the page", async () => {
        const executablePath = chromiumPath();
        const lakeDir = await tempLakeDir("dashboard-");
        dirs.push(lakeDir);
        const recording = `${lakeDir}-recording.ndjson`;
        dirs.push(recording);
        // The spike example's 26 hours (the detector warms up for a day, then flags the spike) plus
        // one request with two events the transform rejects (no event name).
        const { envelopes, spikeMinute } = spikeTraffic();
        const lastArrival = envelopes[envelopes.length - 1].receivedAt;
        envelopes.push({
            v: 1, receivedAt: lastArrival + 1000, sourceIp: "203.0.113.10", userAgent: "dashboard-test/1.0", path: "/v1/events", requestId: "dashboard-bad",
            body: { sentAt: new Date(lastArrival + 1000).toISOString(), events: [{ eventId: "bad-1", type: "track" }, { eventId: "bad-2", type: "track" }] },
        });
        await fsp.writeFile(recording, envelopes.map((e) => JSON.stringify(e)).join("\n") + "\n");
        assert.equal(await runLocal({ replay: recording, lakeDir, bufferInterval: "600", stdout: capturedOutput() }), 0);

        // Expected figures, by SQL over the same lake (not through the dashboard's queries).
        const q = async (sql: string) => (await queryLake(lakeDir, sql)).rows;
        // Sessions and active users per day come from the modeled tables, which the replay ran for every day.
        const daily = await q(`SELECT strftime(s.event_date, '%Y-%m-%d') AS day, count(*) AS sessions,
            (SELECT dau_anonymous FROM daily_users u WHERE u.event_date = s.event_date) AS users FROM sessions s GROUP BY s.event_date ORDER BY 1`);
        const rawDays = await q("SELECT count(DISTINCT CAST(event_time AS DATE)) AS n FROM events WHERE event_type <> 'bad_row'");
        assert.equal(daily.length, Number(rawDays[0].n), "every event-time day of the replay was modeled");
        const pages = await q(`SELECT page_path, count(*) AS n FROM events WHERE event_type = 'page' GROUP BY 1 ORDER BY n DESC, page_path`);
        const badReasons = await q("SELECT bad_reason, count(*) AS n FROM bad_rows GROUP BY 1 ORDER BY n DESC, bad_reason");
        const alertCount = Number((await q("SELECT count(*) AS n FROM alerts"))[0].n);
        assert.ok(alertCount >= 1, "the replay flagged the spike");

        local = await startLocal(lakeDir, { bufferInterval: "0.5" });
        browser = await puppeteer.launch({ executablePath, headless: true, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
        const page = await browser.newPage();
        await page.setViewport({ width: 1280, height: 1100 });
        const consoleErrors: string[] = [];
        page.on("console", (m) => {
            if (m.type() === "error") consoleErrors.push(m.text());
        });
        page.on("pageerror", (e) => consoleErrors.push(String(e)));
        page.on("requestfailed", (r) => consoleErrors.push(`request failed: ${r.url()}`));
        const apiBodies: string[] = [];
        page.on("response", async (r) => {
            if (r.url().includes("/api/dashboard/")) apiBodies.push(await r.text().catch(() => ""));
        });

        await page.goto(`${local.url}/`, { waitUntil: "load", timeout: 15_000 });
        await page.waitForFunction("window.dashboard && window.dashboard.updates >= 1", { timeout: 20_000 });
        assert.deepEqual(consoleErrors, []);

        // Events per minute: the chart's data is the API's, and its total is the lake's count for those minutes.
        const live = await page.evaluate(() => {
            const u = (window as any).dashboard.charts["chart-live"];
            return { x: Array.from(u.data[0]) as number[], events: Array.from(u.data[1]) as number[] };
        });
        assert.equal(live.x.length, 60);
        const liveFrom = new Date(live.x[0] * 1000).toISOString();
        const liveTo = new Date((live.x[59] + 60) * 1000).toISOString();
        const liveCount = Number((await q(`SELECT count(*) AS n FROM events WHERE event_type <> 'bad_row'
            AND coalesce(event_time, received_at) >= TIMESTAMP '${liveFrom.slice(0, 19)}' AND coalesce(event_time, received_at) < TIMESTAMP '${liveTo.slice(0, 19)}'`))[0].n);
        assert.ok(liveCount > 400, `the last hour of the recording holds the spike (${liveCount} events)`);
        assert.equal(live.events.reduce((a, b) => a + b, 0), liveCount);
        assert.equal(live.events[live.x.indexOf(spikeMinute / 1000)], 400, "the spike minute is a 400-event bar");
        assert.ok((await countColour(page, "#chart-live canvas", [76, 120, 168])) > 200, "event bars are drawn on the canvas");

        // The window metric: a value per minute, the band after the day of warm-up, the spike flagged in red.
        const band = await page.evaluate(() => {
            const u = (window as any).dashboard.charts["chart-band"];
            const d = u.data as Array<Array<number | null>>;
            return { x: Array.from(d[0]) as number[], values: Array.from(d[1]) as number[], upper: Array.from(d[4]) as Array<number | null>, flagged: Array.from(d[5]) as Array<number | null> };
        });
        const spikeAt = band.x.indexOf(spikeMinute / 1000);
        assert.ok(spikeAt >= 0, "the spike window is on the chart");
        assert.equal(band.values[spikeAt], 400);
        assert.equal(band.flagged[spikeAt], 400, "the spike is marked as flagged");
        assert.ok(band.upper[spikeAt] !== null && band.upper[spikeAt]! < 400, "the spike is above the band");
        assert.equal(band.upper[0], null, "no band during the detector's warm-up");
        assert.ok((await countColour(page, "#chart-band canvas", [228, 87, 86])) > 20, "the flagged point is drawn");

        // Sessions and active users per day.
        const dailyChart = await page.evaluate(() => {
            const u = (window as any).dashboard.charts["chart-daily"];
            return { x: Array.from(u.data[0]) as number[], sessions: Array.from(u.data[1]) as number[], users: Array.from(u.data[2]) as number[] };
        });
        assert.deepEqual(dailyChart.x.map((s) => new Date(s * 1000).toISOString().slice(0, 10)), daily.map((r) => r.day));
        assert.deepEqual(dailyChart.sessions, daily.map((r) => Number(r.sessions)));
        assert.deepEqual(dailyChart.users, daily.map((r) => Number(r.users)));

        // Top pages, bad rows, alerts.
        // (A string, not a function: tsx would wrap a named inner function in a helper the page lacks.)
        const tables = (await page.evaluate(`(() => {
            const rows = (id) => Array.from(document.querySelectorAll("#" + id + " tr")).map((tr) => Array.from(tr.querySelectorAll("td")).map((td) => td.textContent));
            return { pages: rows("top-pages"), bad: rows("bad-rows"), alerts: rows("alerts") };
        })()`)) as { pages: string[][]; bad: string[][]; alerts: string[][] };
        assert.deepEqual(tables.pages.map((r) => [r[0], Number(r[1])]), pages.map((r) => [r.page_path, Number(r.n)]));
        assert.deepEqual(tables.bad.map((r) => [r[0], Number(r[1])]), badReasons.map((r) => [r.bad_reason, Number(r.n)]));
        assert.equal(badReasons.reduce((a, r) => a + Number(r.n), 0), 2, "both rejected events are counted");
        assert.equal(tables.alerts.length - 1, Math.min(alertCount, 20), "one row per alert after the header");
        assert.ok(tables.alerts.some((r) => r[0]?.startsWith(new Date(spikeMinute).toISOString().slice(0, 16).replace("T", " ")) && r[1] === "events_per_minute.count"));

        // Aggregates only: no pseudonymized id (64 hex digits) or client id in the page or its data.
        const text = await page.evaluate(() => document.body.innerText);
        for (const body of [text, ...apiBodies]) {
            assert.doesNotMatch(body, /[0-9a-f]{64}|visitor-|session-\d/);
        }

        // A new event appears on the live chart within a few seconds (its minute had none: the recording ends earlier).
        const posted = Date.now();
        const res = await postJson(`${local.url}/v1/events`, { events: [{ eventId: "dashboard-live-1", type: "page", anonymousId: "live-visitor", page: { path: "/live" } }] });
        assert.equal(res.status, 200);
        await page.waitForFunction((minute: number) => {
            const d = (window as any).dashboard.data["events-per-minute"];
            // The event's minute, or the next one if the clock turned meanwhile.
            return [minute, minute + 60_000].some((m) => d.events[d.minutes.indexOf(m)] >= 1);
        }, { timeout: 10_000, polling: 200 }, Math.floor(posted / 60_000) * 60_000);
        const seenAfterMs = Date.now() - posted;
        assert.ok(seenAfterMs < 10_000);

        // Only fixed paths are served: an unknown data name is a 404 naming the valid ones; ingest routes keep their answers.
        const unknown = await fetch(`${local.url}/api/dashboard/events`);
        assert.equal(unknown.status, 404);
        assert.match(((await unknown.json()) as { error: string }).error, /events-per-minute/);
        assert.equal((await fetch(`${local.url}/v1/events`)).status, 405);
        assert.equal((await fetch(`${local.url}/local/dashboard/queries.ts`)).status, 404);

        await fsp.mkdir(path.dirname(ARTIFACT), { recursive: true });
        await page.screenshot({ path: ARTIFACT as `${string}.png`, fullPage: true });
        assert.deepEqual(consoleErrors, []);
    });
});
