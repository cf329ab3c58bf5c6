"""The conflict chain as a graph (register/rules/chains.py): edges, labels, collapse, cycles, escaping."""
from __future__ import annotations

import datetime as dt
import os
import re
import shutil

import pytest

from register.decisions.chains import render_svg
from register.rules.chains import chain_graph, dot_source, dot_text, interest_words
from register.rules.conflicts import Flag, Interest, Organisation, OrgLink

# Tests that run `dot` run whenever CI is set (where it must be installed); elsewhere they are
# skipped only if it is missing.
needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"),
                               reason="Graphviz's dot is not installed")

MEETING = dt.date(2025, 6, 1)
ORGS = {
    1: Organisation(1, "Riverside Surgery", "practice", "A81001", is_member_practice=True),
    2: Organisation(2, "North Primary Care Network", "network", "U10001"),
    3: Organisation(3, "Vale GP Federation Ltd", "federation"),
    4: Organisation(4, "Vale Physio Ltd", "independent"),
}
LINKS = [OrgLink(1, 2, dt.date(2023, 4, 1)), OrgLink(2, 3, dt.date(2019, 7, 1))]
PEOPLE = {10: "Dr Ada Jones", 11: "Sam Lee"}
INTERESTS = {
    100: Interest(100, 10, 1, nature="GP partner with a share of the practice's profits"),
    101: Interest(101, 11, 4, is_indirect=True, associate_relationship="Spouse"),
    102: Interest(102, 10, 3, nature="Director of the federation"),
}


def nested_flags() -> list[Flag]:
    """A partner's practice in a network that belongs to the proposed federation, and more."""
    return [
        Flag("PROVIDER_OWNED_BY_MEMBERS", None, 1, {"provider_id": 3, "link": [1, 2],
                                                    "path": [1, 2, 3]}, "s", "conflict"),
        Flag("INTEREST_IN_MEMBER_OF_PROVIDER", 10, 1,
             {"interest_id": 100, "provider_id": 3, "link": [1, 2], "path": [1, 2, 3]}, "s"),
        Flag("DIRECT_INTEREST", 10, 3, {"interest_id": 102, "provider_id": 3}, "s"),
        Flag("HOME_PRACTICE_PROVIDER", 10, 1, {"home_practice_id": 1, "provider_id": 3,
                                                "link": [1, 2], "path": [1, 2, 3]}, "s"),
        Flag("INDIRECT_INTEREST", 11, 4, {"interest_id": 101, "provider_id": 4}, "s"),
        Flag("LATE_DECLARATION", 11, 4, {"interest_id": 101, "provider_id": 4}, "s", "breach"),
        Flag("ENDED_INTEREST", 11, 2, {"interest_id": 999, "provider_id": 3}, "s", "context"),
    ]


def edges_of(graph) -> set[tuple[str, str, str]]:
    names = {n.id: n.label for n in graph.nodes}
    return {(names[e.source], e.label, names[e.target]) for e in graph.edges}


def test_nested_chain_has_labelled_edges_from_people_to_providers():
    graph = chain_graph(nested_flags(), organisations=ORGS, people=PEOPLE, interests=INTERESTS,
                        links=LINKS, meeting_date=MEETING)
    assert edges_of(graph) == {
        ("Riverside Surgery (A81001)", "member of since 1 April 2023",
         "North Primary Care Network (U10001)"),
        ("North Primary Care Network (U10001)", "member of since 1 July 2019",
         "Vale GP Federation Ltd"),
        ("Dr Ada Jones", "partner at", "Riverside Surgery (A81001)"),
        ("Dr Ada Jones", "director of", "Vale GP Federation Ltd"),
        ("Dr Ada Jones", "home practice", "Riverside Surgery (A81001)"),
        ("Sam Lee", "spouse's interest", "Vale Physio Ltd"),
    }
    kinds = {n.label: n.kind for n in graph.nodes}
    assert kinds["Vale GP Federation Ltd"] == "federation"
    assert kinds["North Primary Care Network (U10001)"] == "network"
    assert kinds["Vale Physio Ltd"] == "company"
    assert {n.label for n in graph.nodes if n.provider} == {"Vale GP Federation Ltd",
                                                           "Vale Physio Ltd"}
    assert {e.kind for e in graph.edges} == {"membership", "direct", "home", "indirect"}
    assert "2 people and 4 organisations" in graph.description


def test_ruled_out_people_are_marked():
    graph = chain_graph(nested_flags(), organisations=ORGS, people=PEOPLE, interests=INTERESTS,
                        links=LINKS, meeting_date=MEETING, ruled_out=[11])
    marked = {n.label for n in graph.nodes if n.ruled_out}
    assert marked == {"Sam Lee"}
    assert 'style="filled,dashed"' in dot_source(graph)


@pytest.mark.parametrize(("nature", "indirect", "relationship", "expected"), [
    ("GP partner with a share of the practice's profits", False, "", "partner at"),
    ("Director of the federation", False, "", "director of"),
    ("Holds shares in the company", False, "", "shareholder in"),
    ("", True, "Spouse", "spouse's interest"),
    ("Son is employed by the company", True, "Son", "son's interest"),
    ("", True, "", "close associate's interest"),
    ("Advises on strategy", False, "", "interest in"),
])
def test_interest_edge_words(nature, indirect, relationship, expected):
    interest = Interest(1, 1, 1, nature=nature, is_indirect=indirect,
                        associate_relationship=relationship)
    assert interest_words(interest)[0] == expected


