"""``kb list``, ``kb show`` and ``kb graph``: the knowledge base seen as a whole."""

from typing import Any

from ..kb.strata import dependencies
from ..language.forms import to_nnf
from ..language.model import KnowledgeBase, RuleDef

Node = dict[str, Any]


def rule_rows(kb: KnowledgeBase) -> list[Node]:
    """Every rule as a row of data: what ``kb list --format json`` prints."""
    return [{"id": r.id, "title": r.title, "stratum": r.stratum, "where": r.where,
             "concludes": r.then.describe()[:3]} for r in kb.rules]


def render_list(kb: KnowledgeBase) -> str:
    """``kb list``: one line per rule, so an author can find where it is defined."""
    width = max(len(r.id) for r in kb.rules)
    lines = [f"{r.id:<{width}}  {r.where}  {r.title}" for r in kb.rules]
    lines.append(f"{len(kb.rules)} rules in {kb.version}")
    return "\n".join(lines) + "\n"


def feeds(kb: KnowledgeBase) -> dict[str, list[str]]:
    """rule id -> ids of the rules that read what it concludes."""
    fed: dict[str, list[str]] = {r.id: [] for r in kb.rules}
    for reader, sources in dependencies(kb.rules).items():
        for source in sorted(sources):
            fed[source].append(reader)
    return fed


def show(kb: KnowledgeBase, rule_id: str) -> Node:
    """``kb show``: a rule with its sources and the rules around it in the chain."""
    rule = kb.find_rule(rule_id)
    fed_by = sorted(dependencies(kb.rules)[rule.id])
    return {
        "id": rule.id, "title": rule.title, "where": rule.where, "stratum": rule.stratum,
        "when": [" and ".join(_leaf_text(leaf) for leaf in alt) for alt in rule.alternatives],
        "then": rule.then.describe(), "because": rule.because,
        "sources": [{"id": s, "title": kb.sources[s].title, "url": kb.sources[s].url}
                    for s in rule.sources],
        "evidence": [{"id": e, "statement": kb.evidence[e]} for e in rule.evidence],
        "fed_by": fed_by, "feeds": feeds(kb)[rule.id],
    }


def _leaf_text(leaf: Any) -> str:
    return leaf.describe().replace(" to be established", "")


def render_show(node: Node) -> str:
    """``kb show`` as text, from the same data the JSON prints."""
    lines = [f"{node['id']}: {node['title']}", f"  defined at {node['where']} "
             f"(stratum {node['stratum']})", "  when:"]
    lines += [f"    {'or ' if i else ''}{alt or 'always'}" for i, alt in enumerate(node["when"])]
    lines.append("  then:")
    lines += [f"    {item}" for item in node["then"]]
    lines.append(f"  because: {node['because']}")
    lines.append("  sources:")
    lines += [f"    {s['id']} {s['title']} {s['url']}".rstrip() for s in node["sources"]]
    if node["evidence"]:
        lines.append("  evidence:")
        lines += [f"    {e['id']}: {e['statement']}" for e in node["evidence"]]
    lines.append("  fed by: " + (", ".join(node["fed_by"]) or "answers only"))
    lines.append("  feeds: " + (", ".join(node["feeds"]) or "no other rule"))
    return "\n".join(lines) + "\n"


def graph_edges(kb: KnowledgeBase) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """Nodes (id, kind, label) and edges of questions -> rules -> conclusions."""
    nodes: dict[str, tuple[str, str]] = {}
    edges: list[tuple[str, str]] = []

    def node(ident: str, kind: str, label: str) -> str:
        nodes.setdefault(ident, (kind, label))
        return ident

    for rule in kb.rules:
        r = node(f"rule:{rule.id}", "rule", rule.id)
        for leaf in _nnf_leaves(rule):
            kind = type(leaf).__name__
            if kind == "Ask":
                source = node(f"question:{leaf.question}", "question", leaf.question)
            elif kind == "FactIs":
                source = node(f"fact:{leaf.name}", "fact", leaf.name)
            else:
                source = node(f"hypothesis:{leaf.hypothesis}", "hypothesis", leaf.hypothesis)
            edges.append((source, r))
        for h, _ in rule.then.hypotheses:
            edges.append((r, node(f"hypothesis:{h}", "hypothesis", h)))
        for n, _ in rule.then.notes:
            edges.append((r, node(f"note:{n}", "note", n)))
        for f in rule.then.facts:
            edges.append((r, node(f"fact:{f}", "fact", f)))
        if rule.then.referral:
            edges.append((r, node(f"referral:{rule.then.referral}", "referral",
                                  rule.then.referral)))
    unique = list(dict.fromkeys(edges))
    return [(i, k, label) for i, (k, label) in nodes.items()], unique


def _nnf_leaves(rule: RuleDef) -> list[Any]:
    from ..language.forms import leaves

    return list(dict.fromkeys(leaves(to_nnf(rule.when))))


SHAPES = {"question": "box", "rule": "ellipse", "fact": "diamond", "hypothesis": "hexagon",
          "note": "note", "referral": "octagon"}


def to_dot(kb: KnowledgeBase) -> str:
    """The knowledge as a Graphviz graph: questions -> rules -> conclusions."""
    nodes, edges = graph_edges(kb)
    lines = [f'digraph "{kb.version}" {{', "  rankdir=LR;", '  node [fontname="Helvetica"];']
    lines += [f'  "{i}" [label="{label}", shape={SHAPES[kind]}];' for i, kind, label in nodes]
    lines += [f'  "{a}" -> "{b}";' for a, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_mermaid(kb: KnowledgeBase) -> str:
    """The same graph as Mermaid, which Markdown viewers draw."""
    nodes, edges = graph_edges(kb)
    ids = {i: f"n{k}" for k, (i, _, _) in enumerate(nodes)}
    shape = {"question": ("[", "]"), "rule": ("(", ")"), "fact": ("{", "}"),
             "hypothesis": ("{{", "}}"), "note": (">", "]"), "referral": ("[[", "]]")}
    lines = ["flowchart LR"]
    for i, kind, label in nodes:
        left, right = shape[kind]
        lines.append(f'  {ids[i]}{left}"{kind}: {label}"{right}')
    lines += [f"  {ids[a]} --> {ids[b]}" for a, b in edges]
    return "\n".join(lines) + "\n"


def render_image(dot: str, fmt: str) -> bytes:
    """Render with Graphviz's ``dot``; a clear error when it is not installed."""
    import shutil
    import subprocess

    from ..errors import TwitchdxError

    program = shutil.which("dot")
    if program is None:
        raise TwitchdxError(f"--format {fmt} needs Graphviz's dot program, which is not "
                            "installed; use --format dot or mermaid, or install graphviz")
    done = subprocess.run([program, f"-T{fmt}"], input=dot.encode(), capture_output=True)
    if done.returncode != 0:
        raise TwitchdxError(f"dot failed: {done.stderr.decode(errors='replace').strip()}")
    return done.stdout
