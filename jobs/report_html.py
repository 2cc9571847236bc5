"""The report as one self-contained HTML file: inline CSS, charts as inline SVG drawn here, no JavaScript.

``render_html(data)`` turns a :class:`~jobs.report_model.ReportData` into a complete HTML document that opens
offline in any browser and prints on paper: no scripts, no fonts, images or style sheets from anywhere, and a
Content-Security-Policy (``default-src 'none'``) that would block them if one crept in. Every string from the
data (asset names, rules, reasons, run ids, the output location) is HTML-escaped; ReportData holds no detected
value, so neither does the report.

The key figures carry stable ids so tests and scripts can read them: ``total-findings``,
``assets-with-findings``, ``violation-count``, ``coverage-percent`` and ``latest-run`` (each with the raw number in
``data-value``); every section is a ``<section id=...>`` with an ``<h2>`` heading (:data:`SECTIONS`).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

from jobs.report_model import Coverage, FrameworkPosture, MatrixCell, ReportData, Score, Trend, Violation

# (section id, heading), in page order.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("summary", "Headline figures"),
    ("sensitivity", "Findings by sensitivity"),
    ("entities", "Findings by entity type"),
    ("residency", "Data residency"),
    ("compliance", "Compliance posture"),
    ("scores", "Sensitivity scores"),
    ("trends", "Trends across runs"),
    ("coverage", "Coverage"),
)
# Score bands of the 0-100 sensitivity score, drawn behind the score chart: (name, lowest, highest score).
# "high" is Macie's "sensitive" (51-100), the label jobs.report_data gives a score above 50.
SCORE_BANDS: tuple[tuple[str, int, int], ...] = (("low", 0, 29), ("medium", 30, 50), ("high", 51, 100))
SENSITIVITY_ORDER = ("high", "medium", "low")
MAX_BARS = 30  # bars in one chart; the rest are summed into one "other" bar
MAX_SCORE_BARS = 20
MAX_SCORE_ROWS = 50
MAX_TREND_RUNS = 12  # runs in the trend chart (the table lists up to MAX_ROWS)
MAX_ROWS = 500  # rows in one table; the CSV export has them all
MAX_LABEL_CHARS = 28

_COLORS = {
    "high": "#b91c1c",
    "medium": "#b45309",
    "low": "#1d4ed8",
    "bar": "#1e40af",
    "new": "#b91c1c",
    "resolved": "#15803d",
    "changed": "#7c3aed",
    "grid": "#d1d5db",
    "text": "#111827",
    "muted": "#4b5563",
}
_BAND_FILL = {"low": "#dbeafe", "medium": "#fef3c7", "high": "#fee2e2"}

_CSS = """
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
  color: #111827; background: #ffffff; line-height: 1.45; font-size: 15px; }
