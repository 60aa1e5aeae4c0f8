// The local dashboard: polls /api/dashboard/* (local/dashboard/routes.ts) and draws with uPlot
// (served from node_modules by the local server). Plain browser JavaScript, no build step.
// window.dashboard exposes the charts and the last data received, for the browser test.
"use strict";
(function () {
    const LIVE_EVERY_MS = 2000;
    const OTHERS_EVERY_MS = 10000;
    const state = { charts: {}, data: {}, updates: 0, errors: 0 };
    window.dashboard = state;

    const sec = (ms) => ms / 1000;
    const width = (el) => Math.max(300, el.clientWidth);
    const status = document.getElementById("status");

    async function getJson(name) {
        const res = await fetch("/api/dashboard/" + name, { cache: "no-store" });
        const body = await res.json();
        if (!res.ok) throw new Error(name + ": " + (body.error || res.status));
        state.data[name] = body;
        return body;
    }

    function chart(id, opts, data) {
        const el = document.getElementById(id);
        if (state.charts[id]) {
            state.charts[id].setData(data);
            return;
        }
        state.charts[id] = new uPlot(Object.assign({ width: width(el), height: 220 }, opts), data, el);
    }

    function drawLive(d) {
        chart("chart-live", {
            series: [
                {},
                { label: "events", stroke: "#4c78a8", fill: "rgba(76,120,168,0.5)", paths: uPlot.paths.bars({ size: [0.7, 40] }) },
                { label: "bad rows", stroke: "#e45756", fill: "rgba(228,87,86,0.6)", paths: uPlot.paths.bars({ size: [0.35, 20] }) },
            ],
            scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        }, [d.minutes.map(sec), d.events, d.badRows]);
    }

    function drawBand(d) {
        const flagged = new Map(d.flagged.map((f) => [f.window, f.value]));
        const marks = d.windows.map((w) => (flagged.has(w) ? flagged.get(w) : null));
        chart("chart-band", {
            series: [
                {},
                { label: "value", stroke: "#1d232b", width: 1 },
                { label: "expected", stroke: "#59a14f", width: 1, dash: [4, 4] },
                { label: "band low", stroke: "rgba(89,161,79,0.4)", width: 1 },
                { label: "band high", stroke: "rgba(89,161,79,0.4)", width: 1 },
                { label: "flagged", stroke: "#e45756", paths: () => null, points: { show: true, size: 9, fill: "#e45756", stroke: "#e45756" } },
            ],
            bands: [{ series: [4, 3], fill: "rgba(89,161,79,0.15)" }],
        }, [d.windows.map(sec), d.values, d.expected, d.lower, d.upper, marks]);
    }

    function drawDaily(rows) {
        chart("chart-daily", {
            series: [
                {},
                { label: "sessions", stroke: "#4c78a8", width: 2, points: { show: true } },
                { label: "active users", stroke: "#f58518", width: 2, points: { show: true } },
            ],
            scales: { y: { range: (u, min, max) => [0, Math.max(1, max)] } },
        }, [rows.map((r) => sec(Date.parse(r.day + "T00:00:00Z"))), rows.map((r) => r.sessions), rows.map((r) => r.users)]);
    }

    function cell(tr, text, cls) {
        const td = document.createElement("td");
        td.textContent = text;
        if (cls) td.className = cls;
        tr.appendChild(td);
        return td;
    }

    function barTable(id, rows, label, value) {
        const table = document.getElementById(id);
        table.replaceChildren();
        if (rows.length === 0) {
            cell(table.insertRow(), "none yet", "empty");
            return;
        }
        const max = Math.max(...rows.map(value));
        for (const r of rows) {
            const tr = table.insertRow();
            cell(tr, label(r), "label");
            cell(tr, String(value(r)), "n");
            const bar = document.createElement("div");
            bar.style.width = ((100 * value(r)) / max).toFixed(1) + "%";
            cell(tr, "", "bar").appendChild(bar);
        }
    }

    function alertTable(rows) {
        const table = document.getElementById("alerts");
        table.replaceChildren();
        if (rows.length === 0) {
            cell(table.insertRow(), "no alerts", "empty");
            return;
        }
        const head = table.insertRow();
        for (const h of ["window", "metric", "value", "expected", "z", ""]) cell(head, h, /value|expected|z/.test(h) ? "n" : "");
        for (const a of rows) {
            const tr = table.insertRow();
            cell(tr, a.window_start.replace("T", " ").replace("Z", ""));
            cell(tr, a.spec + "." + a.metric);
            cell(tr, String(a.value), "n");
            cell(tr, String(a.expected), "n");
            cell(tr, String(a.score), "n");
            cell(tr, a.direction, a.direction);
        }
    }

    async function refresh(names) {
        try {
            for (const name of names) {
                const d = await getJson(name);
                if (name === "events-per-minute") drawLive(d);
                else if (name === "window-metrics") drawBand(d);
                else if (name === "daily") drawDaily(d);
                else if (name === "top-pages") barTable("top-pages", d, (r) => r.path, (r) => r.views);
                else if (name === "bad-rows") barTable("bad-rows", d, (r) => r.reason, (r) => r.rows);
                else if (name === "alerts") alertTable(d);
            }
            state.updates++;
            status.textContent = "updated " + new Date().toISOString().slice(11, 19) + " UTC";
        } catch (e) {
            state.errors++;
            status.textContent = "error: " + e.message;
            console.error("dashboard refresh failed:", e.message);
        }
    }

    // One refresh at a time: the server runs the queries one by one anyway.
    let running = Promise.resolve();
    const schedule = (names) => { running = running.then(() => refresh(names)); };
    schedule(["events-per-minute", "window-metrics", "daily", "top-pages", "bad-rows", "alerts"]);
    setInterval(() => schedule(["events-per-minute"]), LIVE_EVERY_MS);
    setInterval(() => schedule(["window-metrics", "daily", "top-pages", "bad-rows", "alerts"]), OTHERS_EVERY_MS);
    window.addEventListener("resize", () => {
        for (const [id, c] of Object.entries(state.charts)) c.setSize({ width: width(document.getElementById(id)), height: 220 });
    });
})();
