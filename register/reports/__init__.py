"""Printed reports: the decision audit record and the board's audit pack, as PDF downloads."""
