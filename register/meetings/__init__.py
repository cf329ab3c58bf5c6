"""A committee's meetings: their agenda items in order, the declarations item and invitations."""