def large_network_flags(count: int) -> tuple[dict[int, Organisation], list[Flag], list[OrgLink]]:
    orgs = {1: Organisation(1, "Big Network", "network", "U20001"),
            2: Organisation(2, "Big Federation", "federation")}
    flags = [Flag("PROVIDER_OWNED_BY_MEMBERS", None, 2, {"provider_id": 2, "link": [1, 2]}, "s")]
    links = [OrgLink(1, 2), OrgLink(2, 1)]  # a cycle: the federation listed as the network's member
    for number in range(count):
        org_id = 100 + number
        orgs[org_id] = Organisation(org_id, f"Practice {number:03d}", "practice",
                                    f"B{number:05d}", is_member_practice=True)
        flags.append(Flag("PROVIDER_OWNED_BY_MEMBERS", None, org_id,
                          {"provider_id": 2, "link": [org_id, 1], "path": [org_id, 1, 2]}, "s"))
        links.append(OrgLink(org_id, 1))
    # The federation's own flag back through the network: the cycle's other edge.
    flags.append(Flag("PROVIDER_OWNED_BY_MEMBERS", None, 2, {"provider_id": 1, "link": [2, 1]},
                      "s"))
    return orgs, flags, links


def test_more_than_twelve_member_practices_collapse_into_one_node():
    orgs, flags, links = large_network_flags(300)
    flags.append(Flag("HOME_PRACTICE_PROVIDER", 10, 100, {"home_practice_id": 100,
                                                          "provider_id": 2, "link": [100, 1],
                                                          "path": [100, 1, 2]}, "s"))
    graph = chain_graph(flags, organisations=orgs, people=PEOPLE, interests={}, links=links)
    labels = {n.label for n in graph.nodes}
    # Practice 000 has a person of its own, so it stays; the other 299 fold into one node.
    assert "299 member practices" in labels
    assert "Practice 000 (B00000)" in labels
    assert "Practice 001 (B00001)" not in labels
    assert len(graph.nodes) == 5  # network, federation, practice 000, the group, Dr Jones
    (group,) = graph.groups
    assert len(group.names) == 299 and group.names[0] == "Practice 001 (B00001)"
    assert "299 member practices shown as one node" in graph.description


def test_twelve_member_practices_are_drawn_one_by_one():
    orgs, flags, links = large_network_flags(12)
    graph = chain_graph(flags, organisations=orgs, people={}, interests={}, links=links)
    assert not graph.groups
    assert sum(1 for n in graph.nodes if n.kind == "practice") == 12


def test_a_cycle_is_drawn_once():
    orgs, flags, links = large_network_flags(2)
    graph = chain_graph(flags + flags, organisations=orgs, people={}, interests={}, links=links)
    pairs = [(e.source, e.target) for e in graph.edges]
    assert len(pairs) == len(set(pairs))
    assert ("o1", "o2") in pairs and ("o2", "o1") in pairs
    assert len(graph.edges) == 4


STRANGE = 'Dr "Zoë" O\'Brien-Ñúñez \\ <Jones> & 李小龙 \U0001F600 \\'


@pytest.mark.parametrize(("text", "expected"), [
    ('say "hi"', 'say \\"hi\\"'),
    ("back\\slash\\", "back\\\\slash\\\\"),
    ("<Jones>", "<Jones>"),
    ("two\nlines", "two lines"),
])
def test_dot_text_escapes_quotes_and_backslashes(text, expected):
    assert str(dot_text(text)) == expected


def test_dot_source_quotes_every_label_and_never_reads_html():
    orgs = {4: Organisation(4, "<b>Acme</b> \"Ltd\"", "independent")}
    flags = [Flag("INDIRECT_INTEREST", 11, 4, {"interest_id": 101, "provider_id": 4}, "s")]
    graph = chain_graph(flags, organisations=orgs, people={11: STRANGE},
                        interests={101: INTERESTS[101]})
    source = dot_source(graph)
    assert 'label="<b>Acme</b> \\"Ltd\\"' in source
    assert 'Dr \\"Zoë\\" O\'Brien-Ñúñez \\\\ <Jones> & 李小龙 \U0001F600 \\\\"' in source
    assert "label=<" not in source


@needs_dot
def test_strange_names_render_to_svg_with_their_text_intact():
    orgs = {4: Organisation(4, "<b>Acme</b> \"Ltd\"", "independent")}
    flags = [Flag("INDIRECT_INTEREST", 11, 4, {"interest_id": 101, "provider_id": 4}, "s")]
    graph = chain_graph(flags, organisations=orgs, people={11: STRANGE},
                        interests={101: INTERESTS[101]})
    svg = render_svg(dot_source(graph))
    assert svg is not None
    assert "&lt;b&gt;Acme&lt;/b&gt;" in svg
    assert "&lt;Jones&gt; &amp; 李小龙" in svg
    assert "Zoë" in svg and "\\ &lt;Jones&gt;" in svg
    assert re.search(r">spouse(&#39;|')s interest<", svg)


@needs_dot
def test_three_hundred_member_practices_and_a_cycle_render():
    orgs, flags, links = large_network_flags(300)
    svg = render_svg(dot_source(chain_graph(flags, organisations=orgs, people={}, interests={},
                                            links=links)))
    assert svg is not None and "300 member practices" in svg
