"""Draw a flagged decision's conflict chains: gather the names, build the graph, run `dot`.

The graph is `register.rules.chains` (pure). This module reads what it needs (the stored flags on
the record, the facts the conflict rules read) and renders the DOT source to SVG with Graphviz's
`dot`, with a timeout, caching the SVG in memory by the DOT source. It never writes: a page, a PDF
or an export draws the diagram on the fly. Without `dot` (or if it fails) there is no SVG and the
conflict sentences stand alone.

A page asks for the diagram with the version of the facts it read (`versioned.facts_version`:
the audit trail's head, read with or before the record), and a page whose version is unchanged
reuses the diagram drawn for it (`page_diagram`, bounded, in memory) without gathering the facts
again.
"""
from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
from collections.abc import Hashable, Sequence
from typing import Any

from markupsafe import Markup, escape
from sqlite_utils import Database

from ..rules import chains as chain_rules
from ..rules import conflicts as conflict_rules
from ..rules.rulings import may_be_present
from .flagging import gather_facts, gather_facts_many
from .record import DecisionRecord
from .versioned import VersionedCache

log = logging.getLogger(__name__)

DOT_TIMEOUT_SECONDS = 20


def dot_available() -> bool:
    """Whether Graphviz's `dot` is on the PATH."""
    return shutil.which("dot") is not None


def render_svg(source: str) -> str | None:
    """SVG for this DOT source from `dot`, or None when `dot` is missing, fails or times out."""
    dot = shutil.which("dot")
    return _rendered(dot, source) if dot else None


