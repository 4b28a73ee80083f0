"""Reports to take away: the HTML page (parsed, and printed by a headless browser where
one is installed), Markdown with the same content, and --output for every format."""

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest

from conftest import EXAMPLES
from expert.report.formats import FORMATS
from expert.text import question_only

PPI = EXAMPLES / "ppi-diuretic.yaml"
WHEN = {"SOURCE_DATE_EPOCH": "1764752400"}  # 03 December 2025, 09:00 UTC
BROWSER = next(filter(None, map(shutil.which, ("chromium", "chromium-browser",
                                               "google-chrome", "chrome"))), None)


class Page(HTMLParser):
    """The text a reader sees, per element, and every URL the page would fetch."""

    def __init__(self):
        super().__init__()
        self.text: list[str] = []
        self.fetches: list[str] = []
        self.tags: list[str] = []
        self.bars: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        self._skip += tag in ("style", "script")
        for key in ("src", "href", "srcset", "data"):
            if attrs.get(key):
                self.fetches.append(attrs[key])
        if tag == "i" and "width:" in (attrs.get("style") or ""):
            self.bars.append(attrs["style"])

    def handle_endtag(self, tag):
        self._skip -= tag in ("style", "script")

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))


def report_json(runner, cli, answers):
    return json.loads(runner.invoke(cli, ["consult", "--answers", str(answers), "--format",
                                          "json", "--no-history"]).stdout)


def html_page(runner, cli, tmp_path, answers=PPI):
    out = tmp_path / "report.html"
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--format", "html",
                               "--output", str(out), "--no-history"], env=WHEN)
    assert done.exit_code == 0, done.output
    assert done.stdout == ""
    assert f"Report written to {out}" in done.stderr
    page = Page()
    page.feed(out.read_text(encoding="utf-8"))
    return out, page


@pytest.mark.parametrize("answers", sorted(EXAMPLES.iterdir()), ids=lambda p: p.name)
def test_the_html_page_holds_everything_a_doctor_needs(runner, cli, tmp_path, answers):
    out, page = html_page(runner, cli, tmp_path, answers)
    report = report_json(runner, cli, answers)
    text = "\n".join(page.text)
    assert "03 December 2025, 09:00 UTC" in text
    assert report["knowledge"]["version"] in text
    for answer in report["answers"]:  # every answer, by its question (not what to do)
        assert " ".join(question_only(answer["text"]).split()) in text
        assert " ".join(answer["answer_text"].split()) in text
    assert "Age:" in text and "Sex:" in text
    referral = report["referral"]
    assert referral["label"] in text
    for reason in referral["reasons"]:
        assert " ".join(reason["text"].split()) in text
    for unknown in report["unknown_questions"]:
        assert " ".join(question_only(unknown["text"]).split()) in text
    assert "Choose all that apply" not in text
    for hypothesis in report["hypotheses"]:
        assert hypothesis["label"] in text and f"{hypothesis['certainty']:.2f}" in text
    for note in report["notes"]:
        assert note["label"] in text
    for test in report["tests_detail"]:
        assert test["label"] in text
    assert " ".join(report["disclaimer"].split()) in text
    widths = [int(re.search(r"width:(\d+)%", b).group(1)) for b in page.bars]
    assert widths == [round(c["certainty"] * 100) for c in report["hypotheses"] +
                      report["notes"]]
    assert page.fetches == []  # self-contained: nothing fetched
    assert "script" not in page.tags
    source = out.read_text()
    assert "@page { size: A4" in source and "@media print" in source
    assert "url(" not in source and "@import" not in source


def test_html_escapes_every_text(kb):
    from expert.report.html import render_html

    report = {"referral": {"level": "routine", "label": "<b>x</b>", "action": "a & b",
                           "reasons": [{"text": "<script>alert(1)</script>"}]},
              "hypotheses": [], "notes": [], "tests": [], "advice": [], "answers": [
                  {"question": "age", "text": "Age?", "answer_text": '"><img src=x>'}],
              "unknown_questions": [], "knowledge": {"version": "v<1>"}, "disclaimer": "d"}
    page = render_html(report)
    assert "<script>" not in page and "<img" not in page and "<b>x" not in page
    assert "&lt;script&gt;" in page and "a &amp; b" in page and "v&lt;1&gt;" in page


