"""Run every benchmark and print the figures: `make bench`."""
from __future__ import annotations

import sys

from . import audit, companies_house, flags, pack


def main() -> int:
    for module in (flags, audit, pack, companies_house):
        module.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
