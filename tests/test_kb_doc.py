"""``kb doc``: a page per rule and per conclusion."""

from html.parser import HTMLParser


def test_a_page_per_rule_and_conclusion_in_markdown(runner, cli, kb, tmp_path):
    done = runner.invoke(cli, ["kb", "doc", "-o", str(tmp_path / "docs")])
    assert done.exit_code == 0, done.output
    docs = tmp_path / "docs"
    assert len(list((docs / "rules").glob("*.md"))) == len(kb.rules)
    conclusions = len(kb.levels) + len(kb.hypotheses) + len(kb.notes) + len(kb.tests)
    assert len(list((docs / "conclusions").glob("*.md"))) == conclusions
    page = (docs / "rules" / "mg-ppi-with-diuretic.md").read_text()
    assert page.startswith("# A proton-pump inhibitor together with a diuretic "
                           "(mg-ppi-with-diuretic)\n")
    assert ("\u201cDo you take any of these medicines?\u201d: answer to include \u201cA "
            "proton-pump inhibitor (omeprazole, lansoprazole...) for more than a year\u201d"
            ) in page
    assert "[S42: Begley J et al." in page and "(https://pmc.ncbi.nlm.nih.gov/" in page
    assert "- MG-18: PPI users also taking diuretics are at higher risk" in page
    assert "## Cases that assert it\n\n- strength-ppi-diuretic-cramps" in page
    assert "- [k-magnesium-cause](../rules/k-magnesium-cause.md)" in page  # feeds
    assert "- [mg-diuretic](../rules/mg-diuretic.md)" in page  # refines
    fed = (docs / "rules" / "k-magnesium-cause.md").read_text()
    assert "## Fed by\n\n" in fed and "[mg-ppi-with-diuretic]" in fed.split("## Fed by")[1]
    magnesium = (docs / "conclusions" / "hypothesis-magnesium.md").read_text()
    assert "- [mg-ppi-long-term](../rules/mg-ppi-long-term.md) +0.3: Proton-pump inhibitor" \
        in magnesium
    assert "at most 0.45: Without a risk factor" in magnesium
    assert "t04-ppi-loop-diuretic" in magnesium.split("## Cases that expect it")[1]
    index = (docs / "index.md").read_text()
    assert "[mg-cramps](rules/mg-cramps.md)" in index


def test_html_pages_link_to_each_other(runner, cli, tmp_path):
    docs = tmp_path / "docs"
    assert runner.invoke(cli, ["kb", "doc", "-o", str(docs), "--format",
                               "html"]).exit_code == 0

    class Links(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[str] = []

        def handle_starttag(self, tag, attrs):
            if tag == "a":
                self.found.append(dict(attrs)["href"])

    page = docs / "rules" / "mg-ppi-with-diuretic.html"
    links = Links()
    links.feed(page.read_text())
    local = [href for href in links.found if not href.startswith("http")]
    assert local and all((page.parent / href).resolve().exists() for href in local)
