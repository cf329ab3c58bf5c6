"""A decision's audit events in words, as its page and its printed record both give them."""
from __future__ import annotations

from typing import Any

HISTORY_ACTIONS = {"create": "Started", "update": "Changed", "submit": "Submitted",
                   "flags_changed": "Conflict flags recalculated",
                   "flags_moved_status": "Conflict flags changed its status",
                   "rulings": "Rulings recorded", "escalate": "Escalation recorded",
                   "sign_off": "Conflicts signed off", "sign_off_voided": "Sign-off voided",
                   "record_outcome": "Outcome recorded", "publish": "Published",
                   "return": "Returned for more information", "withdraw": "Withdrawn",
                   "ratify": "Chair's action ratified", "imported": "Imported",
                   "content_baseline": "Content recorded when the audit trail became keyed",
                   "representation_recorded": "Representation received",
                   "representation_answered": "Representation answered"}
# The contract's modifications are events of their own records, shown in the decision's history.
MODIFICATION_ACTIONS = {"create": "Contract modification recorded",
                        "update": "Notice of the contract modification recorded"}
HISTORY_FIELDS = {
    "title": "title", "description": "description", "choice": "make or buy",
    "contract_kind": "existing or new contract", "regime": "regime", "process": "process",
    "total_value_pence": "total value", "annual_value_pence": "annual value",
    "contract_start": "contract start", "contract_end": "contract end",
    "clinical_lead_id": "clinical lead", "contract_manager_id": "contract manager",
    "meeting_date": "meeting date", "decision_process": "decision-making process",
    "offered_to_all_member_practices": "offered to all member practices",
    "awarded_provider_id": "provider awarded", "justification": "justification",
    "comments": "comments", "participants": "people taking part",
    "providers": "proposed providers", "options": "options considered",
    "criteria": "key criteria", "route_reasons": "why the route was chosen",
    "selection_criteria": "basic selection criteria", "exclusions": "exclusions",
    "score_out_of": "scoring scale", "scores": "providers' scores", "status": "status",
    "submitted_at": "submitted",
    "flags": "conflict flags", "reference": "reference", "committee_id": "committee",
}

# Bookkeeping columns an edit also touches, never worth naming.
_UNNAMED = ("created_at", "author_user_id", "version", "id")


def action_words(action: str) -> str:
    """What a decision's event did, in words ("Submitted", "Conflict flags recalculated")."""
    return HISTORY_ACTIONS.get(action, action.replace("_", " ").capitalize())


def fields_in_words(changes: Any) -> list[str]:
    """The fields an event's changes name, in words, in alphabetical order (bookkeeping left
    out)."""
    if not isinstance(changes, dict):
        return []
    return sorted(HISTORY_FIELDS.get(key, key.replace("_", " ")) for key in changes
                  if key not in _UNNAMED)
