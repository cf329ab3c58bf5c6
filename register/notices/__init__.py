"""The Provider Selection Regime's notices, standstill and representations for a decision."""
