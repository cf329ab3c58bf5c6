"""The governance review of flagged decisions: queue, rulings, quorum, sign-off and outcome."""
