"""The README and docs describe the tree as it is."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _layout() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("## Layout", 1)[1].split("```", 2)[1]


def test_the_readme_layout_names_every_part_of_the_package_and_every_top_level_folder():
    layout = _layout()
    packages = [p.name for p in (ROOT / "register").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()]
    missing = [name for name in packages if not re.search(rf"\b{name}/", layout)]
    assert not missing, f"README layout does not mention register/{missing}"
    for folder in ("register", "templates", "tests", "bench", "docs", "instance"):
        assert re.search(rf"^{folder}/", layout, re.M), folder


def test_the_readme_layout_names_nothing_that_is_not_there():
    for name in re.findall(r"\b([a-z_]+)/", _layout()):
        found = (ROOT / name).is_dir() or (ROOT / "register" / name).is_dir() \
            or (ROOT / "tests" / name).is_dir()
        assert found, f"README layout names {name}/, which is not in the tree"


def test_the_docs_the_readme_links_exist_and_a_licence_is_there():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+)\)", readme):
        if "://" not in link:
            assert (ROOT / link).exists(), link
    assert "Permission is hereby granted" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert (ROOT / "docs" / "domain.md").exists()
