"""Regenerate knowledge/reference.yaml from the domain reference (reference.md).

Rules cite source ids (S03) and fact ids (MG-15) of the reference; this keeps
their titles and statements beside the rules, so explanations can quote them.
Run: python tools/import_reference.py ../shared/domain/reference.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

ROW = re.compile(r"^\|\s*([A-Z]+-?[0-9]+[a-z]?|S[0-9]{2}[a-z]?)\s*\|(.*)\|\s*$")


def cells(rest: str) -> list[str]:
    return [c.strip() for c in rest.split("|")]


def main(reference: Path, out: Path) -> None:
    sources, facts = [], []
    section = ""
    for line in reference.read_text(encoding="utf-8").splitlines():
        if line.startswith("## "):
            section = line
        match = ROW.match(line)
        if not match:
            continue
        ident, rest = match.group(1), cells(match.group(2))
        if section.startswith("## 0.") and ident.startswith("S"):
            title, url = rest[0].replace("**", ""), rest[1].split(" ")[0]
            sources.append({"id": ident, "title": title, "url": url})
        elif section.startswith("## 1.") and "-" in ident:
            facts.append({"id": ident, "statement": rest[0].replace("**", "")})
    header = ("# yaml-language-server: $schema=schema/reference.schema.json\n"
              "# Generated from the domain reference by tools/import_reference.py.\n"
              "# Source ids (S03) and fact ids (MG-15) are what rules cite.\n")
    body = yaml.safe_dump({"sources": sources, "facts": facts}, sort_keys=False,
                          allow_unicode=True, width=100)
    out.write_text(header + body, encoding="utf-8")
    print(f"{len(sources)} sources, {len(facts)} facts -> {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(__file__).resolve().parent.parent / "knowledge" / "reference.yaml")
