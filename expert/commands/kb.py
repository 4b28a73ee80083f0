"""``twitchdx kb ...``: check, test, document and export the knowledge, no Python needed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .options import FILE, FOLDER, kb_option, load_kb, output, text_or_json


@click.group("kb")
def kb_group() -> None:
    """Check, test and explore the knowledge base (no Python needed)."""


@kb_group.command("check")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "sarif"]), default="text",
              show_default=True, help="sarif: for editors and code scanning.")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too.")
@kb_option
@click.pass_context
def kb_check(ctx: click.Context, fmt: str, strict: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Check every knowledge file; report every problem as path:line: rule-id: message.

    Errors refuse the knowledge (nothing would load it): exit 1. Warnings are for
    the author: exit 0, or 1 with --strict.
    """
    from expert.authoring.check import (
        check_knowledge,
        counts,
        problems_data,
        sarif,
        summary,
    )
    from expert.consult.contract import to_json

    problems, kb = check_knowledge(kb_dirs)
    if fmt == "json":
        click.echo(to_json(problems_data(problems, kb)), nl=False)
    elif fmt == "sarif":
        click.echo(to_json(sarif(problems)), nl=False)
    else:
        for problem in problems:
            click.echo(str(problem))
    errors, warnings = counts(problems)
    failed = errors or kb is None or (strict and warnings)
    click.echo(summary(problems, kb), err=bool(failed) or fmt != "text")
    if failed:
        ctx.exit(1)


@kb_group.command("test")
@click.argument("selected", nargs=-1, metavar="[CASE]...")
@click.option("--only", "only", type=FOLDER, metavar="DIR",
              help="Only the cases of this knowledge folder.")
@click.option("--fail-under", type=click.FloatRange(0, 100), metavar="N",
              help="Fail when fewer than N% of the rules are asserted by a case.")
@click.option("--mutations", is_flag=True,
              help="Also weaken every rule as a wrong edit would, and report the edits no "
                   "case notices (slower).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "junit"]), default="text",
              show_default=True)
@click.option("--all", "every", is_flag=True,
              help="With --kb: coverage and mutations of every rule, not only the "
                   "extension's own (the rules its folders add or override).")
@kb_option
@click.pass_context
def kb_test(ctx: click.Context, selected: tuple[str, ...], only: Path | None,
            fail_under: float | None, mutations: bool, fmt: str, every: bool,
            kb_dirs: tuple[Path, ...]) -> None:
    """Run the knowledge cases (beside each rule file, rules/NAME.cases/, and in cases/),
    or the CASEs named (ids or files), and report coverage: rules a passing case asserts,
    any: branches no case takes."""
    from expert.authoring.cases import load_cases, run_case, select
    from expert.authoring.coverage import Run, coverage, junit, render_text, report_data
    from expert.authoring.mutation import survivors
    from expert.consult.contract import to_json
    from expert.kb.loader import knowledge_dirs

    kb = load_kb(kb_dirs)
    scope = None
    if kb_dirs and not every:  # an extension's author: their own rules first
        from expert.authoring.diff import rule_changes

        changes = rule_changes(load_kb(()), kb)
        scope = frozenset(c["rule"] for key in ("added", "changed") for c in changes[key])
    cases = select(load_cases(kb, knowledge_dirs(kb_dirs)), selected, only)
    runs = [Run(case, *run_case(kb, case)) for case in cases]
    cover = coverage(kb, runs, scope)
    alive = survivors(kb, cases, scope) if mutations else None
    if fmt == "json":
        click.echo(to_json(report_data(runs, cover, alive)), nl=False)
    elif fmt == "junit":
        click.echo(junit(runs), nl=False)
    else:
        click.echo(render_text(runs, cover, kb, alive), nl=False)
    too_little = fail_under is not None and cover.percent < fail_under
    if too_little:
        click.echo(f"kb test: {cover.percent_text} of the rules asserted, under "
                   f"--fail-under {fail_under:g}", err=True)
    if any(run.failures for run in runs) or too_little or alive:
        ctx.exit(1)


@kb_group.command("diff")
@click.argument("folders", nargs=-1, metavar="[OLD NEW]", type=FOLDER)
@click.option("--vignettes", "vignette_files", multiple=True, metavar="FILE",
              type=click.Path(path_type=Path),
              help="Also run these vignettes (JSON Lines or case files, as evaluate reads).")
@click.option("--tolerance", type=click.FloatRange(0, 1), default=0.005, show_default=True,
              help="Certainties closer than this are the same.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]),
              default="text", show_default=True, help="markdown: for a pull-request comment.")
