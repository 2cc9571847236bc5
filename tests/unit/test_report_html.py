"""The HTML report: rendering checks without a browser, then the real page in headless Chromium.

The browser tests drive Debian's ``chromium`` over the DevTools protocol on a pipe (``--remote-debugging-pipe``:
NUL-separated JSON on file descriptors 3 and 4, no websocket, no extra package): they load the written report from a
``file://`` URL, record every network request, console message, log entry and exception, read the key figures from
the live DOM, print it to PDF and keep a full-page screenshot at ``test-artifacts/report.png`` (git-ignored).
They skip when no Chromium is installed; ``.ci/run`` installs it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from jobs.report_html import SECTIONS, render_html, score_band
from jobs.report_model import Coverage, FrameworkPosture, MatrixCell, ReportData, Score, Trend, Violation

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts"
HOSTILE_ASSET = "s3://acme-raw/<script>window.__pwned = 1</script>.csv"
HOSTILE_RULE = '"><img src=x onerror="window.__pwned = 2"> EU data only in eu-* & eu-central-*'


def synthetic_report() -> ReportData:
    """Every section populated; figures chosen so they are easy to check (1,234 findings, 97.5 % coverage)."""
    t = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    return ReportData(
        generated_at=t,
        output="s3://acme-findings/piiscan",
        latest_run="run-20260301-120000",
        assets_with_findings=57,
        findings=1234,
        findings_by_entity={
            "EMAIL_ADDRESS": 500,
            "PHONE_NUMBER": 300,
            "CREDIT_CARD": 200,
            "IBAN_CODE": 134,
            "US_SSN": 100,
        },
        findings_by_sensitivity={"low": 300, "high": 434, "medium": 500},
        violations=[
            Violation(
                asset="s3://acme-crm-us/exports/customers_eu.parquet",
                source_kind="s3",
                region="us-east-1",
                jurisdictions=("DE", "FR"),
                entity_types=("IBAN_CODE", "PHONE_NUMBER"),
                findings=12,
                matched_values=48_210,
                since=datetime(2026, 1, 15, 3, 0, tzinfo=UTC),
                rule="EU personal data only in EU regions",
                account="111122223333",
            ),
            Violation(
                asset="jdbc:postgresql://shop/public.customers",
                source_kind="jdbc",
                region="us-west-2",
                jurisdictions=("EU",),
                entity_types=("EMAIL_ADDRESS",),
                findings=3,
                matched_values=9_900,
                since=None,
                rule="EU personal data only in EU regions",
            ),
            Violation(
                asset=HOSTILE_ASSET,
                source_kind="s3",
                region="unknown",
                jurisdictions=("EU",),
                entity_types=("PHONE_NUMBER",),
                findings=1,
                matched_values=7,
                since=datetime(2026, 2, 1, tzinfo=UTC),
                rule=HOSTILE_RULE,
            ),
        ],
        matrix=[
            MatrixCell("eu-west-1", "EU", assets=30, findings=700, allowed=True),
            MatrixCell("eu-west-1", "US", assets=2, findings=20, allowed=True),
            MatrixCell("us-east-1", "EU", assets=5, findings=12, allowed=False),
            MatrixCell("us-east-1", "US", assets=15, findings=400, allowed=True),
            MatrixCell("us-west-2", "EU", assets=1, findings=3, allowed=False),
            MatrixCell("ap-southeast-2", "AU", assets=3, findings=98, allowed=True),
            MatrixCell("unknown", "EU", assets=1, findings=1, allowed=False),
        ],
        frameworks=[
            FrameworkPosture("PCI_DSS", 6, 200, 51_000, 5, 6, ("s3://acme-payments/cards/", "rds://billing"), 1),
            FrameworkPosture("GDPR", 40, 900, 310_000, 31, None, ("s3://acme-crm-eu/",)),
            FrameworkPosture("HIPAA", 2, 30, 800, None, None, ()),
            FrameworkPosture("CCPA", 12, 300, 44_000, 10, 4, ("s3://acme-crm-us/",)),
            FrameworkPosture("GLBA", 4, 134, 12_000, 4, 0, ("rds://billing",)),
        ],
        scores=_labelled(
            [
                Score(
                    "bucket",
                    "acme-payments",
                    96,
                    210,
                    "high",
                    ("CREDIT_CARD", "IBAN_CODE"),
                    units=12,
                    units_with_findings=9,
                ),
                Score("table", "billing.public.cards", 88, 120, "high", ("CREDIT_CARD",)),
                Score("bucket", "acme-crm-us", 71, 300, "high", ("US_SSN", "EMAIL_ADDRESS")),
                Score("database", "shop", 55, 90, "medium", ("EMAIL_ADDRESS", "PHONE_NUMBER")),
                Score("bucket", "acme-crm-eu", 42, 400, "medium", ("EMAIL_ADDRESS",)),
                Score(
                    "table",
                    "shop.public.newsletter_signups_with_a_very_long_name_2026",
                    30,
                    50,
                    "low",
                    ("EMAIL_ADDRESS",),
                ),
                Score("bucket", "acme-logs", 12, 4, "low", ("IP_ADDRESS",)),
                Score("bucket", "acme-empty", 0, 0, None, ()),
            ]
        ),
        top_assets=_labelled(
            [
                Score("asset", "s3://acme-payments/cards/2026/03/settlements.csv.gz", 98, 40, "high", ("CREDIT_CARD",)),
                Score("asset", "jdbc:postgresql://billing/public.cards", 90, 12, "high", ("CREDIT_CARD",)),
                Score("asset", "s3://acme-crm-us/exports/customers.parquet", 74, 60, "high", ("US_SSN",)),
                Score("asset", "s3://acme-crm-eu/contacts.json", 45, 80, "medium", ("EMAIL_ADDRESS",)),
                Score("asset", "s3://acme-logs/app/2026/03/01/app.log", 14, 4, "low", ("IP_ADDRESS",)),
            ]
        ),
        trends=[
            Trend("run-20260201-120000", datetime(2026, 2, 1, 12, tzinfo=UTC), 900, 900, 0, 0),
            Trend("run-20260208-120000", datetime(2026, 2, 8, 12, tzinfo=UTC), 1100, 260, 60, 15),
            Trend("run-20260215-120000", datetime(2026, 2, 15, 12, tzinfo=UTC), 1180, 120, 40, 30),
            Trend("run-20260301-120000", t, 1234, 84, 30, 12),
        ],
        coverage=Coverage(
            objects_listed=1000,
            objects_scanned=975,
            objects_skipped=15,
            objects_failed=10,
            not_scanned=(
                ("s3://acme-raw/huge/dump.bin", "skipped: binary format"),
                ("s3://acme-raw/locked/a.csv.gz", "failed: AccessDenied"),
            ),
        ),
    )


def _labelled(scores: list[Score]) -> list[Score]:
    """The label jobs.report_data gives: sensitive above 50, as Macie labels 51-100."""
    return [replace(s, label="sensitive" if s.score > 50 else "not sensitive") for s in scores]


def empty_report() -> ReportData:
    return ReportData(
        generated_at=datetime(2026, 3, 1, tzinfo=UTC),
        output="/tmp/findings",
        latest_run=None,
        assets_with_findings=0,
        findings=0,
    )


# --- a small DOM reader for the rendering tests -----------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: tuple[str, ...]  # ids of the enclosing elements that have one
    text: str = ""


@dataclass
class Page(HTMLParser):
    elements: list[Element] = field(default_factory=list)
    _stack: list[Element] = field(default_factory=list)

    def __post_init__(self) -> None:
        HTMLParser.__init__(self, convert_charrefs=True)

    VOID = frozenset({"meta", "br", "wbr", "img", "input", "link", "hr"})

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        parents = tuple(e.attrs["id"] for e in self._stack if "id" in e.attrs)
        element = Element(tag, {k: v or "" for k, v in attrs}, parents)
        self.elements.append(element)
        if tag not in self.VOID:
            self._stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        while self._stack:
            if self._stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self._stack:
            element.text += data

    def by_id(self, element_id: str) -> Element:
        (found,) = [e for e in self.elements if e.attrs.get("id") == element_id]
        return found

    def inside(self, element_id: str, tag: str) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and element_id in e.parents]


def parse(document: str) -> Page:
    page = Page()
    page.feed(document)
    page.close()
    return page


# --- rendering without a browser --------------------------------------------------------------------------------------


def test_key_figures_have_stable_ids() -> None:
    page = parse(render_html(synthetic_report()))
    figures = {key: page.by_id(key) for key in ("total-findings", "assets-with-findings", "violation-count")}
    assert {k: (e.text, e.attrs["data-value"]) for k, e in figures.items()} == {
        "total-findings": ("1,234", "1234"),
        "assets-with-findings": ("57", "57"),
        "violation-count": ("3", "3"),
    }
    coverage = page.by_id("coverage-percent")
    assert (coverage.text, coverage.attrs["data-value"]) == ("97.5 %", "97.5")
    assert page.by_id("latest-run").text == "run-20260301-120000"
    headings = [(e.attrs.get("id"), e.text) for e in page.elements if e.tag == "h2"]
    assert headings == [(f"{sid}-heading", title) for sid, title in SECTIONS]


def test_hostile_strings_render_inert() -> None:
    data = synthetic_report()
    data.findings_by_entity['<b onmouseover="x()">ENTITY</b>'] = 1
    data.scores.append(Score("bucket", "</svg><script>alert(1)</script>", 50, 1, "medium", ("A&B",)))
    data.latest_run = '"><script>alert(2)</script>'
    document = render_html(data)
    page = parse(document)
    tags = {e.tag for e in page.elements}
    assert not tags & {"script", "img", "iframe", "object", "embed", "link", "b", "a", "base", "form"}
    assert not [(e.tag, name) for e in page.elements for name in e.attrs if name.startswith("on")]
    assert "<script" not in document.lower()
    assert "&lt;script&gt;window" in document
    assert "&quot;&gt;&lt;img src=x onerror=&quot;window" in document
    # the hostile text survives as text, exactly
    assert page.by_id("latest-run").text == '"><script>alert(2)</script>'
    assert any(e.text == HOSTILE_ASSET + "s3" for e in page.inside("table-violations", "td"))  # asset, then kind


def test_no_external_references_and_no_scripts() -> None:
    data = synthetic_report()
    data.violations = [v for v in data.violations if v.asset != HOSTILE_ASSET]  # its text quotes a src=
    document = render_html(data)
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", document, re.IGNORECASE)
    for needle in ("<script", "src=", "href=", "@import", "url(", "@font-face", "<link"):
        assert needle not in document.lower(), needle
    page = parse(render_html(synthetic_report()))
    assert not [(e.tag, name) for e in page.elements for name in e.attrs if name in ("src", "href", "srcset", "action")]
    assert "default-src 'none'" in document  # the page itself forbids loading anything


def test_empty_report_renders_a_sensible_page() -> None:
    document = render_html(empty_report())
    page = parse(document)
    assert [e.attrs["id"] for e in page.elements if e.tag == "section"] == [sid for sid, _ in SECTIONS]
    assert page.by_id("total-findings").text == "0"
    assert page.by_id("violation-count").text == "0"
    assert page.by_id("coverage-percent").text == "n/a"
    assert page.by_id("latest-run").text == "none"
    assert not [e for e in page.elements if e.tag == "svg"]
    notes = [e.text for e in page.elements if e.attrs.get("class") == "empty-note"]
    assert "No findings." in notes
    assert "No runs yet." in notes
    assert any("No residency violations" in n for n in notes)


def test_bar_widths_are_proportional_to_values() -> None:
    page = parse(render_html(synthetic_report()))
    bars = [(int(r.attrs["data-value"]), float(r.attrs["width"])) for r in page.inside("chart-entities", "rect")]
    assert [v for v, _ in bars] == [500, 300, 200, 134, 100]  # most frequent first
    longest = bars[0][1]
    assert longest > 300
    for value, width in bars:
        assert width == pytest.approx(longest * value / 500, abs=0.01)
    sensitivity = [r.attrs["data-value"] for r in page.inside("chart-sensitivity", "rect")]
    assert sensitivity == ["434", "500", "300"]  # high, medium, low


def test_score_chart_uses_a_fixed_0_to_100_scale_with_bands() -> None:
    data = replace(
        synthetic_report(), scores=[Score("bucket", "a", 50, 1, "medium", ()), Score("bucket", "b", 25, 1, "low", ())]
    )
    page = parse(render_html(data))
    rects = page.inside("chart-scores", "rect")
    bands = {r.attrs["data-band"]: float(r.attrs["width"]) for r in rects if r.attrs.get("class") == "band"}
    assert set(bands) == {"low", "medium", "high"}
    full = sum(bands.values())
    bars = {r.attrs["data-value"]: float(r.attrs["width"]) for r in rects if "class" not in r.attrs}
    assert bars["50"] == pytest.approx(full / 2, abs=0.01)  # not stretched to the largest score
    assert bars["25"] == pytest.approx(full / 4, abs=0.01)
    assert [score_band(s) for s in (0, 29, 30, 50, 51, 100)] == ["low", "low", "medium", "medium", "high", "high"]


def test_matrix_marks_disallowed_cells() -> None:
    page = parse(render_html(synthetic_report()))
    cells = [c for c in page.inside("table-matrix", "td") if "data-allowed" in c.attrs]
    assert len(cells) == 7
    disallowed = {
        (c.attrs["data-region"], c.attrs["data-jurisdiction"]) for c in cells if "disallowed" in c.attrs["class"]
    }
    assert disallowed == {("us-east-1", "EU"), ("us-west-2", "EU"), ("unknown", "EU")}
    assert all("not allowed" in c.text for c in cells if "disallowed" in c.attrs["class"])
    rows = [e.text for e in page.inside("table-matrix", "th") if e.attrs.get("scope") == "row"]
    assert rows == ["ap-southeast-2", "eu-west-1", "us-east-1", "us-west-2", "unknown"]


def test_matrix_text_keeps_its_contrast() -> None:
    """Every heat-map cell's text (white on dark cells, near-black elsewhere) reaches WCAG AA contrast (4.5:1)."""

    def luminance(color: str) -> float:
        channels = [int(color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, b = (c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    matrix = [MatrixCell("r", f"J{i:03d}", assets=1, findings=i, allowed=True) for i in range(0, 1001, 7)]
    page = parse(render_html(replace(synthetic_report(), matrix=matrix)))
    cells = [c for c in page.inside("table-matrix", "td") if "data-allowed" in c.attrs]
    assert len(cells) == len(matrix)
    ratios = []
    for cell in cells:
        background = luminance(cell.attrs["style"].split(":")[1].strip())
        text = 1.0 if "dark" in cell.attrs["class"].split() else luminance("#111827")
        ratios.append((max(background, text) + 0.05) / (min(background, text) + 0.05))
    assert min(ratios) >= 4.5
    assert {"dark" in c.attrs["class"].split() for c in cells} == {True, False}


def test_charts_and_tables_are_labelled() -> None:
    page = parse(render_html(synthetic_report()))
    charts = [e for e in page.elements if e.tag == "svg"]
    assert {c.attrs["id"] for c in charts} == {
        "chart-sensitivity",
        "chart-entities",
        "chart-frameworks",
        "chart-top-assets",
        "chart-scores",
        "chart-trends",
    }
    for chart in charts:
        assert chart.attrs["role"] == "img"
        titles = page.inside(chart.attrs["id"], "title")
        assert titles and titles[0].attrs["id"] == f"{chart.attrs['id']}-title"
    tables = [e.attrs["id"] for e in page.elements if e.tag == "table"]
    captions = [e for e in page.elements if e.tag == "caption"]
    assert len(captions) == len(tables) >= 6


def test_trend_chart_axis_has_whole_readable_ticks() -> None:
    page = parse(render_html(synthetic_report()))  # at most 900 new findings in a run
    ticks = [e.text for e in page.inside("chart-trends", "text") if e.attrs.get("text-anchor") == "end"]
    assert ticks == ["0", "250", "500", "750", "1,000"]
    bars = {
        (r.attrs["data-run"], r.attrs["data-series"]): float(r.attrs["height"])
        for r in page.inside("chart-trends", "rect")
        if "data-series" in r.attrs
    }
    assert bars[("run-20260201-120000", "new")] == pytest.approx(200 * 900 / 1000, abs=0.01)
    assert bars[("run-20260201-120000", "resolved")] == 0
    assert len(bars) == 4 * 3


def test_long_tails_are_summed_and_single_runs_have_no_trend_chart() -> None:
    data = replace(
        synthetic_report(),
        findings_by_entity={f"TYPE_{i:02d}": 100 - i for i in range(40)},
        trends=synthetic_report().trends[:1],
    )
    page = parse(render_html(data))
    bars = page.inside("chart-entities", "g")
    assert len(bars) == 30
    assert bars[-1].attrs["data-label"] == "other (11 types)"
    assert bars[-1].attrs["data-value"] == str(sum(100 - i for i in range(29, 40)))
    assert not [e for e in page.elements if e.attrs.get("id") == "chart-trends"]
    assert "Only one run so far" in page.by_id("trends").text


# --- the page in a real browser -------------------------------------------------------------------------------------


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class Loaded:
    """What one page load showed: the requests it made, every problem it reported, and what a script read from it."""

    requests: list[str]
    problems: list[str]
    probe: dict[str, Any]
    screenshot: bytes  # PNG of the whole page (when captured)
    pdf: bytes  # the page printed (when captured)
    print_width: int = 0  # the document's width laid out for print on a 710 px wide page (when captured)


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe (fd 3 in, fd 4 out, NUL-separated JSON)."""

    def __init__(self, binary: str, profile: Path, log: Path) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire_pipes() -> None:  # in the child: the protocol's fixed descriptors
            a, b = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(a, 3)
            os.dup2(b, 4)

        self._log = log.open("wb")
        self._process = subprocess.Popen(
            [
                binary,
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--hide-scrollbars",
                "--mute-audio",
                f"--user-data-dir={profile}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=self._log,
            close_fds=False,  # only fds 3 and 4 are inheritable (Python's own descriptors are close-on-exec)
            preexec_fn=wire_pipes,  # runs between fork and exec; the test process starts no threads
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._receive(timeout=30)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            self.events.append(reply)

    def wait_for(self, method: str, session: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(e.get("method") == method and e.get("sessionId") == session for e in self.events):
            self.events.append(self._receive(timeout=deadline - time.monotonic()))

    def _receive(self, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_browser], [], [], max(0.0, remaining))
            if not ready:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return dict(json.loads(message))

    def load(self, url: str, probe: str, *, capture: bool = False) -> Loaded:
        """Open url in a fresh 1280 px wide tab, wait for its load event and run probe; with capture, also take a
        screenshot of the whole page and print it to PDF (about 0.8 s of the 1 s this takes)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.send(f"{domain}.enable", session=session)
        metrics = {"width": 1280, "height": 2000, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session)
        self.events.clear()
        self.send("Page.navigate", {"url": url}, session)
        self.wait_for("Page.loadEventFired", session)
        result = self.send("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
        if "exceptionDetails" in result:
            raise RuntimeError(f"probe failed: {result['exceptionDetails']}")
        screenshot = pdf = b""
        print_width = 0
        if capture:
            height = self.send("Page.getLayoutMetrics", session=session)["cssContentSize"]["height"]
            clip = {"x": 0, "y": 0, "width": 1280, "height": height, "scale": 1}
            shot = self.send(
                "Page.captureScreenshot", {"format": "png", "clip": clip, "captureBeyondViewport": True}, session
            )
            screenshot = base64.b64decode(shot["data"])
            printed = self.send("Page.printToPDF", {"printBackground": True, "preferCSSPageSize": True}, session)
            pdf = base64.b64decode(printed["data"])
            # Letter or A4 less 14 mm margins is about 710 CSS px: laid out for print there, nothing may stick out
            self.send("Emulation.setEmulatedMedia", {"media": "print"}, session)
            self.send("Emulation.setDeviceMetricsOverride", {**metrics, "width": 710}, session)
            width = "document.documentElement.scrollWidth"
            laid_out = self.send("Runtime.evaluate", {"expression": width, "returnByValue": True}, session)
            print_width = int(laid_out["result"]["value"])
        self.send("Target.closeTarget", {"targetId": target})
        events = [e for e in self.events if e.get("sessionId") == session]
        return Loaded(
            requests=[e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"],
            problems=_problems(events),
            probe=result["result"]["value"],
            screenshot=screenshot,
            pdf=pdf,
            print_width=print_width,
        )

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()


def _problems(events: list[dict[str, Any]]) -> list[str]:
    """Console errors and warnings, uncaught exceptions, browser log errors (CSP, failed loads) and failed requests."""
    found = []
    for event in events:
        method, params = event["method"], event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('exception', {}).get('description')}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "warning", "assert"):
            found.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            found.append(f"log {params['entry']['source']}: {params['entry']['text']}")
        elif method == "Network.loadingFailed":
            found.append(f"request failed: {params.get('errorText')}")
    return found


# Runs inside the page: the figures, headings and the shape of what was laid out.
PROBE = """(() => {
  const text = id => { const e = document.getElementById(id); return e ? [e.textContent, e.dataset.value] : null; };
  const box = e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; };
  return {
    title: document.title,
    figures: Object.fromEntries(["total-findings", "assets-with-findings", "violation-count", "coverage-percent",
      "latest-run"].map(id => [id, text(id)])),
    headings: [...document.querySelectorAll("h2")].map(h => h.textContent),
    charts: Object.fromEntries([...document.querySelectorAll("svg.chart")].map(s => [s.id, box(s)])),
    entityBars: [...document.querySelectorAll("#chart-entities rect")].map(r => [+r.dataset.value, box(r)[0]]),
    disallowed: document.querySelectorAll("#table-matrix td.disallowed").length,
    scripts: document.querySelectorAll("script, img, iframe").length,
    pwned: window.__pwned === undefined ? null : window.__pwned,
    scrollWidth: document.documentElement.scrollWidth,
    hostileText: [...document.querySelectorAll("#table-violations td")].some(td => td.textContent.includes("<script>")),
    dom: document.documentElement.outerHTML.length,
  };
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    binary = _chromium()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install chromium; .ci/run installs it)")
    work = tmp_path_factory.mktemp("chromium")
    instance = Browser(binary, work / "profile", work / "chromium.log")
    try:
        yield instance
    finally:
        instance.close()


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _png_distinct_bytes(png: bytes) -> int:
    """Distinct byte values in the decompressed image data: a blank page has a handful, a report hundreds."""
    data, offset = b"", 8
    while offset < len(png):
        (length,) = struct.unpack(">I", png[offset : offset + 4])
        kind = png[offset + 4 : offset + 8]
        if kind == b"IDAT":
            data += png[offset + 8 : offset + 8 + length]
        offset += 12 + length
    return len(set(zlib.decompress(data)))


def test_report_in_headless_chromium(browser: Browser, tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    report.write_text(render_html(synthetic_report()), encoding="utf-8")
    started = time.monotonic()
    page = browser.load(report.as_uri(), PROBE, capture=True)
    elapsed = time.monotonic() - started

    # no network: the only request is the file itself, and nothing went wrong while loading and drawing it
    assert page.requests == [report.as_uri()]
    assert page.problems == []
    # the key figures, as a reader sees them
    assert page.probe["figures"] == {
        "total-findings": ["1,234", "1234"],
        "assets-with-findings": ["57", "57"],
        "violation-count": ["3", "3"],
        "coverage-percent": ["97.5 %", "97.5"],
        "latest-run": ["run-20260301-120000", "run-20260301-120000"],
    }
    assert page.probe["headings"] == [title for _, title in SECTIONS]
    assert page.probe["title"].startswith("Sensitive data report")
    # every chart was laid out, and bars keep their proportions on screen
    assert set(page.probe["charts"]) == {
        "chart-sensitivity",
        "chart-entities",
        "chart-frameworks",
        "chart-top-assets",
        "chart-scores",
        "chart-trends",
    }
    assert all(w > 300 and h > 50 for w, h in page.probe["charts"].values()), page.probe["charts"]
    (top_value, top_width), *rest = page.probe["entityBars"]
    for value, width in rest:
        assert width == pytest.approx(top_width * value / top_value, rel=0.02)
    assert page.probe["disallowed"] == 3
    # the hostile asset name is text on the page, and nothing ran
    assert page.probe["hostileText"] is True
    assert page.probe["scripts"] == 0
    assert page.probe["pwned"] is None
    assert page.probe["scrollWidth"] <= 1280  # no horizontal scrolling at a laptop's width

    # the screenshot, kept as a test artifact
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "report.png").write_bytes(page.screenshot)
    (ARTIFACTS / "report.pdf").write_bytes(page.pdf)
    (ARTIFACTS / "report.html").write_text(report.read_text(encoding="utf-8"), encoding="utf-8")
    width, height = _png_size(page.screenshot)
    assert width == 1280
    assert height >= 2000  # the whole page, every section
    assert len(page.screenshot) > 50_000
    assert _png_distinct_bytes(page.screenshot) > 100
    # it prints: a real PDF of a few pages
    assert page.pdf.startswith(b"%PDF-")
    assert 2 <= len(re.findall(rb"/Type\s*/Page[^s]", page.pdf)) <= 12
    assert page.print_width <= 710
    assert elapsed < 10, f"loading the report took {elapsed:.1f} s"


def test_empty_report_in_headless_chromium(browser: Browser, tmp_path: Path) -> None:
    report = tmp_path / "empty.html"
    report.write_text(render_html(empty_report()), encoding="utf-8")
    page = browser.load(report.as_uri(), PROBE)
    assert page.requests == [report.as_uri()]
    assert page.problems == []
    assert page.probe["figures"]["total-findings"] == ["0", "0"]
    assert page.probe["figures"]["coverage-percent"] == ["n/a", ""]
    assert page.probe["headings"] == [title for _, title in SECTIONS]
    assert page.probe["charts"] == {}


def test_browser_check_catches_errors_and_requests(browser: Browser, tmp_path: Path) -> None:
    """The harness itself: a page that fetches, fails and throws must not pass the checks above."""
    bad = tmp_path / "bad.html"
    bad.write_text(
        '<!DOCTYPE html><html><head><title>bad</title></head><body><h2>x</h2><img src="missing.png">'
        '<img src="http://127.0.0.1:9/pixel.png"><script>console.error("boom"); undefinedFunction();</script>'
        "</body></html>",
        encoding="utf-8",
    )
    page = browser.load(bad.as_uri(), PROBE)
    assert any(url.startswith("http://127.0.0.1:9/") for url in page.requests)
    assert any(url.endswith("/missing.png") for url in page.requests)
    joined = "\n".join(page.problems)
    assert "console.error: ['boom']" in joined
    assert "undefinedFunction" in joined
    assert "request failed" in joined
