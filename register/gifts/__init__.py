"""Gifts, hospitality and sponsorship: declared, listed and published."""
