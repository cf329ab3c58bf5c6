"""Make-or-buy decisions: recording, flagging and the register of procurement decisions."""
