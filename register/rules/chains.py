"""The chain of each conflict as a graph: who or what stands to gain, through what, from which provider.

`chain_graph(...)` takes a decision's stored flags (see `register.rules.conflicts`) and the names they
need, and returns a `ChainGraph`: nodes for people, practices, networks, federations, companies and
providers, and labelled edges ("partner at", "member of since 1 April 2023", "spouse's interest",
"home practice"), each with a kind that decides its colour. Every edge is drawn once, so a cycle in
the organisation links (a federation listed as a member of its own member) is drawn once too. More
than `COLLAPSE_AFTER` member practices under one organisation, with no person of their own, are
collapsed into one "N member practices" node whose names the page lists.

`dot_source(graph)` writes the graph as Graphviz DOT, escaping every label. Rendering it (running
`dot`) is the shell's job: see `register.decisions.chains`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import graphviz

from register.rules.conflicts import Flag, Interest, Organisation, OrgLink, long_date

COLLAPSE_AFTER = 12

# Flags whose evidence is drawn; the others (late declarations, past interests) stay sentences.
DRAWN_SEVERITIES = ("conflict", "breach", "possible")

# Node fill colours by kind, and edge colours by kind (each paired with a label, so colour is
# never the only way to tell them apart).
NODE_COLOURS = {
    "person": "#ffffff", "ruled_out": "#f3d6d8", "practice": "#e8f1f8", "network": "#d5e8d4",
    "federation": "#fff2cc", "company": "#f5e6ff", "trust": "#eeeeee", "group": "#e8f1f8",
    "other": "#f7f7f7",
}
EDGE_COLOURS = {
    "direct": "#005eb8", "indirect": "#7c2855", "membership": "#006747", "home": "#425563",
    "possible": "#ed8b00",
}
KIND_WORDS = {
    "practice": "GP practice", "network": "primary care network", "federation": "GP federation",
    "independent": "company", "company": "company", "trust": "NHS trust",
    "voluntary": "voluntary organisation",
}


@dataclass(frozen=True)
class Node:
    """A person or organisation in the diagram."""

    id: str
    label: str
    kind: str
    provider: bool = False
    ruled_out: bool = False
    detail: str = ""


@dataclass(frozen=True)
class Edge:
    """A labelled link from a person or member towards a provider."""

    source: str
    target: str
    label: str
    kind: str


@dataclass(frozen=True)
class Group:
    """Member practices collapsed into one node: the node's id and the practices' names."""

    id: str
    parent: str
    names: tuple[str, ...]


@dataclass(frozen=True)
class ChainGraph:
    """A decision's conflict chains: nodes, edges drawn once each, and collapsed groups."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()
    description: str = ""

    def node(self, node_id: str) -> Node | None:
        """The node with this id, if drawn."""
        return next((n for n in self.nodes if n.id == node_id), None)


@dataclass(frozen=True)
class ChainDiagram:
    """The graph with its rendered SVG (None when it could not be drawn: the sentences stand)."""

    graph: ChainGraph
    svg: str | None = None
    title: str = "How each conflict arises"


@dataclass
class _Builder:
    organisations: Mapping[int, Organisation]
    people: Mapping[int, str]
    ruled_out: set[int]
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[tuple[str, str, str], Edge] = field(default_factory=dict)

    def org(self, org_id: int, provider: bool = False) -> str:
        node_id = f"o{org_id}"
        found = self.organisations.get(org_id)
        name = found.name if found else f"organisation {org_id}"
        kind = _org_kind(found.kind if found else "other")
        label = f"{name} ({found.ods_code})" if found and found.ods_code else name
        old = self.nodes.get(node_id)
        self.nodes[node_id] = Node(
            node_id, label, kind, provider=provider or bool(old and old.provider),
            detail=_detail(found))
        return node_id

    def person(self, person_id: int) -> str:
        node_id = f"p{person_id}"
        ruled = person_id in self.ruled_out
        name = self.people.get(person_id, f"person {person_id}")
        self.nodes[node_id] = Node(node_id, name, "person", ruled_out=ruled,
                                   detail="ruled out of the item" if ruled else "")
        return node_id

    def edge(self, source: str, target: str, label: str, kind: str) -> None:
        if source != target:
            self.edges.setdefault((source, target, label), Edge(source, target, label, kind))