@functools.lru_cache(maxsize=128)
def _rendered(dot: str, source: str) -> str | None:
    # Cached by the DOT source: the same chains give the same picture, drawn once per process.
    try:
        done = subprocess.run(  # noqa: S603 (an argument list, no shell)
            [dot, "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as problem:
        log.warning("The conflict diagram could not be drawn: %s", problem)
        return None
    if done.returncode != 0 or not done.stdout:
        log.warning("dot failed drawing a conflict diagram: %s",
                    done.stderr.decode("utf-8", "replace")[:500])
        return None
    return done.stdout.decode("utf-8")


def chain_graph_for(db: Database, rec: DecisionRecord,
                    facts: dict[str, Any] | None = None) -> chain_rules.ChainGraph | None:
    """The conflict chains of a flagged decision as a graph (None when nothing is flagged);
    `facts` are the decision's facts when the caller has read them already."""
    if not rec.flags:
        return None
    facts = facts if facts is not None else gather_facts(db, rec.id)
    if facts is None:
        return None
    flags = [conflict_rules.Flag(f.rule, f.person_id, f.organisation_id, dict(f.evidence or {}),
                                 f.sentence, f.severity) for f in rec.flags]
    people = {p.person_id: p.name for p in facts["participants"]}
    people.update({f.person_id: f.person_name for f in rec.flags
                   if f.person_id is not None and f.person_name})
    graph = chain_rules.chain_graph(
        flags, organisations=facts["organisations"], people=people,
        interests={i.id: i for i in facts["interests"]}, links=facts["links"],
        meeting_date=rec.meeting_date,
        ruled_out=[r.person_id for r in rec.rulings if not may_be_present(r.ruling)])
    # A lone box (a provider that is itself a member practice) says nothing the sentence does not.
    return graph if graph.edges else None


def diagram_for(db: Database, rec: DecisionRecord) -> chain_rules.ChainDiagram | None:
    """The decision's chain diagram with its SVG (svg None without `dot`), or None if unflagged."""
    graph = chain_graph_for(db, rec)
    if graph is None:
        return None
    return chain_rules.ChainDiagram(graph, render_svg(chain_rules.dot_source(graph)))


# Graphs laid out by one `dot` process: far fewer process starts for a pack of many decisions.
DOT_BATCH = 50


def render_svgs(sources: Sequence[str], batch: int = DOT_BATCH) -> list[str | None]:
    """SVG for each DOT source, as `render_svg` gives it, laid out by one `dot` process for
    each batch of sources (a source dot cannot draw is drawn again on its own, for its log)."""
    dot = shutil.which("dot")
    if not dot:
        return [None] * len(sources)
    out: list[str | None] = []
    for start in range(0, len(sources), batch):
        some = sources[start:start + batch]
        drawn = _rendered_together(dot, tuple(some))
        out += drawn if drawn is not None else [_rendered(dot, source) for source in some]
    return out


def _rendered_together(dot: str, sources: tuple[str, ...]) -> list[str] | None:
    if len(sources) == 1:
        one = _rendered(dot, sources[0])
        return None if one is None else [one]
    try:
        done = subprocess.run(  # noqa: S603 (an argument list, no shell)
            [dot, "-Tsvg"], input="\n".join(sources).encode("utf-8"), capture_output=True,
            timeout=DOT_TIMEOUT_SECONDS * 3, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    # One SVG document a graph, each opening with its XML declaration; dot numbers the graphs
    # after the first ("page0,1_graph0"), which a graph drawn alone does not have.
    parts = done.stdout.decode("utf-8").split("<?xml")[1:] if done.returncode == 0 else []
    if len(parts) != len(sources):
        return None
    return [_BATCH_GRAPH_ID.sub('<g id="graph0"', "<?xml" + part, count=1) for part in parts]


_BATCH_GRAPH_ID = re.compile(r'<g id="page\d+,\d+_graph0"')


def svgs_for(db: Database, records: Sequence[DecisionRecord],
             batch: int = DOT_BATCH) -> dict[int, str | None]:
    """The chain diagram's SVG of each of these decisions by id (None when a decision has no
    diagram, or without `dot`): their facts read together, their graphs laid out together."""
    flagged = [rec for rec in records if rec.flags]
    facts = gather_facts_many(db, [rec.id for rec in flagged]) if flagged else {}
    graphs = {rec.id: graph for rec in flagged
              if rec.id in facts and (graph := chain_graph_for(db, rec, facts[rec.id]))}
    drawn = render_svgs([chain_rules.dot_source(graph) for graph in graphs.values()], batch)
    found: dict[int, str | None] = {rec.id: None for rec in records}
    found.update(zip(graphs, drawn, strict=True))
    return found


_PROLOGUE = re.compile(r"^.*?(?=<svg\b)", re.S)
# dot writes labels as escaped XML text and we give it no URLs; refuse anything active anyway.
_ACTIVE = re.compile(r"<script|<foreignObject|\son[a-z]+\s*=|javascript:", re.I)
_DOT_TITLE = re.compile(r"<title>[^<]*</title>")
_SIZE = re.compile(r'<svg width="([0-9.]+)pt" height="([0-9.]+)pt"')


def accessible_svg(diagram: chain_rules.ChainDiagram, element_id: str = "chain") -> Markup | None:
    """The diagram's SVG for a page: no XML prologue, role="img", a <title> and <desc> first,
    and scaled to fit its container. `dot` writes every label as escaped XML text."""
    if not diagram.svg or _ACTIVE.search(diagram.svg):
        return None
    svg = _PROLOGUE.sub("", diagram.svg, count=1)
    # dot titles each shape with its internal id ("o12"), which browsers show as a tooltip.
    svg = _DOT_TITLE.sub("", svg)
    svg = _SIZE.sub(lambda m: f'<svg width="{m[1]}pt" height="{m[2]}pt" class="app-chain__svg"',
                    svg, count=1)
    head = (f' role="img" aria-labelledby="{element_id}-title {element_id}-desc">'
            f'<title id="{element_id}-title">{escape(diagram.title)}</title>'
            f'<desc id="{element_id}-desc">{escape(diagram.graph.description)}</desc>')
    opening = svg.index(">", svg.index("<svg"))
    return Markup(svg[:opening] + head + svg[opening + 1:])  # noqa: S704 (dot's escaped output)


PAGE_CACHE_SIZE = 256
_page_cache: VersionedCache[dict[str, object] | None] = VersionedCache(PAGE_CACHE_SIZE)


def page_diagram(db: Database, rec: DecisionRecord | None,
                 version: Hashable | None = None) -> dict[str, object] | None:
    """What a page shows of the diagram: the accessible SVG and each collapsed group's practices
    (None when the decision is unflagged or the diagram cannot be drawn). With the `version`
    of the facts `rec` was read at (`versioned.facts_version`), a diagram already drawn for that
    version is reused from memory; nothing is ever stored in the database."""
    if rec is None:
        return None
    if version is None:
        return _page_diagram(db, rec)
    return _page_cache.get((version, rec.id, shutil.which("dot")),
                           lambda: _page_diagram(db, rec))


def _page_diagram(db: Database, rec: DecisionRecord) -> dict[str, object] | None:
    diagram = diagram_for(db, rec)
    svg = accessible_svg(diagram) if diagram else None
    if diagram is None or svg is None:
        return None
    labels = {n.id: n.label for n in diagram.graph.nodes}
    return {"svg": svg, "title": diagram.title, "description": diagram.graph.description,
            "groups": [{"parent": labels.get(g.parent, ""), "names": g.names}
                       for g in diagram.graph.groups]}
