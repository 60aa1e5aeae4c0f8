/** The table view of a cost report: lines grouped by component, a subtotal per component, the total, the assumptions. */
import type { CostReport } from "./model";

function usd(x: number): string {
    return `$${x.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
}

function quantity(x: number): string {
    if (x >= 1e6) return `${(x / 1e6).toLocaleString("en-US", { maximumFractionDigits: 2 })}M`;
    return x.toLocaleString("en-US", { maximumFractionDigits: x < 10 ? 3 : 1 });
}

export function formatCostTable(report: CostReport): string {
    const components = [...new Set(report.lines.map((l) => l.component))];
    const subtotal = (c: string) => report.lines.filter((l) => l.component === c).reduce((s, l) => s + l.usd, 0);
    components.sort((x, y) => subtotal(y) - subtotal(x));
    const rows: string[][] = [];
    for (const c of components) {
        rows.push([c, "", "", "", usd(subtotal(c))]);
        for (const l of report.lines.filter((x) => x.component === c).sort((x, y) => y.usd - x.usd)) {
            rows.push([`  ${l.service}`, l.item, quantity(l.quantity), l.unit, usd(l.usd)]);
        }
    }
    const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => r[i].length), 4));
    const out = rows.map((r) => [r[0].padEnd(widths[0]), r[1].padEnd(widths[1]), r[2].padStart(widths[2]), r[3].padEnd(widths[3]), r[4].padStart(widths[4])].join("  ").trimEnd());
    out.push("", `Total: ${usd(report.total)} per month`, "", "Assumptions:", ...report.assumptions.map((a) => `- ${a}`));
    return out.join("\n");
}
