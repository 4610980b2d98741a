/**
 * The report as one self-contained HTML page: no external request (Chart.js is inlined from
 * `node_modules`, the data is embedded as JSON, and a Content-Security-Policy forbids anything else).
 * Chart.js is used because it is maintained, has no dependencies but a tiny colour helper, ships a UMD
 * build that can be inlined, and draws on canvas (fast for a few thousand points) — no hand-drawn SVG.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { currencyExponent, type Money } from "@revtrace/core";
import { formatMoney, type ReportData } from "./report-data.js";

/** The ids of the report's charts (the browser test checks each one). */
export const CHART_IDS = [
  "chart-channels",
  "chart-campaigns",
  "chart-models",
  "chart-days",
  "chart-partners",
] as const;

/** Conversions explained on the page (newest first); the JSON has them all. */
const WHY_LIMIT = 200;

let chartJs: string | undefined;
function chartLibrary(): string {
  if (chartJs === undefined) {
    const entry = createRequire(import.meta.url).resolve("chart.js");
    chartJs = readFileSync(join(dirname(entry), "chart.umd.min.js"), "utf8");
  }
  return chartJs;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const moneyList = (values: Money[]) =>
  values.length === 0 ? "—" : values.map((v) => escapeHtml(formatMoney(v))).join("<br>");
const date = (at: number) => new Date(at).toISOString().slice(0, 10);

function headline(data: ReportData): string {
  const h = data.headline;
  const tiles: [string, string][] = [
    ["Net revenue", moneyList(h.revenue)],
    ["Paying customers", String(h.customers)],
    ["Payments", `${h.payments} <small>(${h.refunds} refunds)</small>`],
    ["Leads", String(h.leads)],
    [
      "Avg. days to convert",
      h.averageDaysToConvert === null ? "—" : h.averageDaysToConvert.toFixed(1),
    ],
    ["Avg. touches", h.averageTouches === null ? "—" : h.averageTouches.toFixed(1)],
    ["Commissions owed", moneyList(h.commissionsOwed)],
  ];
  return `<section class="strip">${tiles
    .map(
      ([label, value]) =>
        `<div class="tile"><div class="label">${label}</div><div class="value">${value}</div></div>`,
    )
    .join("")}</section>`;
}

function channelModelTable(data: ReportData): string {
  const [base, ...others] = data.models;
  const head = data.models.map((m) => `<th>${escapeHtml(m)}</th>`).join("");
  const deltaHead = others
    .map((m) => `<th>Δ ${escapeHtml(m)} vs ${escapeHtml(base ?? "")}</th>`)
    .join("");
  const body = data.channelModel
    .map((row) => {
      const cells = data.models
        .map(
          (m) =>
            `<td class="num">${escapeHtml(formatMoney({ amount: row.byModel[m] ?? 0, currency: row.currency }))}</td>`,
        )
        .join("");
      const baseAmount = row.byModel[base ?? ""] ?? 0;
      const deltas = others
        .map((m) => {
          const delta = (row.byModel[m] ?? 0) - baseAmount;
          const pct =
            baseAmount === 0
              ? ""
              : ` (${delta >= 0 ? "+" : ""}${((delta / Math.abs(baseAmount)) * 100).toFixed(0)}%)`;
          const cls = delta > 0 ? "up" : delta < 0 ? "down" : "";
          return `<td class="num ${cls}">${delta >= 0 ? "+" : "−"}${escapeHtml(formatMoney({ amount: Math.abs(delta), currency: row.currency }))}${pct}</td>`;
        })
        .join("");
      return `<tr><td>${escapeHtml(row.channel)}</td><td>${escapeHtml(row.currency)}</td>${cells}${deltas}</tr>`;
    })
    .join("");
  return `<table><thead><tr><th>Channel</th><th>Currency</th>${head}${deltaHead}</tr></thead><tbody>${body}</tbody></table>`;
}

function pathsTable(data: ReportData): string {
  const rows = data.paths.top
    .map(
      (p) =>
        `<tr><td class="path">${p.path.map((c) => `<span class="chip ${escapeHtml(c)}">${escapeHtml(c)}</span>`).join(" → ")}</td><td class="num">${p.conversions}</td><td class="num">${p.averageTouches.toFixed(1)}</td><td class="num">${p.averageDays.toFixed(1)}</td></tr>`,
    )
    .join("");
  return `<table><thead><tr><th>Path (first touch → last)</th><th>Conversions</th><th>Touches</th><th>Days to convert</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function partnersTable(data: ReportData): string {
  const rows = data.partners
    .map(
      (b) =>
        `<tr><td>${escapeHtml(b.partnerId)}</td><td>${escapeHtml(b.currency)}</td>${[
          b.pending,
          b.payable,
          b.paid,
          b.clawedBack,
        ]
          .map((m) => `<td class="num">${escapeHtml(formatMoney(m))}</td>`)
          .join("")}</tr>`,
    )
    .join("");
  return `<table><thead><tr><th>Partner</th><th>Currency</th><th>Pending</th><th>Payable</th><th>Paid</th><th>Clawed back</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function destinationsTable(data: ReportData): string {
  if (data.destinations.length === 0) return "";
  const rows = data.destinations
    .map(
      (d) =>
        `<tr><td>${escapeHtml(d.name)}</td><td class="num">${d.delivered}</td><td class="num">${d.skipped}</td><td class="num">${d.rejected}</td><td class="num">${d.deadLetters}</td><td class="num">${d.recorded ?? "—"}</td><td class="note">${(d.skippedReasons ?? []).map((r) => `${r.count} × ${escapeHtml(r.reason)}`).join("<br>")}</td></tr>`,
    )
    .join("");
  return `<section><h2>What each destination received</h2><table><thead><tr><th>Destination</th><th>Delivered</th><th>Skipped</th><th>Rejected</th><th>Dead letters</th><th>Recorded by the emulator</th><th>Why skipped</th></tr></thead><tbody>${rows}</tbody></table></section>`;
}

function whyCredited(data: ReportData): string {
  const newest = data.explained.slice().sort((a, b) => b.occurredAt - a.occurredAt);
  const shown = newest.slice(0, WHY_LIMIT);
  const items = shown
    .map((c) => {
      const touches = new Map(c.touchpoints.map((t) => [t.id, t]));
      const models = c.explanations
        .map((e) => {
          const credited = c.credits
            .filter((credit) => credit.model === e.name)
            .map((credit) => {
              const t = touches.get(credit.touchpointId);
              const what = t
                ? `${t.channel}${t.campaign ? ` · ${t.campaign}` : ""}${t.affiliateRef ? ` · ref ${t.affiliateRef}` : ""}${t.clickIds.length ? ` · ${t.clickIds.join(", ")}` : ""} on ${date(t.occurredAt)}`
                : credit.touchpointId;
              return `${(credit.share * 100).toFixed(0)}% → ${escapeHtml(what)}${credit.amount ? ` (${escapeHtml(formatMoney(credit.amount))})` : ""}`;
            });
          const excluded = e.excluded.length
            ? `<div class="excluded">Left out: ${e.excluded.map((x) => `${escapeHtml(x.touchpointId)} (${escapeHtml(x.reason)})`).join(", ")}</div>`
            : "";
          return `<li><b>${escapeHtml(e.name)}</b> — ${escapeHtml(e.summary)}<br>${credited.length ? credited.join("<br>") : "nothing credited"}${excluded}</li>`;
        })
        .join("");
      const title = `${date(c.occurredAt)} · ${escapeHtml(c.name)} · ${c.value ? escapeHtml(formatMoney(c.value)) : ""} · ${escapeHtml(c.customerId ?? "unknown customer")}`;
      return `<details><summary>${title}</summary><ul>${models}</ul><div class="path">${c.touchpoints.map((t) => `<span class="chip ${escapeHtml(t.channel)}">${escapeHtml(t.channel)}</span>`).join(" → ")}</div></details>`;
    })
    .join("");
  const more =
    newest.length > shown.length
      ? `<p class="note">The ${shown.length} newest of ${newest.length}; <code>revtrace report --json</code> has every one.</p>`
      : "";
  return `<section><h2>Why was this credited?</h2><p class="note">For every payment and refund, each model's deciding rule, the touchpoints it credited with their share, and those it left out, from the attribution engine's explanations.</p>${items}${more}</section>`;
}

const STYLE = `
:root{--fg:#1d2433;--muted:#667085;--line:#e4e7ec;--bg:#f8f9fb;--up:#067647;--down:#b42318}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;color:var(--fg);background:var(--bg)}
header{padding:20px 28px;background:#101828;color:#fff}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#d0d5dd}
main{padding:20px 28px;max-width:1400px;margin:auto}section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px 18px;margin:0 0 18px}
h2{font-size:16px;margin:0 0 12px}.strip{display:grid;grid-template-columns:repeat(7,1fr);gap:12px;background:none;border:0;padding:0}
.tile{background:#fff;border:1px solid var(--line);border-radius:10px;padding:12px 14px}.tile .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.tile .value{font-size:20px;font-weight:600;margin-top:4px}.grid{display:grid;grid-template-columns:1fr 1fr;gap:18px}.grid section{margin:0}
.chart{position:relative;height:300px}table{width:100%;border-collapse:collapse}th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600;font-size:12px}.num{text-align:right;font-variant-numeric:tabular-nums}.up{color:var(--up)}.down{color:var(--down)}
.chip{display:inline-block;padding:1px 7px;border-radius:10px;background:#eef2f6;font-size:12px}.chip.paid_social{background:#fde7f3}.chip.paid_search{background:#e0eaff}
.chip.affiliate{background:#dcfae6}.chip.organic_search{background:#fef0c7}.chip.direct{background:#eaecf0}details{border-top:1px solid var(--line);padding:6px 0}
summary{cursor:pointer}details ul{margin:6px 0}.excluded,.note{color:var(--muted);font-size:12px}select{font:inherit;margin-left:8px}
`;

const SCRIPT = `
const data = JSON.parse(document.getElementById("report-data").textContent);
const palette = ["#e4405f","#4e79a7","#59a14f","#f28e2b","#76b7b2","#edc948","#b07aa1","#9c755f","#bab0ac","#ff9da7"];
const colour = (i) => palette[i % palette.length];
Chart.defaults.animation = false;
Chart.defaults.maintainAspectRatio = false;
const fmt = new Intl.NumberFormat("en-US", { style: "currency", currency: data.currency, maximumFractionDigits: 0 });
const money = { ticks: { callback: (v) => fmt.format(v) } };
const charts = {};
function overTime(id, series, type) {
  const datasets = series.slice(0, 8).map((s, i) => ({ label: s.label, data: s.values, backgroundColor: colour(i), borderColor: colour(i), fill: false, cubicInterpolationMode: "monotone", pointRadius: 0 }));
  const config = { type, data: { labels: data.days.map((d) => d.slice(5)), datasets }, options: { scales: { x: { stacked: type === "bar" }, y: { stacked: type === "bar", ...money } }, plugins: { legend: { position: "bottom" } } } };
  if (charts[id]) { charts[id].data = config.data; charts[id].update(); return; }
  charts[id] = new Chart(document.getElementById(id), config);
}
function cumulative(series) { return series.map((s) => { let t = 0; return { label: s.label, values: s.values.map((v) => (t += v)) }; }); }
function draw(model) {
  overTime("chart-channels", data.channelsOverTime[model] || [], "bar");
  overTime("chart-campaigns", cumulative(data.campaignsOverTime[model] || []), "line");
}
const select = document.getElementById("model");
select.addEventListener("change", () => draw(select.value));
draw(select.value);
const rows = data.channelModel.filter((r) => r.currency === data.currency);
charts["chart-models"] = new Chart(document.getElementById("chart-models"), {
  type: "bar",
  data: { labels: rows.map((r) => r.channel), datasets: data.models.map((m, i) => ({ label: m, data: rows.map((r) => r.byModel[m] / data.minorPerMajor), backgroundColor: colour(i) })) },
  options: { scales: { y: money }, plugins: { legend: { position: "bottom" } } },
});
charts["chart-days"] = new Chart(document.getElementById("chart-days"), {
  type: "bar",
  data: { labels: data.paths.daysHistogram.map((b) => b.label), datasets: [{ label: "first payments", data: data.paths.daysHistogram.map((b) => b.count), backgroundColor: "#4e79a7" }] },
  options: { plugins: { legend: { display: false } } },
});
const partners = data.partners.filter((b) => b.currency === data.currency);
const kinds = [["pending", "#f28e2b"], ["payable", "#59a14f"], ["paid", "#4e79a7"], ["clawedBack", "#e15759"]];
const unit = data.minorPerMajor;
charts["chart-partners"] = new Chart(document.getElementById("chart-partners"), {
  type: "bar",
  data: { labels: partners.map((b) => b.partnerId), datasets: kinds.map(([k, c]) => ({ label: k === "clawedBack" ? "clawed back" : k, data: partners.map((b) => b[k].amount / unit), backgroundColor: c })) },
  options: { indexAxis: "y", scales: { x: { stacked: true, ...money }, y: { stacked: true } }, plugins: { legend: { position: "bottom" } } },
});
window.revtraceCharts = charts;
`;

/** Renders the report page. */
export function renderHtml(data: ReportData, options: { title?: string } = {}): string {
  const title = options.title ?? "revtrace attribution report";
  // minor units per major unit of the charts' currency (100 for USD, 1 for JPY and KRW, 1000 for KWD)
  const minorPerMajor = 10 ** (currencyExponent(data.currency) ?? 2);
  const json = JSON.stringify({ ...data, minorPerMajor }).replace(/</g, "\\u003c");
  const modelOptions = data.models.map((m) => `<option>${escapeHtml(m)}</option>`).join("");
  const others = data.currencies.filter((c) => c !== data.currency);
  const currencyNote = others.length
    ? `Charts in ${data.currency}; ${others.join(", ")} revenue is in the tables (no exchange rates are assumed).`
    : `Amounts in ${data.currency}.`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>
<body><header><h1>${escapeHtml(title)}</h1><p>Generated ${new Date(data.generatedAt).toISOString().replace("T", " ").slice(0, 16)} UTC · models: ${data.models.map(escapeHtml).join(", ")} · ${escapeHtml(currencyNote)}</p></header>
<main>
${headline(data)}
<div class="grid">
<section><h2>Revenue by channel per day<select id="model" aria-label="model">${modelOptions}</select></h2><div class="chart"><canvas id="chart-channels"></canvas></div></section>
<section><h2>Revenue by campaign (cumulative)</h2><div class="chart"><canvas id="chart-campaigns"></canvas></div></section>
</div><br>
<section><h2>Channel × model</h2><div class="grid"><div class="chart"><canvas id="chart-models"></canvas></div><div>${channelModelTable(data)}</div></div></section>
<section><h2>Conversion paths</h2><div class="grid"><div>${pathsTable(data)}</div><div class="chart"><canvas id="chart-days"></canvas></div></div></section>
<section><h2>Top partners: commissions</h2><div class="grid"><div>${partnersTable(data)}</div><div class="chart"><canvas id="chart-partners"></canvas></div></div></section>
${destinationsTable(data)}
${whyCredited(data)}
</main>
<script type="application/json" id="report-data">${json}</script>
<script>${chartLibrary()}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
