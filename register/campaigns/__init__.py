"""Declaration campaigns: everyone in scope confirms their declarations by a deadline."""
