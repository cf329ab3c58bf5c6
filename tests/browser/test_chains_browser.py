"""The conflict chain diagram in a real browser: drawn, named for assistive technology, axe-clean."""
from __future__ import annotations

import os
import shutil

import pytest
from PIL import Image

from register.db import connect

from .conftest import axe_violations, sign_in

needs_dot = pytest.mark.skipif(shutil.which("dot") is None and not os.environ.get("CI"),
                               reason="Graphviz's dot is not installed")


@needs_dot
def test_a_governance_lead_sees_each_conflict_chain_drawn(page, live_app, tmp_path):
    db = connect(live_app.config["DATABASE"])
    wards, hub = (db.execute("SELECT reference FROM decisions WHERE title = ?", [title]).fetchone()[0]
                  for title in ("Enhanced health in care homes: network-wide ward rounds",
                                "Phlebotomy in primary care: network blood-taking hub"))
    db.close()
    sign_in(page, "governance")
    page.goto(f"/decisions/{wards}")
    figure = page.locator("figure.app-chain")
    figure.wait_for()
    drawing = figure.locator("svg[role=img]")
    assert drawing.get_attribute("aria-labelledby") == "chain-title chain-desc"
    assert page.locator("#chain-title").text_content() == "How each conflict arises"
    box = drawing.bounding_box()
    viewport = page.viewport_size
    assert box and 300 < box["width"] <= viewport["width"] and box["height"] > 150
    words = figure.evaluate("f => [...f.querySelectorAll('svg text')].map(t => t.textContent)")
    assert "director of" in words and "Dr Zofia Wójcik" in words
    assert axe_violations(page) == []
    shot = tmp_path / "chain.png"
    figure.screenshot(path=str(shot))
    with Image.open(shot) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    # The network's green fill and the ruled-out people's pink are drawn.
    assert sum(n for n, c in colours if c == (0xD5, 0xE8, 0xD4)) > 200
    assert sum(n for n, c in colours if c == (0xF3, 0xD6, 0xD8)) > 200
    page.goto(f"/reviews/{hub}")
    page.locator("figure.app-chain svg[role=img]").wait_for()
    assert axe_violations(page) == []
