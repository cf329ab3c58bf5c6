"""committees."""
