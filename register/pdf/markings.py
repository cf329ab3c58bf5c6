"""The security markings a printed record may carry (kept apart from the layout, so that forms and
commands can offer them without loading the PDF library)."""

MARKINGS = ("OFFICIAL", "OFFICIAL-SENSITIVE")
