"""The HTML report: self-contained, escaped, evidence marked and linked, charts; rendered in headless Chromium."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from grade.cli import main
from grade.core.grader import get_rubric, grade_text
from grade.report.render import render

from .conftest import ANSWERS

MOCK1 = ANSWERS / "mock1.md"


class Page(HTMLParser):
    """Just enough of a DOM: ids, marks (with their text and link), chart bars, links."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.marks: list[dict] = []
        self.bars: dict[str, list[dict]] = {}
        self.hrefs: list[str] = []
        self.tags: list[str] = []
        self.lines: dict[int, str] = {}
        self._stack: list[tuple[str, dict]] = []
        self._svg: str | None = None
        self._mark: dict | None = None
        self._line: int | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "svg":
            self._svg = a.get("id")
            self.bars.setdefault(self._svg or "", [])
        if tag == "rect" and self._svg and "bar" in (a.get("class") or "").split():
            self.bars[self._svg].append(a)
        if tag == "a" and "href" in a:
            self.hrefs.append(a["href"])
            if self._mark is not None:
                self._mark["href"] = a["href"]
        if tag == "mark":
            self._mark = {"class": a.get("class", ""), "criteria": a.get("data-criteria", "").split(),
                          "text": "", "line": self._line}
        if tag == "div" and (a.get("id") or "").startswith("L") and "line" in (a.get("class") or ""):
            self._line = int(a["id"][1:])
            self.lines[self._line] = ""

    def handle_endtag(self, tag):
        if tag == "svg":
            self._svg = None
        if tag == "mark" and self._mark is not None:
            self.marks.append(self._mark)
            self._mark = None

    def handle_data(self, data):
        if self._mark is not None:
            self._mark["text"] += data


def _check_page(page: Page, text: str) -> None:
    result = grade_text(text, name=str(MOCK1))
    evidence = [(c, e) for c in result.criteria for e in c.evidence]
    assert evidence, "mock1 has evidence to mark"
    assert len(page.marks) >= len({(e.line, e.quote) for _, e in evidence}) // 2
    # Every mark is a verbatim piece of an evidence quote on its line, and links to its criterion.
    for m in page.marks:
        assert m["href"] == f"#crit-{m['criteria'][0]}"
        assert m["href"][1:] in page.ids
        quotes = [e.quote for c, e in evidence if e.line == m["line"] and c.id in m["criteria"]]
        assert any(m["text"] in q for q in quotes), m
    # Every evidence quote is covered by marks naming its criterion, on its line.
    for c, e in evidence:
        marked = "".join(m["text"] for m in page.marks if m["line"] == e.line and c.id in m["criteria"])
        assert e.quote in marked, (c.id, e.quote)
        assert f"#crit-{c.id}" in page.hrefs
    # Every criterion has its own target, and every link on the page points inside it.
    for c in result.criteria:
        assert f"crit-{c.id}" in page.ids
    assert all(h.startswith("#") and h[1:] in page.ids for h in page.hrefs)
    # The charts: six parts, ten mechanics, bar widths from the levels.
    assert len(page.bars["chart-parts"]) == 6
    mechanics = [c for c in result.criteria if c.section == "mechanics"]
    assert len(page.bars["chart-mechanics"]) == len(mechanics) == 10
    for bar, c in zip(page.bars["chart-mechanics"], mechanics, strict=True):
        assert float(bar["data-value"]) == c.level / 2
    # The critique and the follow-ups are there, and the answer line by line.
    assert {"critique", "followups", "answer", "chart"} <= page.ids
    for i in range(1, len(result.followups) + 1):
        assert f"followup-{i}" in page.ids
    assert len(page.lines) == len(text.splitlines())


def test_html_is_self_contained_escaped_and_linked() -> None:
    text = MOCK1.read_text(encoding="utf-8")
    html = render(grade_text(text, name=str(MOCK1)), "html", answer=text, rubric=get_rubric()[0])
    assert html.startswith("<!doctype html>")
    for banned in ("http://", "https://", "<script", "<link", "src=", "@import", "url("):
        assert banned not in html
    assert "needs &lt; 200 ms" in html  # the answer's own "<" is escaped
    _check_page(Page(html), text)


def test_answer_text_cannot_inject_markup() -> None:
    text = ("# Idempotency\n"
            "- Dedupe on event_id <script>alert(1)</script> with a MERGE keyed on (tenant_id, event_id)\n"
            '- <img src=x onerror=alert(2)> "quoted" & more\n')
    html = render(grade_text(text, prompt="1"), "html", answer=text, rubric=get_rubric()[0])
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_cli_writes_html_and_refuses_to_overwrite(tmp_path) -> None:
    out = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["--format", "html", str(MOCK1), "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert r.output == ""
    first = out.read_text(encoding="utf-8")
    assert "<svg" in first
    out.write_text("keep me", encoding="utf-8")
    again = CliRunner().invoke(main, ["--format", "html", str(MOCK1), "-o", str(out)])
    assert again.exit_code == 2
    assert "already exists" in again.output and "--force" in again.output
    assert out.read_text(encoding="utf-8") == "keep me"
    forced = CliRunner().invoke(main, ["--format", "html", str(MOCK1), "-o", str(out), "--force"])
    assert forced.exit_code == 0
    assert out.read_text(encoding="utf-8") == first


def test_cli_html_to_stdout_and_one_answer_per_page(tmp_path) -> None:
    r = CliRunner().invoke(main, ["--format", "html", str(MOCK1)])
    assert r.exit_code == 0 and r.output.startswith("<!doctype html>")
    two = CliRunner().invoke(main, ["--format", "html", str(MOCK1), str(MOCK1)])
    assert two.exit_code == 2 and "one FILE" in two.output
    missing_dir = CliRunner().invoke(main, ["--format", "html", str(MOCK1), "-o", str(tmp_path / "no" / "r.html")])
    assert missing_dir.exit_code == 2 and "no such folder" in missing_dir.output


def test_output_option_works_for_every_format(tmp_path) -> None:
    for fmt in ("text", "markdown", "json"):
        out = tmp_path / f"r.{fmt}"
        r = CliRunner().invoke(main, ["--format", fmt, str(MOCK1), "-o", str(out)])
        assert r.exit_code == 0, r.output
        assert out.read_text(encoding="utf-8") == CliRunner().invoke(main, ["--format", fmt, str(MOCK1)]).output


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def test_html_renders_in_headless_chromium(tmp_path) -> None:
    binary = _chromium()
    if binary is None:
        pytest.skip("no chromium binary on PATH (Debian: apt-get install chromium)")
    page_file = tmp_path / "report.html"
    r = CliRunner().invoke(main, ["--format", "html", str(MOCK1), "-o", str(page_file)])
    assert r.exit_code == 0, r.output
    cmd = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run",
           f"--user-data-dir={tmp_path / 'chromium-profile'}", "--dump-dom", page_file.as_uri()]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert "<mark" in dom and "chart-mechanics" in dom, dom[:500]
    _check_page(Page(dom), MOCK1.read_text(encoding="utf-8"))
