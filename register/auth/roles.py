"""Roles and what each may do: the one place that says who may do what."""
from __future__ import annotations

ADMIN, SECRETARY, GOVERNANCE, MEMBER, AUDITOR = (
    "admin", "secretary", "governance", "member", "auditor")

ROLE_LABELS = {
    ADMIN: "Administrator",
    SECRETARY: "Board secretary",
    GOVERNANCE: "Governance lead",
    MEMBER: "Board member",
    AUDITOR: "Auditor",
}

# Capabilities, each open to the roles listed.
CAPABILITIES: dict[str, frozenset[str]] = {
    "manage_accounts": frozenset({ADMIN}),
    "edit_reference_data": frozenset({ADMIN, SECRETARY}),
    "import_data": frozenset({ADMIN, SECRETARY}),
    "read_all_interests": frozenset({ADMIN, SECRETARY, GOVERNANCE, AUDITOR}),
    "record_interest_for_others": frozenset({SECRETARY, GOVERNANCE}),
    "see_interest_versions": frozenset({GOVERNANCE, AUDITOR}),
    "declare_own_interests": frozenset({ADMIN, SECRETARY, GOVERNANCE, MEMBER}),
    "read_reference_data": frozenset({ADMIN, SECRETARY, GOVERNANCE, MEMBER, AUDITOR}),
    "see_missing_returns": frozenset({ADMIN, SECRETARY, GOVERNANCE, AUDITOR}),
    "read_audit_trail": frozenset({ADMIN, GOVERNANCE, AUDITOR}),
    # Members read only the decisions they take part in or recorded; the others read them all.
    "read_decisions": frozenset({ADMIN, SECRETARY, GOVERNANCE, MEMBER, AUDITOR}),
    "read_all_decisions": frozenset({ADMIN, SECRETARY, GOVERNANCE, AUDITOR}),
    "record_decisions": frozenset({ADMIN, SECRETARY}),
    # The governance queue: rulings, escalations and sign-off; then the outcome of the item.
    "review_decisions": frozenset({GOVERNANCE}),
    "record_outcomes": frozenset({SECRETARY}),
    # Meetings: created and prepared (details, agenda, moving items) by the secretary.
    "manage_meetings": frozenset({ADMIN, SECRETARY}),
    # Settling interests held as free text: link each to a registered organisation, or mark it.
    "settle_free_text": frozenset({GOVERNANCE, SECRETARY}),
    # The breaches register: read by those who oversee it, recorded and closed by governance.
    "read_breaches": frozenset({ADMIN, GOVERNANCE, AUDITOR}),
    "manage_breaches": frozenset({GOVERNANCE}),
    # Declarations members make or change wait for a governance lead before publication.
    "approve_declarations": frozenset({GOVERNANCE}),
}


# Roles that must sign in with a second factor (when the register requires it, REQUIRE_MFA).
SECOND_FACTOR_REQUIRED = frozenset({ADMIN, GOVERNANCE})


def can(role: str | None, capability: str) -> bool:
    """Whether a role has a capability; unknown capabilities are refused."""
    return role in CAPABILITIES.get(capability, frozenset())