@kb_option
@click.pass_context
def kb_diff(ctx: click.Context, folders: tuple[Path, ...], vignette_files: tuple[Path, ...],
            tolerance: float, fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """What a knowledge change does to the conclusions: every knowledge case of both sides
    (and the vignettes) run on OLD and NEW knowledge folders, or, with no folders, on the
    knowledge without the last --kb folder and with it.  Exit 0 when nothing changed, 1
    when something did, 2 for bad input."""
    from expert.authoring.diff import Side, knowledge_diff, render_markdown, render_text
    from expert.authoring.evaluate import read_vignettes
    from expert.consult.contract import to_json
    from expert.errors import InputError
    from expert.kb.loader import knowledge_dirs, load_knowledge

    if len(folders) == 2:
        old = knowledge_dirs((folders[0], *kb_dirs), package=False)
        new = knowledge_dirs((folders[1], *kb_dirs), package=False)
    elif not folders and kb_dirs:
        old, new = knowledge_dirs(kb_dirs[:-1]), knowledge_dirs(kb_dirs)
    else:
        raise InputError("kb diff compares two knowledge folders (kb diff OLD NEW), or the "
                         "knowledge without and with an extension (kb diff --kb EXT)")
    before = Side(load_knowledge(tuple(old), package=False), old)
    after = Side(load_knowledge(tuple(new), package=False), new)
    vignettes = read_vignettes(after.kb, list(vignette_files)) if vignette_files else []
    data = knowledge_diff(before, after, vignettes, tolerance)
    render = {"json": to_json, "markdown": render_markdown, "text": render_text}[fmt]
    click.echo(render(data), nl=False)
    if data["changed"]:
        ctx.exit(1)


@kb_group.command("new")
@click.argument("kind", type=click.Choice(["rule", "hypothesis", "note", "question"]))
@click.argument("ident", metavar="ID")
@click.option("--kb", "folder", required=True, metavar="DIR", type=FOLDER,
              help="The knowledge folder to write into (made, with a kb.yaml, if new).")
def kb_new(kind: str, ident: str, folder: Path) -> None:
    """Write a commented skeleton of a rule, hypothesis (with its ceiling rules), note or
    question, with a case beside it: kb check accepts it with only "fill this in"
    warnings."""
    from expert.authoring.scaffold import scaffold

    for path in scaffold(kind, ident, folder):
        click.echo(f"wrote {path}")
    click.echo(f"Next: replace every FILL IN, then twitchdx kb check --kb {folder} and "
               f"twitchdx kb test --kb {folder}", err=True)


@kb_group.command("doc")
@click.option("--output", "-o", "folder", type=FOLDER,
              default=Path("kb-docs"), show_default=True, help="Folder to write the pages in.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html"]), default="markdown",
              show_default=True)
