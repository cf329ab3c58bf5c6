"""The pure core: the rules that matter, with no Flask and no SQL."""