header, main, footer { max-width: 1100px; margin: 0 auto; padding: 0 24px; }
header { padding-top: 24px; border-bottom: 2px solid #111827; }
h1 { font-size: 1.7rem; margin: 0 0 4px; }
h2 { font-size: 1.3rem; margin: 32px 0 8px; padding-bottom: 4px; border-bottom: 1px solid #d1d5db; }
h3 { font-size: 1.05rem; margin: 20px 0 6px; }
.meta { color: #374151; margin: 0 0 16px; font-size: 0.9rem; }
.meta code { word-break: break-all; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; margin: 12px 0; }
.card { border: 1px solid #d1d5db; border-radius: 6px; padding: 12px 16px; background: #f9fafb; }
.card .figure { display: block; font-size: 2rem; font-weight: 700; font-variant-numeric: tabular-nums; }
.card .label { color: #374151; font-size: 0.9rem; }
.card.alert { border-color: #b91c1c; background: #fef2f2; }
.card.alert .figure { color: #991b1b; }
figure { margin: 12px 0; break-inside: avoid; page-break-inside: avoid; }
figcaption { color: #374151; font-size: 0.9rem; margin-top: 4px; }
svg.chart { display: block; width: 100%; max-width: 760px; height: auto; }
svg.chart text { font-family: inherit; fill: #111827; }
svg.chart .muted { fill: #4b5563; }
table { border-collapse: collapse; width: 100%; margin: 8px 0 16px; font-size: 0.9rem; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #111827; }
th, td { border: 1px solid #d1d5db; padding: 4px 8px; text-align: left; vertical-align: top;
  overflow-wrap: break-word; }
th { background: #f3f4f6; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.num { white-space: nowrap; }
td.name, td.list { min-width: 7em; }
td .detail { display: block; color: #4b5563; font-size: 0.8rem; }
tr { break-inside: avoid; page-break-inside: avoid; }
.matrix td { text-align: center; min-width: 84px; }
.matrix td.disallowed { outline: 3px solid #b91c1c; outline-offset: -3px; }
.matrix td .assets { display: block; font-size: 0.8rem; }
.matrix td.empty { color: #6b7280; }
.flag { font-weight: 700; color: #991b1b; }
.matrix td.dark, .matrix td.dark .flag { color: #ffffff; }
.legend { font-size: 0.85rem; color: #374151; }
.legend .swatch { display: inline-block; width: 12px; height: 12px; vertical-align: middle; margin: 0 4px 0 12px;
  border: 1px solid #6b7280; }
.empty-note { color: #374151; font-style: italic; }
.note { color: #374151; font-size: 0.85rem; }
.sr-only { position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px; overflow: hidden;
  clip: rect(0, 0, 0, 0); white-space: nowrap; border: 0; }
footer { color: #4b5563; font-size: 0.8rem; padding-top: 24px; padding-bottom: 24px; }
* { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print {
  body { font-size: 10pt; }
  table { font-size: 8.5pt; }
  th, td { padding: 2px 4px; }
  header, main, footer { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  section { break-inside: auto; }
  .card { background: #ffffff; }
  @page { margin: 14mm; }
}
"""


def render_html(data: ReportData) -> str:
    """The whole report as one HTML document (a string; write it with UTF-8)."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="generator" content="piiscan jobs.report_html">',
        f"<title>Sensitive data report — {_e(_when(data.generated_at))}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<header>",
        "<h1>Sensitive data report</h1>",
        '<p class="meta">Generated '
        f'<time datetime="{_e(_iso(data.generated_at))}">{_e(_when(data.generated_at))}</time>'
        f" from <code>{_e(data.output)}</code>; latest run "
        f'<span id="latest-run" data-value="{_e(data.latest_run or "")}">{_e(data.latest_run or "none")}</span>.</p>',
        "</header>",
        "<main>",
        _summary(data),
        _sensitivity(data.findings_by_sensitivity),
        _entities(data.findings_by_entity),
        _residency(data.violations, data.matrix),
        _compliance(data.frameworks),
        _scores(data.scores, data.top_assets),
        _trends(data.trends),
        _coverage(data.coverage),
        "</main>",
        "<footer>Produced by piiscan. The report holds counts, names and locations only, never a detected value."
        " Every figure is computed from the findings, assets and runs tables at the location above.</footer>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


def coverage_percent(coverage: Coverage | None) -> float | None:
    """Share of the listed objects that were scanned (or unchanged), in percent; None when nothing was listed."""
    if coverage is None or coverage.objects_listed <= 0:
        return None
    return 100.0 * coverage.objects_scanned / coverage.objects_listed


def score_band(score: int) -> str:
    """The band (low, medium, high) a 0-100 score falls in."""
    for name, _low, high in SCORE_BANDS:
        if score <= high:
            return name
    return SCORE_BANDS[-1][0]


# --- sections -------------------------------------------------------------------------------------------------------


def _section(section_id: str, body: Iterable[str]) -> str:
    heading = dict(SECTIONS)[section_id]
    return "\n".join(
        [
            f'<section id="{section_id}" aria-labelledby="{section_id}-heading">',
            f'<h2 id="{section_id}-heading">{_e(heading)}</h2>',
            *body,
            "</section>",
        ]
    )


def _summary(data: ReportData) -> str:
    percent = coverage_percent(data.coverage)
    violations = len(data.violations)
    cards = [
        _card("total-findings", data.findings, _n(data.findings), "findings"),
        _card("assets-with-findings", data.assets_with_findings, _n(data.assets_with_findings), "assets with findings"),
        _card("violation-count", violations, _n(violations), "residency violations", alert=violations > 0),
        _card(
            "coverage-percent",
            "" if percent is None else f"{percent:.1f}",
            "n/a" if percent is None else f"{_percent(percent)}",
            "of listed objects scanned",
        ),
    ]
    return _section("summary", ['<div class="cards">', *cards, "</div>"])


def _card(element_id: str, value: object, text: str, label: str, *, alert: bool = False) -> str:
    css = "card alert" if alert else "card"
    return (
        f'<div class="{css}"><span class="figure" id="{element_id}" data-value="{_e(value)}">{_e(text)}</span>'
        f'<span class="label">{_e(label)}</span></div>'
    )


def _sensitivity(counts: dict[str, int]) -> str:
    if not counts:
        return _section("sensitivity", [_empty("No findings.")])
    ordered = sorted(counts.items(), key=lambda kv: (_sensitivity_rank(kv[0]), kv[0]))
    colors = [_COLORS.get(name.lower(), _COLORS["bar"]) for name, _ in ordered]
    chart = _bar_chart(
        "chart-sensitivity",
        "Findings by sensitivity",
        "Number of findings at each sensitivity level, highest sensitivity first.",
        ordered,
        colors,
    )
    return _section("sensitivity", [_figure(chart, "Findings per sensitivity level.")])


def _entities(counts: dict[str, int]) -> str:
    if not counts:
        return _section("entities", [_empty("No findings.")])
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    note = ""
    if len(ordered) > MAX_BARS:
        rest = ordered[MAX_BARS - 1 :]
        ordered = [*ordered[: MAX_BARS - 1], (f"other ({len(rest)} types)", sum(v for _, v in rest))]
        note = f" The {len(rest)} least frequent entity types are summed into one bar."
    chart = _bar_chart(
        "chart-entities",
        "Findings by entity type",
        "Number of findings per detected entity type, most frequent first.",
        ordered,
        [_COLORS["bar"]] * len(ordered),
    )
    return _section("entities", [_figure(chart, "Findings per entity type." + note)])


def _residency(violations: Sequence[Violation], matrix: Sequence[MatrixCell]) -> str:
    body = ["<h3>Violations</h3>"]
    if violations:
        rows = [
            [
                _asset_cell(v),
                _td(v.region),
                _td(", ".join(v.jurisdictions)),
                _td(", ".join(v.entity_types), "list"),
                _td(_n(v.findings), "num"),
                _td(_n(v.matched_values), "num"),
                _td(_day_of(v.since) if v.since else "unknown"),
                _td(v.rule),
            ]
            for v in violations
        ]
        body.append(
            _table(
                "table-violations",
                f"{_count(len(violations), 'asset')} holding personal data in a region the residency policy does not"
                " allow for it.",
                [
                    "Asset",
                    "Region",
                    "Jurisdictions",
                    "Entity types",
                    ("Findings", "num"),
                    ("Matched values", "num"),
                    "Since",
                    "Rule broken",
                ],
                rows,
            )
        )
    else:
        body.append(_empty("No residency violations: every asset's personal data is in a region its policy allows."))
    body.append("<h3>Regions and jurisdictions</h3>")
    body.append(_matrix(matrix) if matrix else _empty("No findings with a known jurisdiction."))
    return _section("residency", body)


def _matrix(cells: Sequence[MatrixCell]) -> str:
    regions = sorted({c.region for c in cells}, key=_unknown_last)
    jurisdictions = sorted({c.jurisdiction for c in cells}, key=_unknown_last)
    by_key = {(c.region, c.jurisdiction): c for c in cells}
    peak = max((c.findings for c in cells), default=0)
    head = "".join(f'<th scope="col">{_e(j)}</th>' for j in jurisdictions)
    rows = []
    for region in regions:
        tds = []
        for jurisdiction in jurisdictions:
            cell = by_key.get((region, jurisdiction))
            if cell is None:
                tds.append('<td class="empty"><span aria-hidden="true">·</span><span class="sr-only">none</span></td>')
                continue
            t = math.log1p(cell.findings) / math.log1p(peak) if peak > 0 else 0.0
            background, white_text = _heat_cell(t)
            classes = ["cell"]
            if white_text:
                classes.append("dark")
            flag = ""
            if not cell.allowed:
                classes.append("disallowed")
                flag = '<span class="flag" aria-hidden="true">✕ </span><span class="sr-only">not allowed: </span>'
            label = (
                f"{region} / {jurisdiction}: {_count(cell.findings, 'finding')} in {_count(cell.assets, 'asset')}"
                + ("" if cell.allowed else " (not allowed)")
            )
            tds.append(
                f'<td class="{" ".join(classes)}" style="background-color: {background}" title="{_e(label)}"'
                f' data-region="{_e(region)}" data-jurisdiction="{_e(jurisdiction)}"'
                f' data-findings="{cell.findings}" data-assets="{cell.assets}"'
                f' data-allowed="{"true" if cell.allowed else "false"}">'
                f'{flag}{_e(_n(cell.findings))}<span class="assets">{_e(_count(cell.assets, "asset"))}</span></td>'
            )
        rows.append(f'<tr><th scope="row">{_e(region)}</th>{"".join(tds)}</tr>')
    legend = (
        '<p class="legend">Darker cells hold more findings (log scale).'
        f'<span class="swatch" style="background-color: {_heat(0.0)}"></span>few'
        f'<span class="swatch" style="background-color: {_heat(1.0)}"></span>most'
        '<span class="swatch" style="outline: 3px solid #b91c1c; outline-offset: -3px"></span>'
        '<span class="flag">✕</span> the policy does not allow this jurisdiction\'s data in this region.</p>'
    )
    return "\n".join(
        [
            '<table class="matrix" id="table-matrix">',
            "<caption>Findings (and assets) per AWS region and data-subject jurisdiction.</caption>",
            f'<thead><tr><th scope="col">Region \\ jurisdiction</th>{head}</tr></thead>',
            "<tbody>",
            *rows,
            "</tbody>",
            "</table>",
            legend,
        ]
    )


def _compliance(frameworks: Sequence[FrameworkPosture]) -> str:
    if not frameworks:
        return _section("compliance", [_empty("No assets hold data in scope of a compliance framework.")])
    rows = [
        [
            _th_row(f.framework),
            _td(_n(f.assets), "num"),
            _td(_n(f.findings), "num"),
            _td(_n(f.matched_values), "num"),
            _td(_of(f.encrypted_assets, f.assets), "num"),
            _td(_of(f.unencrypted_assets, f.assets), "num"),
            _td(_of(f.tagged_assets, f.assets), "num"),
            _td(", ".join(f.top_assets) or "—", "name"),
        ]
        for f in frameworks
    ]
    table = _table(
        "table-frameworks",
        "Assets holding data in scope of each framework; encrypted, unencrypted and tagged assets where known.",
        [
            "Framework",
            ("Assets", "num"),
            ("Findings", "num"),
            ("Matched values", "num"),
            ("Encrypted", "num"),
            ("Unencrypted", "num"),
            ("Tagged", "num"),
            "Top assets",
        ],
        rows,
    )
    chart = _bar_chart(
        "chart-frameworks",
        "Assets in scope per framework",
        "Number of assets holding data in scope of each compliance framework.",
        [(f.framework, f.assets) for f in frameworks],
        [_COLORS["bar"]] * len(frameworks),
    )
    return _section("compliance", [_figure(chart, "Assets in scope per framework."), table])


def _scores(scores: Sequence[Score], top_assets: Sequence[Score]) -> str:
    if not scores and not top_assets:
        return _section("scores", [_empty("Nothing has a sensitivity score yet (no runs).")])
    bands = ", ".join(f"{name} {low}-{high}" for name, low, high in SCORE_BANDS)
    body = [
        f'<p class="note">Scores run from 0 to 100 (bands: {_e(bands)}); above 50 an asset is labelled sensitive, '
        "as Macie labels 51-100. docs/report.md gives the formula.</p>"
    ]
    if top_assets:
        riskiest = _ranked(top_assets)[:MAX_SCORE_BARS]
        chart = _score_chart(
            "chart-top-assets",
            "Riskiest assets",
            "Sensitivity score of the riskiest assets with findings, on a scale of 0 to 100 with the bands.",
            riskiest,
        )
        body += ["<h3>Riskiest assets</h3>", _figure(chart, f"The {len(riskiest)} highest-scoring assets.")]
    if scores:
        top = _ranked(scores)
        chart = _score_chart(
            "chart-scores",
            "Buckets, databases and tables by score",
            "Sensitivity score of the highest-scoring buckets, databases and tables, on a scale of 0 to 100.",
            top[:MAX_SCORE_BARS],
        )
        rows = [
            [
                _td(s.level),
                _td(s.name, "name"),
                _td(str(s.score), "num"),
                _td(f"{score_band(s.score)} ({s.label})"),
                _td(_n(s.findings), "num"),
                _td(f"{_n(s.units_with_findings)} of {_n(s.units)}" if s.units else "—", "num"),
                _td(s.max_sensitivity or "—"),
                _td(", ".join(s.entity_types) or "—"),
            ]
            for s in top[:MAX_SCORE_ROWS]
        ]
        caption = "Sensitivity score per bucket, database and table, highest first."
        if len(top) > MAX_SCORE_ROWS:
            caption += f" The {MAX_SCORE_ROWS} highest of {_n(len(top))}; scores.csv lists them all."
        table = _table(
            "table-scores",
            caption,
            [
                "Level",
                "Name",
                ("Score", "num"),
                "Band (label)",
                ("Findings", "num"),
                ("With findings", "num"),
                "Highest sensitivity",
                "Entity types",
            ],
            rows,
        )
        shown = min(len(top), MAX_SCORE_BARS)
        body += [
            "<h3>Buckets, databases and tables</h3>",
            _figure(chart, f"The {shown} highest-scoring buckets, databases and tables."),
            table,
        ]
    return _section("scores", body)


def _trends(trends: Sequence[Trend]) -> str:
    if not trends:
        return _section("trends", [_empty("No runs yet.")])
    if len(trends) < 2:
        body = [_empty("Only one run so far: trends appear from the second run on.")]
    else:
        body = [_figure(_trend_chart(trends[-MAX_TREND_RUNS:]), "New, resolved and changed findings per run.")]
    shown = trends[-MAX_ROWS:]
    rows = [
        [
            _td(t.run_id, "name"),
            _td(_when(t.started_at)),
            _td(_n(t.findings), "num"),
            _td(_n(t.new), "num"),
            _td(_n(t.resolved), "num"),
            _td(_n(t.changed), "num"),
        ]
        for t in shown
    ]
    body.append(
        _table(
            "table-trends",
            "Findings per run, and how they changed since the run before (oldest first).",
            ["Run", "Started", ("Findings", "num"), ("New", "num"), ("Resolved", "num"), ("Changed", "num")],
            rows,
        )
    )
    return _section("trends", body)


def _coverage(coverage: Coverage | None) -> str:
    if coverage is None:
        return _section("coverage", [_empty("No coverage information (no runs).")])
    percent = coverage_percent(coverage)
    figures = [
        ("Objects listed", coverage.objects_listed),
        ("Scanned (or unchanged)", coverage.objects_scanned),
        ("Skipped", coverage.objects_skipped),
        ("Failed", coverage.objects_failed),
    ]
    body = [
        f"<p>{_e(_percent(percent) if percent is not None else 'n/a')} of the listed objects were scanned.</p>",
        _table(
            "table-coverage",
            "Objects by outcome.",
            ["Outcome", ("Objects", "num")],
            [[_th_row(label), _td(_n(value), "num")] for label, value in figures],
        ),
    ]
    if coverage.not_scanned:
        rows = [[_td(asset, "name"), _td(reason)] for asset, reason in coverage.not_scanned[:MAX_ROWS]]
        body.append(
            _table("table-not-scanned", "Objects not scanned, and why (first ones).", ["Asset", "Reason"], rows)
        )
    return _section("coverage", body)


# --- charts ---------------------------------------------------------------------------------------------------------

_CHART_WIDTH = 760
_LABEL_WIDTH = 230
_BAR_AREA = 440
_ROW = 26
_BAR = 18


def _bar_chart(chart_id: str, title: str, desc: str, items: Sequence[tuple[str, int]], colors: Sequence[str]) -> str:
    """A horizontal bar chart: one row per item, bar length proportional to the value (the longest fills the area)."""
    peak = max((value for _, value in items), default=0)
    height = len(items) * _ROW + 12
    out = [_svg_open(chart_id, title, desc, height)]
    for i, ((label, value), color) in enumerate(zip(items, colors, strict=True)):
        y = 6 + i * _ROW
        width = _BAR_AREA * value / peak if peak > 0 else 0.0
        out.append(
            f'<g class="bar" data-label="{_e(label)}" data-value="{value}"><title>{_e(label)}: {_e(_n(value))}</title>'
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + _BAR - 4}" text-anchor="end" font-size="13">'
            f"{_e(_short(label))}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width:.2f}" height="{_BAR}" fill="{color}"'
            f' data-value="{value}"></rect>'
            f'<text x="{_LABEL_WIDTH + width + 6:.2f}" y="{y + _BAR - 4}" font-size="13">{_e(_n(value))}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _score_chart(chart_id: str, title: str, desc: str, scores: Sequence[Score]) -> str:
    """Horizontal bars on a fixed 0-100 axis over the low/medium/high bands, each bar coloured by its band."""
    top_pad, axis = 22, 20
    height = top_pad + len(scores) * _ROW + axis

    def x(score: float) -> float:
        return _LABEL_WIDTH + _BAR_AREA * score / 100

    out = [_svg_open(chart_id, title, desc, height)]
    body_height = len(scores) * _ROW
    for name, low, high in SCORE_BANDS:
        start, end = x(low), x(min(high + 1, 100))
        out.append(
            f'<rect class="band" data-band="{name}" x="{start:.2f}" y="{top_pad - 4}" width="{end - start:.2f}"'
            f' height="{body_height + 4}" fill="{_BAND_FILL[name]}"></rect>'
            f'<text x="{(start + end) / 2:.2f}" y="{top_pad - 8}" text-anchor="middle" font-size="12"'
            f' class="muted">{name}</text>'
        )
    for tick in (0, 25, 50, 75, 100):
        out.append(
            f'<line x1="{x(tick):.2f}" x2="{x(tick):.2f}" y1="{top_pad - 4}" y2="{top_pad + body_height}"'
            f' stroke="{_COLORS["grid"]}" stroke-width="1"></line>'
            f'<text x="{x(tick):.2f}" y="{top_pad + body_height + 15}" text-anchor="middle" font-size="12"'
            f' class="muted">{tick}</text>'
        )
    for i, s in enumerate(scores):
        y = top_pad + i * _ROW + (_ROW - _BAR) / 2
        band = score_band(s.score)
        width = _BAR_AREA * max(0, min(s.score, 100)) / 100
        label = f"{s.level}: {s.name}"
        out.append(
            f'<g class="bar" data-label="{_e(label)}" data-value="{s.score}" data-band="{band}">'
            f"<title>{_e(label)}: score {s.score} ({band}), {_e(_n(s.findings))} findings</title>"
            f'<text x="{_LABEL_WIDTH - 8}" y="{y + _BAR - 4}" text-anchor="end" font-size="13">'
            f"{_e(_short(s.name))}</text>"
            f'<rect x="{_LABEL_WIDTH}" y="{y}" width="{width:.2f}" height="{_BAR}" fill="{_COLORS[band]}"'
            f' data-value="{s.score}"></rect>'
            f'<text x="{_LABEL_WIDTH + width + 6:.2f}" y="{y + _BAR - 4}" font-size="13">{s.score}</text></g>'
        )
    out.append("</svg>")
    return "".join(out)


def _trend_chart(trends: Sequence[Trend]) -> str:
    """Grouped vertical bars per run: new, resolved and changed findings, with a legend and a y axis."""
    series = (("new", "New"), ("resolved", "Resolved"), ("changed", "Changed"))
    left, right, top, bottom, plot_height = 56, 12, 30, 44, 200
    height = top + plot_height + bottom
    peak = max((max(t.new, t.resolved, t.changed) for t in trends), default=0)
    step = _axis_step(peak)
    scale_top = 4 * step
    group = (_CHART_WIDTH - left - right) / len(trends)
    bar = min(22.0, (group - 8) / len(series))
    out = [
        _svg_open(
            "chart-trends",
            "Trends across runs",
            "For each run, the findings that are new, resolved and changed since the run before.",
            height,
        )
    ]
    for j, (key, label) in enumerate(series):
        lx = left + j * 110
        out.append(
            f'<rect x="{lx}" y="6" width="12" height="12" fill="{_COLORS[key]}"></rect>'
            f'<text x="{lx + 16}" y="16" font-size="12">{label}</text>'
        )
    for k in range(5):
        value = step * k
        y = top + plot_height - plot_height * k / 4
        out.append(
            f'<line x1="{left}" x2="{_CHART_WIDTH - right}" y1="{y:.2f}" y2="{y:.2f}" stroke="{_COLORS["grid"]}"'
            f' stroke-width="1"></line>'
            f'<text x="{left - 6}" y="{y + 4:.2f}" text-anchor="end" font-size="11" class="muted">'
            f"{_e(_n(value))}</text>"
        )
    for i, t in enumerate(trends):
        gx = left + i * group + (group - bar * len(series)) / 2
        for j, (key, label) in enumerate(series):
            value = int(getattr(t, key))
            h = plot_height * value / scale_top if scale_top > 0 else 0.0
            out.append(
                f'<rect class="bar" data-series="{key}" data-run="{_e(t.run_id)}" data-value="{value}"'
                f' x="{gx + j * bar:.2f}" y="{top + plot_height - h:.2f}" width="{bar - 1:.2f}" height="{h:.2f}"'
                f' fill="{_COLORS[key]}"><title>{_e(t.run_id)}: {value} {label.lower()}</title></rect>'
            )
        cx = left + i * group + group / 2
        out.append(
            f'<text x="{cx:.2f}" y="{top + plot_height + 16}" text-anchor="middle" font-size="11">'
            f"{_e(_day(t.started_at))}</text>"
        )
    out.append(
        f'<text x="{left + (_CHART_WIDTH - left - right) / 2:.2f}" y="{height - 6}" text-anchor="middle"'
        ' font-size="11" class="muted">run start (UTC)</text>'
    )
    out.append("</svg>")
    return "".join(out)


def _svg_open(chart_id: str, title: str, desc: str, height: float) -> str:
    return (
        f'<svg class="chart" id="{chart_id}" role="img"'
        f' viewBox="0 0 {_CHART_WIDTH} {height:.0f}" width="{_CHART_WIDTH}" height="{height:.0f}"'
        f' aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{_e(title)}</title><desc id="{chart_id}-desc">{_e(desc)}</desc>'
    )


def _axis_step(peak: int, ticks: int = 4) -> int:
    """The smallest whole 1/2/2.5/3/4/5/6/8 x 10^k step whose ``ticks`` steps reach peak (1 for an empty chart)."""
    if peak <= 0:
        return 1
    need = peak / ticks
    magnitude = int(10 ** max(0, math.floor(math.log10(need))))
    for factor in (1, 2, 2.5, 3, 4, 5, 6, 8, 10):
        step = factor * magnitude
        if step >= need and step == int(step):
            return int(step)
    return 10 * magnitude


def _heat(t: float) -> str:
    """A colour from near-white (t=0) to dark blue (t=1) for the matrix cells."""
    low, high = (239, 246, 255), (30, 58, 138)
    r, g, b = (round(a + (z - a) * max(0.0, min(t, 1.0))) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def _heat_cell(t: float) -> tuple[str, bool]:
    """A matrix cell's background for intensity t, and whether its text is white (else near-black).

    Mid-scale blues contrast less than 4.5:1 (WCAG AA) with both white and near-black text; such a t is moved
    darker until white text reaches 4.5:1.
    """
    dark_text = _luminance(_COLORS["text"])
    while True:
        color = _heat(t)
        lum = _luminance(color)
        if (lum + 0.05) / (dark_text + 0.05) >= 4.5:
            return color, False
        if 1.05 / (lum + 0.05) >= 4.5 or t >= 1.0:
            return color, True
        t = min(1.0, t + 0.01)


def _luminance(color: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- small pieces ---------------------------------------------------------------------------------------------------


def _figure(svg: str, caption: str) -> str:
    return f"<figure>{svg}<figcaption>{_e(caption)}</figcaption></figure>"


def _table(table_id: str, caption: str, headers: Sequence[str | tuple[str, str]], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(
        f'<th scope="col" class="{h[1]}">{_e(h[0])}</th>' if isinstance(h, tuple) else f'<th scope="col">{_e(h)}</th>'
        for h in headers
    )
    body = [f"<tr>{''.join(cells)}</tr>" for cells in rows[:MAX_ROWS]]
    extra = ""
    if len(rows) > MAX_ROWS:
        extra = f'<p class="note">The first {MAX_ROWS} of {_n(len(rows))} rows; the CSV export has them all.</p>'
    return (
        f'<table id="{table_id}"><caption>{_e(caption)}</caption><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>{extra}"
    )


def _td(text: str, css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    inner = _breakable(text) if css in ("name", "list") else _e(text)
    return f"<td{cls}>{inner}</td>"


def _breakable(text: str) -> str:
    """Escaped text with line-break opportunities after '/', '_' and '.' (paths and entity types wrap there)."""
    escaped = _e(text)
    for char in ("/", "_", "."):
        escaped = escaped.replace(char, char + "<wbr>")
    return escaped


def _asset_cell(v: Violation) -> str:
    """The asset, with its source kind and (where known) its AWS account on a second, smaller line."""
    detail = v.source_kind + (f" · account {v.account}" if v.account else "")
    return f'<td class="name">{_breakable(v.asset)}<span class="detail">{_e(detail)}</span></td>'


def _th_row(text: str) -> str:
    return f'<th scope="row">{_e(text)}</th>'


def _empty(text: str) -> str:
    return f'<p class="empty-note">{_e(text)}</p>'


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _n(value: int) -> str:
    return f"{value:,}"


def _count(value: int, noun: str) -> str:
    return f"{value:,} {noun}" if value == 1 else f"{value:,} {noun}s"


def _percent(value: float) -> str:
    return f"{value:.1f} %"


def _of(part: int | None, whole: int) -> str:
    return "unknown" if part is None else f"{_n(part)} of {_n(whole)}"


def _short(label: str) -> str:
    """The label, cut in the middle to fit a chart's label column (a path keeps its start and its file name)."""
    if len(label) <= MAX_LABEL_CHARS:
        return label
    head = (MAX_LABEL_CHARS - 1) // 2
    return label[:head] + "…" + label[-(MAX_LABEL_CHARS - 1 - head) :]


def _ranked(scores: Sequence[Score]) -> list[Score]:
    """Highest score first; a stable sort, so ties keep jobs.report_data's order (level, findings, name)."""
    return sorted(scores, key=lambda s: -s.score)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _when(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%d %H:%M UTC")


def _iso(value: datetime) -> str:
    return _utc(value).isoformat()


def _day_of(value: datetime) -> str:
    return _utc(value).strftime("%Y-%m-%d")


def _day(value: datetime) -> str:
    return _utc(value).strftime("%m-%d %H:%M")


def _sensitivity_rank(name: str) -> int:
    lowered = name.lower()
    return SENSITIVITY_ORDER.index(lowered) if lowered in SENSITIVITY_ORDER else len(SENSITIVITY_ORDER)


def _unknown_last(name: str) -> tuple[bool, str]:
    return (name.lower() == "unknown", name)
