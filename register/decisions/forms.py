"""Forms for make-or-buy decisions: the short first step, and the one form with everything else
(shown whole on the full edit page, or a section at a time from the task list)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from werkzeug.datastructures import MultiDict
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from ..forms import BaseForm, DateInputField, MaxLength, Required, strip_text
from ..rules import routes, task_list
from ..rules.decisions import (
    CHOICES,
    CONTRACT_KINDS,
    KEY_CRITERIA,
    MONEY_FORMAT_MESSAGE,
    PARTICIPANT_ROLES,
    PROCESSES,
    REGIMES,
    assesses_key_criteria,
    criteria_not_assessed_problem,
    dates_problem,
    duplicate_people_problem,
    format_money,
    meeting_date_problem,
    parse_money,
    regime_problem,
    values_problem,
    weights_problem,
)
from ..rules.text import forbidden_character
from ..timeutil import today_uk

OUTCOMES = {"chosen": "Chosen", "rejected": "Rejected"}
LONG_TEXT = 5000


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def regime_process_choices(meeting_date: dt.date | None = None) -> list[tuple[str, str, list]]:
    """The valid regime and process pairs, grouped by regime, the one for the date first."""
    order = list(REGIMES)
    if meeting_date is not None and meeting_date >= dt.date(2024, 1, 1):
        order.sort(key=lambda regime: regime != "psr")
    elif meeting_date is not None:
        order.sort(key=lambda regime: regime != "pcr2013")
    return [(regime, REGIMES[regime],
             [(f"{regime}:{process}", label) for process, label in PROCESSES[regime].items()])
            for regime in order]


class _Row(Form):
    """A repeated group of fields; trims typed text like the base form does."""

    class Meta:
        def bind_field(self, form, unbound_field, options):  # noqa: ANN001
            if issubclass(unbound_field.field_class, (StringField, TextAreaField)):
                options["filters"] = (*options.get("filters", ()), strip_text)
            return unbound_field.bind(form=form, **options)


class MemberRow(_Row):
    """A committee member: ticked if they took part, and in what role."""

    person_id = HiddenField()
    present = BooleanField("Took part")
    role = SelectField("Role", choices=list(PARTICIPANT_ROLES.items()), validate_choice=False)


class ExtraPersonRow(_Row):
    """Someone who is not a committee member but took part (an evaluator, a co-opted member)."""

    person_id = SelectField("Person", validate_choice=False)
    role = SelectField("Role", choices=list(PARTICIPANT_ROLES.items()), validate_choice=False,
                       default="evaluator")


class OptionRow(_Row):
    """One option considered, its outcome and the reason."""

    description = StringField("Option")
    outcome = SelectField("Outcome", choices=[("", "Choose"), *OUTCOMES.items()],
                          validate_choice=False)
    reason = TextAreaField("Reason")


class ScoreRow(_Row):
    """One proposed provider's assessment and score, beside the provider box of the same number."""

    score = StringField("Score")
    assessment = TextAreaField("Assessment")


# What the form says when a part the route records is left empty.
PART_NEEDED = {
    routes.ROUTE_REASONS: "Say why this route was chosen",
    routes.SELECTION_CRITERIA: "Say how the providers met the basic selection criteria",
    routes.EXCLUSIONS: "Say how the providers were checked against the grounds for exclusion",
}


