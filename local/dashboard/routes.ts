/**
 * The dashboard's HTTP routes, served by the local ingest server (local/server.ts `handleGet`):
 *
 *   GET /                           the page (local/dashboard/public/index.html)
 *   GET /dashboard.js, /dashboard.css
 *   GET /vendor/uPlot.iife.min.js, /vendor/uPlot.min.css   the chart library, from node_modules (no CDN)
 *   GET /api/dashboard/<name>       JSON from local/dashboard/queries.ts
 *
 * Only these fixed paths are served (no file name comes from the request), with a Content-Security-Policy
 * that allows nothing but this origin.
 */
import { promises as fsp } from "fs";
import type * as http from "http";
import * as path from "path";
import { DashboardQueries, dashboardQueries } from "./queries";

const PUBLIC_DIR = path.join(__dirname, "public");

/** Fixed static files: URL path -> [file, content type]. */
const STATIC_FILES: Record<string, [string, string]> = {
    "/": [path.join(PUBLIC_DIR, "index.html"), "text/html; charset=utf-8"],
    "/dashboard.js": [path.join(PUBLIC_DIR, "dashboard.js"), "text/javascript; charset=utf-8"],
    "/dashboard.css": [path.join(PUBLIC_DIR, "dashboard.css"), "text/css; charset=utf-8"],
    "/vendor/uPlot.iife.min.js": [require.resolve("uplot/dist/uPlot.iife.min.js"), "text/javascript; charset=utf-8"],
    "/vendor/uPlot.min.css": [require.resolve("uplot/dist/uPlot.min.css"), "text/css; charset=utf-8"],
};

const SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
};

export interface DashboardRoutes {
    /** Answers `route` when it is a dashboard path (GET/HEAD) and returns true; false otherwise. */
    handle(route: string, req: http.IncomingMessage, res: http.ServerResponse): boolean;
    close(): Promise<void>;
}

export function dashboardRoutes(lakeDir: string, log: (line: string) => void, now: () => number = Date.now): DashboardRoutes {
    const queries: DashboardQueries = dashboardQueries(lakeDir);
    const api: Record<string, () => Promise<unknown>> = {
        "events-per-minute": () => queries.eventsPerMinute(now()),
        "bad-rows": () => queries.badRows(now()),
        "top-pages": () => queries.topPages(now()),
        "daily": () => queries.daily(now()),
        "window-metrics": () => queries.windowBand(now()),
        "alerts": () => queries.recentAlerts(),
    };
    const send = (res: http.ServerResponse, status: number, type: string, body: string | Buffer, head: boolean): void => {
        res.writeHead(status, { "Content-Type": type, ...SECURITY_HEADERS });
        res.end(head ? undefined : body);
    };
    return {
        handle(route, req, res) {
            if (req.method !== "GET" && req.method !== "HEAD") return false;
            const head = req.method === "HEAD";
            const file = Object.prototype.hasOwnProperty.call(STATIC_FILES, route) ? STATIC_FILES[route] : undefined;
            if (file) {
                fsp.readFile(file[0]).then(
                    (bytes) => send(res, 200, file[1], bytes, head),
                    (e: Error) => send(res, 500, "text/plain", `dashboard file missing: ${e.message}`, head),
                );
                return true;
            }
            const name = route.startsWith("/api/dashboard/") ? route.slice("/api/dashboard/".length) : undefined;
            if (name === undefined) return false;
            const query = Object.prototype.hasOwnProperty.call(api, name) ? api[name] : undefined;
            if (!query) {
                send(res, 404, "application/json", JSON.stringify({ error: `no dashboard data ${name}; one of ${Object.keys(api).join(", ")}` }), head);
                return true;
            }
            query().then(
                (data) => send(res, 200, "application/json", JSON.stringify(data), head),
                (e: Error) => {
                    log(`dashboard: ${name}: ${e.message}`);
                    send(res, 500, "application/json", JSON.stringify({ error: e.message }), head);
                },
            );
            return true;
        },
        close: () => queries.close(),
    };
}
