"""Printed records: the decision audit record, the board's audit pack and the register of interests."""