def test_markdown_carries_the_same_content_as_text(runner, cli):
    done = runner.invoke(cli, ["consult", "--answers", str(PPI), "--format", "markdown",
                               "--no-history"], env=WHEN)
    markdown = done.stdout
    report = report_json(runner, cli, PPI)
    assert "**Date:** 03 December 2025, 09:00 UTC" in markdown
    assert "**Knowledge:** twitchdx-core 1.0.0" in markdown
    assert "**Age:** 67 years" in markdown and "**Sex:** Male" in markdown
    assert "## Your answers" in markdown
    for answer in report["answers"]:
        assert f"| {question_only(answer['text'])} | {answer['answer_text']} |" in markdown
    assert report["referral"]["label"] in markdown
    assert report["disclaimer"] in " ".join(markdown.split())


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_lists_of_questions_name_them_without_what_to_do(runner, cli, tmp_path, fmt):
    """"Choose all that apply." is said when the question is asked, not in a list of
    questions answered or left open, where it reads as an order."""
    answers = tmp_path / "few.yaml"
    answers.write_text("twitch_at_rest: true\nmedications: [loop_diuretic]\n")
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--format", fmt,
                               "--no-history"])
    assert done.exit_code == 0, done.output
    said = " ".join(done.stdout.split())
    if fmt != "text":  # (a text report lists no answers)
        assert "Do you take any of these medicines?" in said  # answered
    assert "Where are the twitches?" in said  # left open (and could change the report)
    assert "Choose all that apply" not in said


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_writes_every_format_to_a_file(runner, cli, tmp_path, fmt):
    out = tmp_path / f"report.{fmt}"
    done = runner.invoke(cli, ["consult", "--answers", str(PPI), "--format", fmt, "-o",
                               str(out), "--no-history"], env=WHEN)
    assert done.exit_code == 0, done.output
    assert done.stdout == "" and f"Report written to {out}" in done.stderr
    shown = runner.invoke(cli, ["consult", "--answers", str(PPI), "--format", fmt,
                                "--no-history"], env=WHEN).stdout
    assert out.read_text(encoding="utf-8") == shown  # the file is what the screen shows


def test_an_unwritable_output_is_refused_before_the_first_question(runner, cli, tmp_path):
    out = tmp_path / "no-such-folder" / "report.html"
    done = runner.invoke(cli, ["consult", "--format", "html", "--output", str(out)],
                         input="yes\n")
    assert done.exit_code == 2, done.output
    assert "report (--output)" in done.stderr and "Question" not in done.output
    assert not list(tmp_path.rglob("session-*.json"))


@pytest.mark.skipif(BROWSER is None, reason="no headless browser installed here")
def test_a_headless_browser_prints_the_page_on_a4(runner, cli, tmp_path):
    out, _ = html_page(runner, cli, tmp_path)
    pdf = tmp_path / "report.pdf"
    subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                    "--no-pdf-header-footer", f"--print-to-pdf={pdf}", out.as_uri()],
                   capture_output=True, timeout=120, check=True)
    data = pdf.read_bytes()
    boxes = {tuple(round(float(n)) for n in box.split()) for box in
             re.findall(rb"/MediaBox\s*\[([^\]]*)\]", data)}
    assert boxes == {(0, 0, 595, 842)}  # A4 in points
    pages = len(re.findall(rb"/Type\s*/Page[^s]", data))
    assert 1 <= pages <= 6


@pytest.mark.parametrize("fmt", ["text", "markdown", "html"])
def test_a_question_answered_dont_know_is_said_apart_from_one_not_asked(runner, cli,
                                                                        tmp_path, fmt):
    answers = tmp_path / "answers.yaml"
    answers.write_text((EXAMPLES / "eyelid-coffee.yaml").read_text()
                       .replace("sleep_hours: 5.5", "sleep_hours: unknown")
                       .replace("sun_exposure: high\n", ""))
    done = runner.invoke(cli, ["consult", "--answers", str(answers), "--format", fmt,
                               "--no-history"], env=WHEN)
    page = Page()
    page.feed(done.stdout)
    text = " ".join(" ".join(page.text).split()) if fmt == "html" else \
        " ".join(done.stdout.split())
    report = report_json(runner, cli, answers)
    said = {u["question"]: question_only(u["text"]) for u in report["unknown_questions"]}
    assert f"{said['sleep_hours']} (answered: don't know)" in text
    assert said["sun_exposure"] in text
    assert f"{said['sun_exposure']} (answered" not in text