class NewDecisionForm(BaseForm):
    """The short first step: what, which committee and when."""

    title = StringField("Decision title", [Required("Enter the decision title"), MaxLength(200)])
    committee_id = SelectField("Committee that decides", validate_choice=False)
    meeting_date = DateInputField("Meeting date", noun="the meeting date", required=True)
    choice = RadioField("Make or buy", choices=list(CHOICES.items()), validate_choice=False)
    regime_process = SelectField("Procurement regime and process", validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.regime_process.choices = [("", "")] + [
            pair for _regime, _label, pairs in regime_process_choices() for pair in pairs]

    def validate_committee_id(self, field: Field) -> None:
        valid = {str(value) for value, _label in field.choices if value}
        if field.data not in valid:
            raise ValidationError("Select the committee that decides")

    def validate_meeting_date(self, field: Field) -> None:
        problem = meeting_date_problem(field.data, today_uk())
        if problem:
            raise ValidationError(problem)

    def validate_choice(self, field: Field) -> None:
        if field.data not in CHOICES:
            raise ValidationError("Select make, buy or mixed")

    def validate_regime_process(self, field: Field) -> None:
        # The route decides which sections the task list asks for, so it is chosen first.
        if not field.data:
            raise ValidationError("Select the procurement regime and process")
        regime, _colon, process = field.data.partition(":")
        problem = regime_problem(regime, process, self.meeting_date.data)
        if problem:
            raise ValidationError(problem)

    @property
    def chosen_route(self) -> tuple[str, str]:
        """The regime and process chosen, as validated."""
        regime, _colon, process = (self.regime_process.data or "").partition(":")
        return regime, process


class DecisionForm(BaseForm):
    """Everything about a decision. A draft may leave things empty; `complete` requires them."""

    title = StringField("Decision title", [Required("Enter the decision title"), MaxLength(200)])
    description = TextAreaField("Description of the service", [MaxLength(LONG_TEXT)])
    choice = RadioField("Make or buy", choices=list(CHOICES.items()), validate_choice=False)
    contract_kind = RadioField("Existing contract or new", choices=list(CONTRACT_KINDS.items()),
                               validate_choice=False)
    regime_process = SelectField("Procurement regime and process", validate_choice=False)
    total_value = StringField("Estimated total value")
    annual_value = StringField("Estimated annual value")
    contract_start = DateInputField("Contract start date", noun="the contract start date")
    contract_end = DateInputField("Contract end date", noun="the contract end date")
    clinical_lead_id = SelectField("Clinical lead", validate_choice=False)
    contract_manager_id = SelectField("Contract manager", validate_choice=False)
    meeting_date = DateInputField("Meeting date", noun="the meeting date", required=True)
    decision_process = TextAreaField("How the decision was made", [MaxLength(LONG_TEXT)])
    members = FieldList(FormField(MemberRow), max_entries=200)
    extra_people = FieldList(FormField(ExtraPersonRow), min_entries=3, max_entries=30)
    providers = FieldList(StringField("Proposed provider", [MaxLength(250)]), min_entries=5,
                          max_entries=30)
    offered_to_all_member_practices = BooleanField(
        "The service is offered to all member practices")
    awarded_provider = SelectField("Provider awarded", validate_choice=False)
    options = FieldList(FormField(OptionRow), min_entries=4, max_entries=20)
    justification = TextAreaField("Justification", [MaxLength(LONG_TEXT)])
    comments = TextAreaField("Comments (optional)", [MaxLength(LONG_TEXT)])
    route_reasons = TextAreaField("Why this route was chosen", [MaxLength(LONG_TEXT)])
    selection_criteria = TextAreaField("How the providers met the basic selection criteria",
                                       [MaxLength(LONG_TEXT)])
    exclusions = TextAreaField("How the providers were checked against the grounds for exclusion",
                               [MaxLength(LONG_TEXT)])
    score_out_of = StringField("Top of the published scoring scale")
    scores = FieldList(FormField(ScoreRow), min_entries=5, max_entries=30)
    version = HiddenField()

    def __init__(self, *args: Any, member_ids: set[int] | None = None,
                 people: list[dict[str, Any]] | None = None,
                 resolve: Any = None, complete: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.complete = complete
        self.member_ids = member_ids or set()
        self.people = {p["id"]: p["name"] for p in (people or [])}
        self.resolve = resolve
        person_choices = [("", "Choose a person"),
                          *((str(p["id"]), p["name"]) for p in (people or []))]
        self.clinical_lead_id.choices = person_choices
        self.contract_manager_id.choices = person_choices
        for entry in self.extra_people:
            entry.form.person_id.choices = person_choices
        self.regime_process.choices = [("", "")] + [
            pair for _regime, _label, pairs in regime_process_choices() for pair in pairs]
        self.refresh_awarded_choices()
        # Filled in by validate(): what the form says, ready to store.
        self.resolved_providers: list[dict[str, Any]] = []
        self.awarded_id: int | None = None
        self.pence: dict[str, int | None] = {"total_value": None, "annual_value": None}
        self.resolved_scores: list[dict[str, Any]] = []
        self.scale: int | None = None
        self._provider_by_text: dict[str, dict[str, Any]] = {}

    # ---- helpers ------------------------------------------------------------------------------

    def provider_texts(self) -> list[str]:
        """The provider boxes that have something in them, each once."""
        seen: list[str] = []
        for entry in self.providers:
            text = (entry.data or "").strip()
            if text and text not in seen:
                seen.append(text)
        return seen

    def refresh_awarded_choices(self) -> None:
        """The awarded provider is picked from the providers proposed."""
        texts = self.provider_texts()
        current = (self.awarded_provider.data or "").strip()
        if current and current not in texts:
            texts.append(current)
        self.awarded_provider.choices = [("", "Not decided yet")] + [(t, t) for t in texts]

    def leaves(self) -> Iterator[Field]:
        """Every field, with repeated groups opened up, in the order of the page."""

        def walk(field: Field) -> Iterator[Field]:
            if isinstance(field, FieldList):
                for entry in field.entries:
                    yield from walk(entry)
            elif isinstance(field, FormField):
                for inner in field.form:
                    yield from walk(inner)
            else:
                yield field

        for field in self:
            yield from walk(field)

    # ---- sections (the task list) -----------------------------------------------------------------

    def section_names(self, section: str) -> tuple[str, ...]:
        """The names of the form's fields that one section of the task list edits."""
        if section == routes.KEY_CRITERIA:
            return tuple(name for key in KEY_CRITERIA for name in (f"weight_{key}",
                                                                  f"applied_{key}"))
        return SECTION_FIELDS[section]

    def section_leaves(self, section: str) -> list[Field]:
        """Every field of one section, with repeated groups opened up, in page order."""
        wanted = set(self.section_names(section))
        return [leaf for leaf in self.leaves() if _top_name(leaf.name) in wanted]

    def section_of(self, leaf_name: str) -> str | None:
        """The section a field (by its full name) belongs to, or None (the version, the token)."""
        top = _top_name(leaf_name)
        return next((key for key in task_list.SECTIONS if top in self.section_names(key)), None)

    def as_formdata(self) -> MultiDict:
        """The form's values as the browser would post them for the whole form, so one section
        posted on its own can be merged with everything else as stored."""
        out: MultiDict = MultiDict()
        for leaf in self.leaves():
            if leaf.name == "csrf_token":
                continue
            if isinstance(leaf, DateInputField):
                for part, value in leaf.parts.items():
                    out.add(f"{leaf.name}-{part}", value)
            elif isinstance(leaf, BooleanField):
                if leaf.data:
                    out.add(leaf.name, "y")
            else:
                out.add(leaf.name, "" if leaf.data is None else str(leaf.data))
        return out

    def tasks(self) -> list[task_list.Task]:
        """The task list after `validate()` in complete mode: each section the route records,
        with its status and what it still lacks."""
        problems: dict[str, list[str]] = {}
        started: dict[str, bool] = {}
        for leaf in self.leaves():
            section = self.section_of(leaf.name)
            if section is None:
                continue
            problems.setdefault(section, []).extend(leaf.errors)
            started[section] = started.get(section, False) or _typed(leaf)
        # A committee's member list that changed under the form is put right with the people.
        problems.setdefault(task_list.PEOPLE, []).extend(self.form_errors)
        # Something kept for a part the route does not record is put right with the route.
        listed = task_list.sections_for(self.chosen_regime, self.chosen_process)
        for section in list(problems):
            if section not in listed:
                problems.setdefault(task_list.ROUTE, []).extend(problems.pop(section))
        route_usable = bool(self.regime_process.data) and not self.regime_process.errors
        return task_list.tasks(self.chosen_regime, self.chosen_process, started=started,
                               problems=problems, route_usable=route_usable,
                               has_providers=bool(self.provider_texts()))

    @property
    def errors(self) -> dict[Any, Any]:  # type: ignore[override]
        found: dict[Any, Any] = {leaf.id: leaf.errors for leaf in self.leaves() if leaf.errors}
        if self.form_errors:
            found[None] = self.form_errors
        return found

    @property
    def error_list(self) -> list[tuple[str, str]]:
        """(field id, message) pairs for the error summary, in the order of the page."""
        pairs = [("", message) for message in self.form_errors]
        for leaf in self.leaves():
            for message in leaf.errors:
                anchor = leaf.id + ("-day" if isinstance(leaf, DateInputField) else "")
                pairs.append((anchor, message))
        return pairs

    @staticmethod
    def _fail(field: Field, message: str) -> None:
        if message not in field.errors:
            field.errors = [*field.errors, message]

    def _need(self, field: Field, message: str) -> None:
        """In complete mode, an empty field is an error; a draft may leave it empty."""
        if self.complete and not field.errors and not (field.data or "").strip():
            self._fail(field, message)

    # ---- validation ---------------------------------------------------------------------------

    def validate(self, extra_validators: Any = None) -> bool:  # noqa: C901
        self.contract_start.required = self.complete
        self.contract_end.required = self.complete
        super().validate(extra_validators)
        # Nested fields: the base form only checks its own text fields for hidden characters.
        for entry_list in (self.extra_people, self.providers, self.options, self.scores):
            for leaf in entry_list:
                fields = leaf.form if isinstance(leaf, FormField) else [leaf]
                for field in fields:
                    if isinstance(field.data, str) and forbidden_character(field.data):
                        self._fail(field, "Remove the hidden control characters from this box")

        self._need(self.description, "Enter a description of the service")
        self._need(self.decision_process, "Describe how the decision was made")
        self._need(self.justification, "Enter the justification for the decision")
        self._check_choices()
        self._check_regime()
        self._check_money()
        problem = dates_problem(self.contract_start.data, self.contract_end.data)
        if problem and not self.contract_end.errors:
            self._fail(self.contract_end, problem)
        self._check_person(self.clinical_lead_id, "Select the clinical lead")
        self._check_person(self.contract_manager_id, "Select the contract manager")
        self._check_participants()
        self._check_providers()
        self._check_options()
        self._check_criteria()
        self._check_route_parts()
        return not self.errors

    def validate_meeting_date(self, field: Field) -> None:
        problem = meeting_date_problem(field.data, today_uk())
        if problem:
            raise ValidationError(problem)

    def _check_choices(self) -> None:
        if self.choice.data and self.choice.data not in CHOICES:
            self._fail(self.choice, "Select make, buy or mixed")
        self._need(self.choice, "Select make, buy or mixed")
        if self.contract_kind.data and self.contract_kind.data not in CONTRACT_KINDS:
            self._fail(self.contract_kind, "Select whether this is a new or an existing contract")
        self._need(self.contract_kind, "Select whether this is a new or an existing contract")

    @property
    def chosen_regime(self) -> str | None:
        """The regime part of the regime and process select."""
        value = self.regime_process.data or ""
        return value.split(":", 1)[0] if ":" in value else None

    @property
    def chosen_process(self) -> str | None:
        """The process part of the regime and process select."""
        value = self.regime_process.data or ""
        return value.split(":", 1)[1] if ":" in value else None

    def _check_regime(self) -> None:
        if not self.regime_process.data:
            self._need(self.regime_process, "Select the procurement regime and process")
            return
        problem = regime_problem(self.chosen_regime, self.chosen_process, self.meeting_date.data)
        if problem:
            self._fail(self.regime_process, problem)

    def _check_money(self) -> None:
        for name, noun in (("total_value", "the estimated total value"),
                           ("annual_value", "the estimated annual value")):
            field = self[name]
            if not (field.data or "").strip():
                self._need(field, f"Enter {noun}")
                continue
            try:
                self.pence[name] = parse_money(field.data, noun)
            except ValueError as error:
                message = str(error)
                if message == MONEY_FORMAT_MESSAGE:  # say which of the two amounts is wrong
                    message = f"Enter {noun} in pounds and pence, like 125000.50"
                self._fail(field, message)
        problem = values_problem(self.pence["total_value"], self.pence["annual_value"])
        if problem:
            self._fail(self.annual_value, problem)

    def _person_id(self, value: str | None) -> int | None:
        value = (value or "").strip()
        return int(value) if value.isdecimal() and int(value) in self.people else None

    def _check_person(self, field: Field, empty_message: str) -> None:
        if not field.data:
            self._need(field, empty_message)
        elif self._person_id(field.data) is None:
            self._fail(field, f"{empty_message} from the list")

    def participants(self) -> list[tuple[int, str, Field]]:
        """(person id, role, field) for everyone marked as taking part, in page order."""
        found = []
        for entry in self.members:
            row = entry.form
            if row.present.data and (row.person_id.data or "").isdecimal():
                found.append((int(row.person_id.data), row.role.data, row.role))
        for entry in self.extra_people:
            row = entry.form
            person_id = self._person_id(row.person_id.data)
            if person_id is not None:
                found.append((person_id, row.role.data, row.person_id))
        return found

    def _check_participants(self) -> None:
        for entry in self.members:
            row = entry.form
            value = row.person_id.data or ""
            if not value.isdecimal() or int(value) not in self.member_ids:
                self.form_errors.append(
                    "The list of committee members has changed: reload the page and try again")
                return
            if row.present.data and row.role.data not in PARTICIPANT_ROLES:
                self._fail(row.role, "Select the role of each person who took part")
        for entry in self.extra_people:
            row = entry.form
            if row.person_id.data and self._person_id(row.person_id.data) is None:
                self._fail(row.person_id, "Select a person from the list")
            elif row.person_id.data and row.role.data not in PARTICIPANT_ROLES:
                self._fail(row.role, "Select the role of each person who took part")
        taking_part = self.participants()
        seen: set[int] = set()
        for person_id, _role, field in taking_part:
            if person_id in seen:
                problem = duplicate_people_problem([person_id, person_id], self.people)
                self._fail(field, problem or "The same person is listed twice")
            seen.add(person_id)
        if self.complete and not any(role == "voting" for _p, role, _f in taking_part):
            target = self.members[0].form.present if self.members.entries else \
                self.extra_people[0].form.person_id
            self._fail(target, "Tick the voting members who took part")

    def _check_providers(self) -> None:
        self.resolved_providers = []
        by_text: dict[str, dict[str, Any]] = {}
        seen: set[int] = set()
        for entry in self.providers:
            text = (entry.data or "").strip()
            if not text or entry.errors:
                continue
            organisation, problem = self.resolve(text)
            if problem:
                self._fail(entry, problem)
                continue
            by_text[text] = organisation
            self._provider_by_text[text] = organisation
            if organisation["id"] in seen:
                self._fail(entry, f"{organisation['name']} is listed more than once: "
                                  f"list each provider once")
                continue
            seen.add(organisation["id"])
            self.resolved_providers.append(organisation)
        # A scheme offered to every member practice has them all as its providers.
        if self.complete and not self.provider_texts() \
                and not self.offered_to_all_member_practices.data:
            self._fail(self.providers[0], "Enter at least one proposed provider, or tick that "
                                          "the scheme is offered to every member practice")
        awarded = (self.awarded_provider.data or "").strip()
        self.awarded_id = None
        if awarded:
            organisation = by_text.get(awarded)
            if organisation is None:
                organisation, _problem = self.resolve(awarded)
            if organisation is None or organisation["id"] not in seen:
                if not any(entry.errors for entry in self.providers):
                    self._fail(self.awarded_provider,
                               "The provider awarded must be one of the providers proposed")
            else:
                self.awarded_id = organisation["id"]

    def _check_options(self) -> None:
        filled = 0
        for number, entry in enumerate(self.options, start=1):
            row = entry.form
            if not (row.description.data or row.outcome.data or row.reason.data):
                continue
            filled += 1
            if not row.description.data:
                self._fail(row.description, f"Describe option {number}")
            elif len(row.description.data) > 500:
                self._fail(row.description, f"Option {number} must be 500 characters or fewer")
            if row.outcome.data not in OUTCOMES:
                self._fail(row.outcome, f"Select whether option {number} was chosen or rejected")
            elif row.outcome.data == "rejected" and not row.reason.data:
                self._fail(row.reason, f"Give the reason option {number} was rejected")
            if row.reason.data and len(row.reason.data) > LONG_TEXT:
                self._fail(row.reason, f"The reason for option {number} must be "
                                       f"{LONG_TEXT} characters or fewer")
        if self.complete and not filled:
            self._fail(self.options[0].form.description,
                       "Enter at least one option considered")

    @property
    def route_parts(self) -> tuple[str, ...]:
        """The route-dependent parts the chosen route records (rules/routes.py)."""
        return routes.parts_for(self.chosen_regime, self.chosen_process)

    def score_rows(self) -> list[tuple[int, Field, Any]]:
        """(box number, provider box, score row) for each provider box, in page order."""
        return [(number, entry, self.scores[number - 1].form)
                for number, entry in enumerate(self.providers, start=1)
                if number <= len(self.scores)]

    def _check_route_parts(self) -> None:
        """The parts the route records are there (to submit); parts it does not record are
        refused when typed, rather than kept as if the route had done them."""
        if self.regime_process.errors:
            return
        regime, process, needed = self.chosen_regime, self.chosen_process, self.route_parts
        for key, field in ((routes.ROUTE_REASONS, self.route_reasons),
                           (routes.SELECTION_CRITERIA, self.selection_criteria),
                           (routes.EXCLUSIONS, self.exclusions)):
            if key in needed:
                self._need(field, PART_NEEDED[key])
            elif (field.data or "").strip() and not field.errors:
                problem = routes.not_needed_problem(key, regime, process)
                if problem:
                    self._fail(field, problem)
        self._check_scores(routes.ASSESSMENTS in needed)

    def _check_scores(self, needed: bool) -> None:
        self.resolved_scores, self.scale = [], None
        typed = [row for entry in self.scores for row in [entry.form]
                 if (row.score.data or "").strip() or (row.assessment.data or "").strip()]
        if not needed:
            problem = routes.not_needed_problem(routes.ASSESSMENTS, self.chosen_regime,
                                                self.chosen_process)
            if problem and (self.score_out_of.data or "").strip():
                self._fail(self.score_out_of, problem)
            elif problem and typed:
                self._fail(typed[0].score, problem)
            return
        if (self.score_out_of.data or "").strip() or typed or self.complete:
            problem = routes.scale_problem(self.score_out_of.data)
            if problem:
                self._fail(self.score_out_of, problem)
            else:
                self.scale = int(self.score_out_of.data.strip())
        for number, box, row in self.score_rows():
            text = (box.data or "").strip()
            has_score = bool((row.score.data or "").strip())
            if not text:
                if has_score or (row.assessment.data or "").strip():
                    self._fail(row.score, f"Enter proposed provider {number} first, or leave "
                                          f"its score empty")
                continue
            if not has_score and not self.complete:
                continue
            problem = routes.score_problem(row.score.data, self.scale, text)
            if problem:
                self._fail(row.score, problem)
                continue
            organisation = self._provider_by_text.get(text)
            if organisation is not None and not any(
                    s["organisation_id"] == organisation["id"] for s in self.resolved_scores):
                self.resolved_scores.append({"organisation_id": organisation["id"],
                                             "score": float(row.score.data.strip()),
                                             "assessment": row.assessment.data or ""})

    def weight_fields(self) -> list[tuple[str, str, Field, Field]]:
        """(key, label, weight field, how-applied field) for each key criterion."""
        return [(key, label, self[f"weight_{key}"], self[f"applied_{key}"])
                for key, label in KEY_CRITERIA.items()]

    def _check_criteria(self) -> None:
        if self.chosen_regime != "psr":
            return
        fields = self.weight_fields()
        if not assesses_key_criteria(self.chosen_regime, self.chosen_process):
            # Direct award A or B and urgent awards weigh no key criteria: nothing is asked, and
            # weights typed anyway are refused rather than recorded as if they had been applied.
            typed = [field for _k, _l, weight, applied in fields for field in (weight, applied)
                     if (field.data or "").strip()]
            problem = criteria_not_assessed_problem(self.chosen_regime, self.chosen_process,
                                                    bool(typed))
            if problem and not self.regime_process.errors:
                self._fail(typed[0], problem)
            return
        weights = {key: (weight.data or "").strip() or None for key, _l, weight, _a in fields}
        if not self.complete:
            # A draft may leave weights empty; what is typed must still be usable.
            for key, _label, weight, _applied in fields:
                if weights[key] is not None:
                    problem = weights_problem({k: weights[key] if k == key else "0"
                                               for k in weights})
                    if problem and "add up to" not in problem:
                        self._fail(weight, problem)
            if any(weight.errors for _k, _l, weight, _a in fields) or None in weights.values():
                return
        problem = weights_problem(weights)
        if problem:
            target = next((weight for _k, label, weight, _a in fields
                           if f"for {_lower_first(label)}" in problem), fields[0][2])
            self._fail(target, problem)
            return
        if self.complete:
            for key, label, _weight, applied in fields:
                if int(weights[key] or 0) > 0 and not applied.data:
                    self._fail(applied, f"Say how {_lower_first(label)} was applied")

    # ---- results ------------------------------------------------------------------------------

    def values(self) -> dict[str, Any]:
        """The decision row's editable columns, as validated."""
        return {
            "title": self.title.data,
            "description": self.description.data or "",
            "choice": self.choice.data or None,
            "contract_kind": self.contract_kind.data or None,
            "regime": self.chosen_regime,
            "process": self.chosen_process,
            "total_value_pence": self.pence["total_value"],
            "annual_value_pence": self.pence["annual_value"],
            "contract_start": self.contract_start.data.isoformat()
            if self.contract_start.data else None,
            "contract_end": self.contract_end.data.isoformat() if self.contract_end.data else None,
            "clinical_lead_id": self._person_id(self.clinical_lead_id.data),
            "contract_manager_id": self._person_id(self.contract_manager_id.data),
            "meeting_date": self.meeting_date.data.isoformat(),
            "decision_process": self.decision_process.data or "",
            "offered_to_all_member_practices": int(bool(
                self.offered_to_all_member_practices.data)),
            "awarded_provider_id": self.awarded_id,
            "justification": self.justification.data or "",
            "comments": self.comments.data or "",
            "route_reasons": self.route_reasons.data or "",
            "selection_criteria": self.selection_criteria.data or ""
            if routes.SELECTION_CRITERIA in self.route_parts else "",
            "exclusions": self.exclusions.data or ""
            if routes.EXCLUSIONS in self.route_parts else "",
            "score_out_of": self.scale if routes.ASSESSMENTS in self.route_parts else None,
        }

    def children(self) -> dict[str, list[dict[str, Any]]]:
        """The participants, providers, options and key criteria, ready to store."""
        options = []
        for entry in self.options:
            row = entry.form
            if row.description.data:
                options.append({"position": len(options) + 1,
                                "description": row.description.data,
                                "outcome": row.outcome.data,
                                "reason": row.reason.data or ""})
        criteria = []
        if assesses_key_criteria(self.chosen_regime, self.chosen_process):
            for key, _label, weight, applied in self.weight_fields():
                if (weight.data or "").strip():
                    criteria.append({"criterion": key, "weight": int(weight.data.strip()),
                                     "how_applied": applied.data or ""})
        return {
            "participants": [{"person_id": person_id, "role": role}
                             for person_id, role, _field in self.participants()],
            "providers": [{"organisation_id": org["id"]} for org in self.resolved_providers],
            "options": options,
            "criteria": criteria,
            "scores": list(self.resolved_scores),
        }


for _key, _label in KEY_CRITERIA.items():
    setattr(DecisionForm, f"weight_{_key}", StringField(f"Weight for {_lower_first(_label)}"))
    setattr(DecisionForm, f"applied_{_key}", TextAreaField(
        f"How {_lower_first(_label)} was applied", [MaxLength(LONG_TEXT)]))


# The form's fields each section of the task list edits (key criteria: the weight_ and applied_
# fields of every criterion, see DecisionForm.section_names).
SECTION_FIELDS: dict[str, tuple[str, ...]] = {
    task_list.SERVICE: ("title", "description", "choice", "contract_kind"),
    task_list.ROUTE: ("meeting_date", "regime_process"),
    task_list.CONTRACT: ("total_value", "annual_value", "contract_start", "contract_end",
                         "clinical_lead_id", "contract_manager_id"),
    task_list.PEOPLE: ("decision_process", "members", "extra_people"),
    task_list.PROVIDERS: ("providers", "offered_to_all_member_practices", "awarded_provider"),
    task_list.OPTIONS: ("options",),
    routes.ROUTE_REASONS: ("route_reasons",),
    routes.SELECTION_CRITERIA: ("selection_criteria",),
    routes.EXCLUSIONS: ("exclusions",),
    routes.ASSESSMENTS: ("score_out_of", "scores"),
    task_list.JUSTIFICATION: ("justification", "comments"),
}


def _top_name(name: str) -> str:
    """The form field a (possibly nested) field name belongs to: providers-0 -> providers."""
    return name.split("-", 1)[0]


def _typed(leaf: Field) -> bool:
    """Whether a field holds something a person recorded (a role or a hidden id does not
    count: they have values before anyone types)."""
    if isinstance(leaf, HiddenField) or leaf.short_name == "role":
        return False
    if isinstance(leaf, BooleanField):
        return bool(leaf.data)
    if isinstance(leaf, DateInputField):
        return leaf.data is not None or any(leaf.parts.values())
    return bool(str(leaf.data or "").strip())


def section_formdata(stored: MultiDict, posted: MultiDict, names: tuple[str, ...]) -> MultiDict:
    """The whole form as it would be posted: the stored values, with the fields of one section
    (and the CSRF token and version) taken from what was posted for that section only."""

    def ours(key: str) -> bool:
        return _top_name(key.split("[", 1)[0]) in names

    merged: MultiDict = MultiDict([(key, value) for key, value in stored.items(multi=True)
                                   if not ours(key) and key != "version"])
    for key, value in posted.items(multi=True):
        if ours(key) or key in ("csrf_token", "version"):
            merged.add(key, value)
    return merged


def without_fields(formdata: MultiDict, names: tuple[str, ...]) -> MultiDict:
    """The form data less the named fields (and their repeated rows), as if never sent."""
    return MultiDict([(key, value) for key, value in formdata.items(multi=True)
                      if _top_name(key.split("[", 1)[0]) not in names])


def form_data(loaded: dict[str, Any], members: list[dict[str, Any]],
              provider_text: Any) -> dict[str, Any]:
    """The edit form's starting values from a stored decision and its committee's members."""
    decision = loaded["decision"]
    taking_part = {p["person_id"]: p["role"] for p in loaded["participants"]}
    member_ids = {m["person_id"] for m in members}
    def money(pence: int | None) -> str:
        return format_money(pence).removeprefix("£").replace(",", "") if pence is not None else ""

    extra = [{"person_id": str(p["person_id"]), "role": p["role"]}
             for p in loaded["participants"] if p["person_id"] not in member_ids]
    extra += [{"person_id": "", "role": "evaluator"}] * max(0, max(3, len(extra) + 1) - len(extra))
    providers = [provider_text(p) for p in loaded["providers"]]
    providers += [""] * max(0, 5 - len(providers))
    options = [{"description": o["description"], "outcome": o["outcome"], "reason": o["reason"]}
               for o in loaded["options"]]
    options += [{"description": "", "outcome": "", "reason": ""}] * max(0, 4 - len(options))
    # Each score sits beside the provider box of the same number.
    scored = {s["organisation_id"]: s for s in loaded.get("scores", ())}
    scores = [{"score": _score_text(scored[p["id"]]["score"]) if p["id"] in scored else "",
               "assessment": scored[p["id"]]["assessment"] if p["id"] in scored else ""}
              for p in loaded["providers"]]
    scores += [{"score": "", "assessment": ""}] * max(0, len(providers) - len(scores))
    awarded = next((provider_text(p) for p in loaded["providers"]
                    if p["id"] == decision["awarded_provider_id"]), "")
    if decision["awarded_provider_id"] and not awarded and loaded.get("awarded"):
        awarded = provider_text(loaded["awarded"])
    data: dict[str, Any] = {
        "title": decision["title"],
        "description": decision["description"],
        "choice": decision["choice"],
        "contract_kind": decision["contract_kind"],
        "regime_process": f"{decision['regime']}:{decision['process']}"
        if decision["regime"] and decision["process"] else "",
        "total_value": money(decision["total_value_pence"]),
        "annual_value": money(decision["annual_value_pence"]),
        "contract_start": decision["contract_start"],
        "contract_end": decision["contract_end"],
        "clinical_lead_id": str(decision["clinical_lead_id"] or ""),
        "contract_manager_id": str(decision["contract_manager_id"] or ""),
        "meeting_date": decision["meeting_date"],
        "decision_process": decision["decision_process"],
        "members": [{"person_id": str(m["person_id"]),
                     "present": m["person_id"] in taking_part,
                     "role": taking_part.get(m["person_id"],
                                             "voting" if m["voting"] else "attendee")}
                    for m in members],
        "extra_people": extra,
        "providers": providers,
        "offered_to_all_member_practices": bool(decision["offered_to_all_member_practices"]),
        "awarded_provider": awarded,
        "options": options,
        "justification": decision["justification"],
        "comments": decision["comments"],
        "route_reasons": decision["route_reasons"],
        "selection_criteria": decision["selection_criteria"],
        "exclusions": decision["exclusions"],
        "score_out_of": str(decision["score_out_of"] or ""),
        "scores": scores,
        "version": str(decision["version"]),
    }
    for criterion in loaded["criteria"]:
        data[f"weight_{criterion['criterion']}"] = str(criterion["weight"])
        data[f"applied_{criterion['criterion']}"] = criterion["how_applied"]
    return data


def _score_text(score: float) -> str:
    """A stored score as typed: 72 rather than 72.0."""
    return f"{score:g}"