def _org_kind(kind: str) -> str:
    if kind in ("practice", "network", "federation", "trust"):
        return kind
    if kind in ("independent", "company"):
        return "company"
    return "other"


def _detail(org: Organisation | None) -> str:
    if org is None:
        return ""
    words = KIND_WORDS.get(org.kind, "")
    if org.is_member_practice:
        words = "member practice"
    return words


def _link_words(member_id: int, parent_id: int, links: Iterable[OrgLink],
                on: dt.date | None) -> str:
    """'member of since 1 April 2023' (the link in force on the meeting date), or 'member of'."""
    chosen = [link for link in links if link.member_id == member_id
              and link.parent_id == parent_id
              and (on is None or ((link.date_from is None or link.date_from <= on)
                                  and (link.date_to is None or link.date_to >= on)))]
    if chosen and chosen[0].date_from is not None:
        return f"member of since {long_date(chosen[0].date_from)}"
    return "member of"


# Words in an interest's nature that say what the edge is, checked in this order.
ROLE_WORDS = (
    ("partner", "partner at"), ("director", "director of"), ("secretary", "company secretary of"),
    ("share", "shareholder in"), ("owner", "owner of"), ("owns", "owner of"),
    ("trustee", "trustee of"), ("salaried", "works at"), ("sessional", "works at"),
    ("locum", "works at"), ("employ", "works at"), ("supervision", "paid by"),
)


def interest_words(interest: Interest | None) -> tuple[str, str]:
    """An interest edge's label and kind: 'director of', "spouse's interest", 'interest in'."""
    if interest is None:
        return "interest in", "direct"
    if interest.is_indirect:
        relationship = " ".join((interest.associate_relationship or "").split()).lower()
        return (f"{relationship}'s interest" if relationship else "close associate's interest",
                "indirect")
    nature = (interest.nature or "").casefold()
    for word, label in ROLE_WORDS:
        if word in nature:
            return label, "direct"
    return "interest in", "direct"


def chain_graph(flags: Iterable[Flag], *, organisations: Mapping[int, Organisation],
                people: Mapping[int, str], interests: Mapping[int, Interest],
                links: Iterable[OrgLink] = (), meeting_date: dt.date | None = None,
                ruled_out: Iterable[int] = (), collapse_after: int = COLLAPSE_AFTER) -> ChainGraph:
    """The graph of a decision's conflict chains, from its stored flags and the names they need.

    `people` names each person; `interests` are keyed by id (an interest's evidence names it);
    `links` give the dates of memberships; `ruled_out` are the people whose ruling keeps them out
    of the item (they are marked)."""
    links = list(links)
    build = _Builder(organisations, people, set(ruled_out))
    for flag in flags:
        if flag.severity not in DRAWN_SEVERITIES:
            continue
        evidence = flag.evidence or {}
        provider_id = evidence.get("provider_id")
        path = [int(p) for p in evidence.get("path") or evidence.get("link") or ()]
        if provider_id is not None and (not path or path[-1] != provider_id):
            path = [*path, int(provider_id)] if path else (
                [int(flag.organisation_id), int(provider_id)]
                if flag.organisation_id is not None else [int(provider_id)])
        if provider_id is not None:
            build.org(int(provider_id), provider=True)
        for member_id, parent_id in zip(path, path[1:], strict=False):
            build.edge(build.org(member_id), build.org(parent_id),
                       _link_words(member_id, parent_id, links, meeting_date), "membership")
        if flag.person_id is None:
            if flag.organisation_id is not None:
                build.org(int(flag.organisation_id))
            continue
        person = build.person(int(flag.person_id))
        home_id = evidence.get("home_practice_id")
        if home_id is not None:
            build.edge(person, build.org(int(home_id)), "home practice", "home")
        interest_id = evidence.get("interest_id")
        if interest_id is not None:
            target = evidence.get("matched_organisation_id") or (path[0] if path
                                                                 else flag.organisation_id)
            if target is None:
                continue
            if flag.severity == "possible":
                words, kind = "possible interest (to confirm)", "possible"
            else:
                words, kind = interest_words(interests.get(int(interest_id)))
            build.edge(person, build.org(int(target)), words, kind)
    return _collapsed(build, collapse_after)