@kb_option
def kb_doc(folder: Path, fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """Write a page per rule and per conclusion: what it concludes, its conditions in
    words, its sources, the cases that assert it, the rules it feeds and is fed by."""
    from expert.authoring.cases import load_cases, run_case
    from expert.authoring.coverage import Run, coverage
    from expert.authoring.doc import pages, write_pages
    from expert.kb.loader import knowledge_dirs

    kb = load_kb(kb_dirs)
    cases = load_cases(kb, knowledge_dirs(kb_dirs))
    runs = [Run(case, *run_case(kb, case)) for case in cases]
    asserted: dict[str, list[str]] = {}
    for run in runs:  # named in fires:, or failing without the rule (coverage's test)
        for rule_id in run.case.expect.get("fires", ()) if not run.failures else ():
            asserted.setdefault(rule_id, []).append(run.case.id)
    for rule_id, case_id in coverage(kb, runs).asserted.items():
        if case_id not in asserted.setdefault(rule_id, []):
            asserted[rule_id].append(case_id)
    written = write_pages(folder, pages(kb, cases, asserted), fmt)
    click.echo(f"kb doc: {len(written)} pages written to {folder} (start at "
               f"{folder / ('index.html' if fmt == 'html' else 'index.md')})")


@kb_group.command("fmt")
@click.argument("paths", nargs=-1, metavar="[PATH]...",
                type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True,
              help="Change nothing: list the files not in the canonical layout, exit 1 if any "
                   "(for CI).")
@click.pass_context
def kb_fmt(ctx: click.Context, paths: tuple[Path, ...], check: bool) -> None:
    """Rewrite rule and case files in one canonical layout: keys in schema order, comments
    and quotes kept.  PATHs are knowledge folders or files (default: ./knowledge if it is
    one, else the package's)."""
    from expert.authoring.fmt import formatted, targets
    from expert.errors import InputError
    from expert.fileio import read_text, write_atomic
    from expert.kb.loader import package_knowledge, top_file

    if not paths:
        here = Path("knowledge")
        paths = (here if here.is_dir() and top_file(here, "kb") else package_knowledge(),)
    changed = []
    found = targets(list(paths))
    if not found:
        raise InputError(f"no rule or case files in {', '.join(map(str, paths))}")
    for kind, path in found:
        text = read_text(path)
        try:
            canonical = formatted(text, kind)
        except Exception as exc:  # ruamel's parse errors: the file is not valid YAML
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
            raise InputError(f"{where}: not valid YAML, not formatted "
                             f"({getattr(exc, 'problem', None) or exc})") from None
        if canonical != text:
            changed.append(path)
            if not check:
                write_atomic(path, canonical)
    verb = "would reformat" if check else "reformatted"
    for path in changed:
        click.echo(f"{verb} {path}")
    click.echo(f"kb fmt: {len(changed)} file{'s' if len(changed) != 1 else ''} {verb}"
               if changed else "kb fmt: every file is in the canonical layout", err=True)
    if check and changed:
        ctx.exit(1)


@kb_group.command("schema")
@click.option("--kind", type=click.Choice(["rules", "questions", "catalog", "reference", "kb",
                                           "case"]), default="rules", show_default=True)
@click.option("--write", is_flag=True,
              help="Write every schema into the schema/ folder of the last --kb folder.")
@kb_option
def kb_schema(kind: str, write: bool, kb_dirs: tuple[Path, ...]) -> None:
    """Print the JSON Schema of a kind of knowledge file, with this base's ids as enums."""
    from expert.consult.contract import to_json
    from expert.kb.schema import KINDS, schema

    kb = load_kb(kb_dirs)
    if write:
        from expert.errors import InputError
        from expert.fileio import write_atomic

        if not kb_dirs:
            raise InputError("--write needs --kb DIR: the knowledge folder to write the "
                             "schemas into (never the installed package)")
        folder = kb_dirs[-1] / "schema"
        folder.mkdir(exist_ok=True)
        for each in KINDS:
            write_atomic(folder / f"{each}.schema.json", to_json(schema(each, kb)))
        click.echo(f"wrote {len(KINDS)} schemas to {folder}", err=True)
        return
    click.echo(to_json(schema(kind, kb)), nl=False)


@kb_group.command("list")
@text_or_json
@kb_option
def kb_list(fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """List every rule: id, file:line, title."""
    from expert.authoring.views import render_list, rule_rows

    kb = load_kb(kb_dirs)
    output(rule_rows(kb) if fmt == "json" else kb, fmt, render_list)


@kb_group.command("show")
@click.argument("rule_id")
@text_or_json
@kb_option
def kb_show(rule_id: str, fmt: str, kb_dirs: tuple[Path, ...]) -> None:
    """Show a rule, its sources, and the rules it feeds and is fed by."""
    from expert.authoring.views import render_show, show

    output(show(load_kb(kb_dirs), rule_id), fmt, render_show)


@kb_group.command("graph")
@click.option("--format", "fmt", type=click.Choice(["dot", "mermaid", "svg", "png"]),
              default="dot", show_default=True)
@click.option("--output", type=FILE,
              help="Write to FILE instead of standard output.")
@kb_option
def kb_graph(fmt: str, output: Path | None, kb_dirs: tuple[Path, ...]) -> None:
    """Draw questions, rules and conclusions as a graph (svg/png need Graphviz)."""
    from expert.authoring.views import render_image, to_dot, to_mermaid

    kb = load_kb(kb_dirs)
    text = to_mermaid(kb) if fmt == "mermaid" else to_dot(kb)
    data = render_image(text, fmt) if fmt in ("svg", "png") else text.encode()
    if output:
        from expert.fileio import write_atomic

        write_atomic(output, data)
        click.echo(f"wrote {output}", err=True)
    elif fmt == "png":
        sys.stdout.buffer.write(data)
    else:
        click.echo(data.decode(), nl=False)


@kb_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["clips"]), default="clips",
              show_default=True, help="clips: a CLIPS 6.4 program that concludes the same.")
@click.option("--output", "-o", type=FILE,
              help="Write to FILE instead of standard output.")
@kb_option
def kb_export(fmt: str, output: Path | None, kb_dirs: tuple[Path, ...]) -> None:
    """Export the knowledge for another engine: the same rules, the same conclusions."""
    from expert.authoring.clips import export_clips

    text = export_clips(load_kb(kb_dirs))
    if output:
        from expert.fileio import check_writable, write_atomic

        check_writable(output, "export")
        write_atomic(output, text)
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)