def _collapsed(build: _Builder, collapse_after: int) -> ChainGraph:
    """Fold more than `collapse_after` bare member practices under one parent into one node."""
    edges = list(build.edges.values())
    touched = {e.target for e in edges} | {e.source for e in edges if e.kind != "membership"}
    below: dict[str, list[Edge]] = {}
    for edge in edges:
        source = build.nodes[edge.source]
        outgoing = [e for e in edges if e.source == edge.source]
        if (edge.kind == "membership" and source.kind == "practice" and not source.provider
                and edge.source not in touched and len(outgoing) == 1):
            below.setdefault(edge.target, []).append(edge)
    groups: list[Group] = []
    dropped: set[str] = set()
    for parent, members in sorted(below.items()):
        if len(members) <= collapse_after:
            continue
        group_id = f"g{parent}"
        names = tuple(sorted((build.nodes[e.source].label for e in members), key=str.casefold))
        groups.append(Group(group_id, parent, names))
        build.nodes[group_id] = Node(group_id, f"{len(names)} member practices", "group",
                                     detail=f"of {build.nodes[parent].label}")
        dropped |= {e.source for e in members}
        edges.append(Edge(group_id, parent, "members of", "membership"))
    nodes = tuple(n for n in build.nodes.values() if n.id not in dropped)
    kept = tuple(e for e in edges if e.source not in dropped)
    graph = ChainGraph(nodes, kept, tuple(groups))
    return ChainGraph(nodes, kept, tuple(groups), describe(graph))


def describe(graph: ChainGraph) -> str:
    """A short description of the diagram for its <desc> (the sentences beside it say the rest)."""
    people = sum(1 for n in graph.nodes if n.kind == "person")
    providers = sum(1 for n in graph.nodes if n.provider)
    words = (f"{people} {'person' if people == 1 else 'people'} and "
             f"{len(graph.nodes) - people} organisations linked to {providers} proposed "
             f"{'provider' if providers == 1 else 'providers'} by {len(graph.edges)} "
             f"{'link' if len(graph.edges) == 1 else 'links'}")
    for group in graph.groups:
        words += f"; {len(group.names)} member practices shown as one node"
    return words + ". The sentences beside the diagram describe each conflict."


def dot_text(text: str) -> str:
    """Text made safe for a quoted DOT label: backslashes and quotes escaped, newlines as spaces,
    and never read as an HTML-like label (a name such as <Jones> stays literal)."""
    flat = " ".join(str(text).split())
    return graphviz.nohtml(flat.replace("\\", "\\\\").replace('"', '\\"'))


def dot_source(graph: ChainGraph) -> str:
    """The graph as Graphviz DOT, laid out left to right, every label escaped."""
    dot = graphviz.Digraph("chain", strict=False)
    # DejaVu Sans: the face the PDFs print with, so dot sizes each box for the text drawn in it.
    dot.attr(rankdir="LR", fontname="DejaVu Sans", bgcolor="transparent")
    dot.attr("node", shape="box", style="rounded,filled", fontname="DejaVu Sans", fontsize="11",
             color="#425563")
    dot.attr("edge", fontname="DejaVu Sans", fontsize="9")
    for node in graph.nodes:
        label = dot_text(node.label)
        extra = [w for w in (node.detail, "proposed provider" if node.provider else "") if w]
        if extra:
            label = graphviz.nohtml(f"{label}\\n({dot_text('; '.join(extra))})")
        fill = NODE_COLOURS["ruled_out" if node.ruled_out else node.kind]
        attrs = {"fillcolor": fill}
        if node.provider:
            attrs["penwidth"] = "2.5"
        if node.kind == "person":
            attrs["shape"] = "ellipse"
            attrs["style"] = "filled,dashed" if node.ruled_out else "filled"
        if node.kind == "group":
            attrs["shape"] = "folder"
        dot.node(node.id, label, **attrs)
    for edge in graph.edges:
        colour = EDGE_COLOURS.get(edge.kind, "#425563")
        dot.edge(edge.source, edge.target, dot_text(edge.label), color=colour, fontcolor=colour,
                 style="dashed" if edge.kind == "possible" else "solid")
    return dot.source
