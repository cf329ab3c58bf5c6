"""The schema, step by step. Never edit an applied step: add a new one."""
from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("register")


@migrations()
def m001_foundation(db: Database) -> None:
    """Accounts, organisations, people, committees, interests and the audit trail."""
    db.executescript(
        """
        CREATE TABLE people (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL COLLATE NOCASE UNIQUE,
            positions TEXT NOT NULL DEFAULT '',
            is_decision_maker INTEGER NOT NULL DEFAULT 0,
            home_practice_id INTEGER REFERENCES organisations(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX people_home_practice ON people(home_practice_id);

        CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE UNIQUE,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN
                ('admin', 'secretary', 'governance', 'member', 'auditor')),
            person_id INTEGER REFERENCES people(id),
            active INTEGER NOT NULL DEFAULT 1,
            session_token TEXT NOT NULL,
            created_at TEXT NOT NULL,
            last_sign_in_at TEXT,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX users_person ON users(person_id) WHERE person_id IS NOT NULL;

        -- Failed sign-ins by the name typed, known or not, so a restart does not reset the count.
        CREATE TABLE sign_in_failures (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            at TEXT NOT NULL
        );
        CREATE INDEX sign_in_failures_username_at ON sign_in_failures(username, at);
        CREATE TABLE sign_in_locks (
            username TEXT PRIMARY KEY COLLATE NOCASE,
            locked_until TEXT NOT NULL
        );

        CREATE TABLE organisations (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('practice', 'network', 'federation', 'trust',
                'independent', 'voluntary', 'local_authority', 'other')),
            ods_code TEXT UNIQUE,
            companies_house_number TEXT,
            registered_address TEXT NOT NULL DEFAULT '',
            postcode TEXT NOT NULL DEFAULT '',
            is_member_practice INTEGER NOT NULL DEFAULT 0,
            ods_status TEXT,
            prescribing_setting INTEGER,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX organisations_name ON organisations(name COLLATE NOCASE);
        CREATE UNIQUE INDEX organisations_companies_house
            ON organisations(companies_house_number) WHERE companies_house_number IS NOT NULL;

        -- A practice's membership of a network or federation, with optional dates.
        CREATE TABLE organisation_links (
            id INTEGER PRIMARY KEY,
            member_id INTEGER NOT NULL REFERENCES organisations(id),
            parent_id INTEGER NOT NULL REFERENCES organisations(id),
            date_from TEXT,
            date_to TEXT,
            created_at TEXT NOT NULL,
            CHECK (member_id <> parent_id)
        );
        CREATE UNIQUE INDEX organisation_links_pair ON organisation_links(member_id, parent_id);
        CREATE INDEX organisation_links_parent ON organisation_links(parent_id);

        CREATE TABLE committees (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL COLLATE NOCASE UNIQUE,
            quorum_min_voting INTEGER NOT NULL DEFAULT 1,
            quorum_min_gp INTEGER NOT NULL DEFAULT 0,
            quorum_min_lay INTEGER NOT NULL DEFAULT 0,
            quorum_min_executive INTEGER NOT NULL DEFAULT 0,
            quorum_min_other INTEGER NOT NULL DEFAULT 0,
            common_interest_policy TEXT NOT NULL DEFAULT 'discuss_not_vote'
                CHECK (common_interest_policy IN ('discuss_not_vote', 'leave')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );

        CREATE TABLE committee_members (
            id INTEGER PRIMARY KEY,
            committee_id INTEGER NOT NULL REFERENCES committees(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            role TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('chair', 'vice_chair', 'member')),
            category TEXT NOT NULL CHECK (category IN ('gp', 'lay', 'executive', 'other')),
            voting INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX committee_members_pair ON committee_members(committee_id, person_id);
        CREATE INDEX committee_members_person ON committee_members(person_id);

        CREATE TABLE interests (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            organisation_id INTEGER REFERENCES organisations(id),
            organisation_name TEXT NOT NULL DEFAULT '',
            organisation_business TEXT NOT NULL DEFAULT '',
            interest_type TEXT NOT NULL CHECK (interest_type IN
                ('financial', 'non_financial_professional', 'non_financial_personal')),
            is_indirect INTEGER NOT NULL DEFAULT 0,
            associate_relationship TEXT NOT NULL DEFAULT '',
            nature TEXT NOT NULL,
            date_from TEXT NOT NULL,
            date_to TEXT,
            mitigation TEXT NOT NULL DEFAULT '',
            declared_on TEXT NOT NULL,
            consent_to_publish INTEGER NOT NULL DEFAULT 1,
            withheld_reason TEXT NOT NULL DEFAULT '',
            recorded_by_user_id INTEGER REFERENCES users(id),
            on_behalf INTEGER NOT NULL DEFAULT 0,
            withdrawn INTEGER NOT NULL DEFAULT 0,
            withdrawn_reason TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (date_to IS NULL OR date_to >= date_from)
        );
        CREATE INDEX interests_person ON interests(person_id);
        CREATE INDEX interests_organisation ON interests(organisation_id);

        -- Earlier versions of an interest, kept whenever it is edited.
        CREATE TABLE interest_versions (
            id INTEGER PRIMARY KEY,
            interest_id INTEGER NOT NULL REFERENCES interests(id),
            version INTEGER NOT NULL,
            data TEXT NOT NULL,
            replaced_at TEXT NOT NULL,
            replaced_by_user_id INTEGER REFERENCES users(id)
        );
        CREATE UNIQUE INDEX interest_versions_pair ON interest_versions(interest_id, version);

        -- Annual confirmations: "my declarations are complete" or a nil return.
        CREATE TABLE declaration_returns (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL CHECK (kind IN ('complete', 'nil')),
            returned_on TEXT NOT NULL,
            recorded_by_user_id INTEGER REFERENCES users(id),
            on_behalf INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX declaration_returns_person ON declaration_returns(person_id, returned_on);

        -- The tamper-evident trail: append-only, hash-chained.
        CREATE TABLE audit_events (
            seq INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            entity TEXT NOT NULL,
            entity_id TEXT NOT NULL,
            changes TEXT NOT NULL,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        );
        CREATE INDEX audit_events_entity ON audit_events(entity, entity_id);
        CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events cannot be changed'); END;
        CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, 'audit events cannot be deleted'); END;
        """
    )
    db["people"].enable_fts(["name", "email", "positions"], create_triggers=True)
    db["organisations"].enable_fts(
        ["name", "ods_code", "companies_house_number", "registered_address", "postcode"],
        create_triggers=True,
    )
    db["interests"].enable_fts(
        ["organisation_name", "organisation_business", "nature", "associate_relationship"],
        create_triggers=True,
    )


@migrations()
def m002_decisions(db: Database) -> None:
    """Make-or-buy decisions, their options, participants, providers, criteria and flags."""
    db.executescript(
        """
        -- References are handed out once per year and never reused, even for abandoned drafts.
        CREATE TABLE reference_counters (
            year INTEGER PRIMARY KEY,
            last_number INTEGER NOT NULL
        );

        CREATE TABLE decisions (
            id INTEGER PRIMARY KEY,
            reference TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL,
            description TEXT NOT NULL DEFAULT '',
            choice TEXT CHECK (choice IN ('make', 'buy', 'mixed')),
            contract_kind TEXT CHECK (contract_kind IN ('existing', 'new')),
            regime TEXT CHECK (regime IN ('pcr2013', 'psr')),
            process TEXT,
            total_value_pence INTEGER CHECK (total_value_pence >= 0),
            annual_value_pence INTEGER CHECK (annual_value_pence >= 0),
            contract_start TEXT,
            contract_end TEXT,
            clinical_lead_id INTEGER REFERENCES people(id),
            contract_manager_id INTEGER REFERENCES people(id),
            committee_id INTEGER NOT NULL REFERENCES committees(id),
            meeting_date TEXT NOT NULL,
            decision_process TEXT NOT NULL DEFAULT '',
            offered_to_all_member_practices INTEGER NOT NULL DEFAULT 0,
            awarded_provider_id INTEGER REFERENCES organisations(id),
            justification TEXT NOT NULL DEFAULT '',
            comments TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'draft',
            author_user_id INTEGER REFERENCES users(id),
            submitted_at TEXT,
            flags_stale INTEGER NOT NULL DEFAULT 1,
            flag_count INTEGER NOT NULL DEFAULT 0,
            conflict_count INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1,
            CHECK (contract_end IS NULL OR contract_start IS NULL OR contract_end >= contract_start)
        );
        CREATE INDEX decisions_committee ON decisions(committee_id, meeting_date);
        CREATE INDEX decisions_status ON decisions(status, meeting_date);
        CREATE INDEX decisions_meeting ON decisions(meeting_date);
        CREATE INDEX decisions_stale ON decisions(flags_stale) WHERE flags_stale = 1;

        CREATE TABLE decision_options (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            position INTEGER NOT NULL,
            description TEXT NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('chosen', 'rejected')),
            reason TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX decision_options_decision ON decision_options(decision_id, position);

        CREATE TABLE decision_participants (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            role TEXT NOT NULL CHECK (role IN ('voting', 'attendee', 'evaluator'))
        );
        CREATE UNIQUE INDEX decision_participants_pair
            ON decision_participants(decision_id, person_id);
        CREATE INDEX decision_participants_person ON decision_participants(person_id);

        CREATE TABLE decision_providers (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id)
        );
        CREATE UNIQUE INDEX decision_providers_pair
            ON decision_providers(decision_id, organisation_id);
        CREATE INDEX decision_providers_organisation ON decision_providers(organisation_id);

        -- Provider Selection Regime key criteria: weight and how each was applied.
        CREATE TABLE decision_criteria (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            criterion TEXT NOT NULL,
            weight INTEGER NOT NULL CHECK (weight BETWEEN 0 AND 100),
            how_applied TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX decision_criteria_pair ON decision_criteria(decision_id, criterion);

        -- The current flags of each decision, recomputed whenever anything they depend on changes.
        CREATE TABLE decision_flags (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            rule TEXT NOT NULL,
            severity TEXT NOT NULL,
            person_id INTEGER REFERENCES people(id),
            organisation_id INTEGER REFERENCES organisations(id),
            evidence TEXT NOT NULL,
            sentence TEXT NOT NULL,
            position INTEGER NOT NULL
        );
        CREATE INDEX decision_flags_decision ON decision_flags(decision_id, position);
        CREATE INDEX decision_flags_person ON decision_flags(person_id);

        -- Staleness triggers: any change a decision's flags depend on marks the decision, and the
        -- flags are recomputed before they are next read. Nothing has to remember to do it.
        CREATE TRIGGER flags_stale_decision AFTER UPDATE OF meeting_date, awarded_provider_id,
            offered_to_all_member_practices, committee_id ON decisions
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id = NEW.id; END;

        CREATE TRIGGER flags_stale_participant_insert AFTER INSERT ON decision_participants
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id = NEW.decision_id; END;
        CREATE TRIGGER flags_stale_participant_update AFTER UPDATE ON decision_participants
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN (NEW.decision_id, OLD.decision_id); END;
        CREATE TRIGGER flags_stale_participant_delete AFTER DELETE ON decision_participants
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id = OLD.decision_id; END;

        CREATE TRIGGER flags_stale_provider_insert AFTER INSERT ON decision_providers
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id = NEW.decision_id; END;
        CREATE TRIGGER flags_stale_provider_delete AFTER DELETE ON decision_providers
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id = OLD.decision_id; END;

        CREATE TRIGGER flags_stale_interest_insert AFTER INSERT ON interests
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_participants WHERE person_id = NEW.person_id); END;
        CREATE TRIGGER flags_stale_interest_update AFTER UPDATE ON interests
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_participants
             WHERE person_id IN (NEW.person_id, OLD.person_id)); END;

        CREATE TRIGGER flags_stale_person_update AFTER UPDATE OF name, home_practice_id ON people
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_participants WHERE person_id = NEW.id); END;

        CREATE TRIGGER flags_stale_organisation_update AFTER UPDATE OF name, kind, ods_code,
            is_member_practice ON organisations
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_providers WHERE organisation_id = NEW.id
             UNION SELECT decision_providers.decision_id FROM decision_providers
                 JOIN organisation_links ON organisation_links.parent_id =
                     decision_providers.organisation_id
                 WHERE organisation_links.member_id = NEW.id
             UNION SELECT decision_participants.decision_id FROM decision_participants
                 JOIN people ON people.id = decision_participants.person_id
                 WHERE people.home_practice_id = NEW.id
             UNION SELECT decision_participants.decision_id FROM decision_participants
                 JOIN interests ON interests.person_id = decision_participants.person_id
                 WHERE interests.organisation_id = NEW.id); END;

        CREATE TRIGGER flags_stale_link_insert AFTER INSERT ON organisation_links
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_providers
             WHERE organisation_id IN (NEW.member_id, NEW.parent_id)); END;
        CREATE TRIGGER flags_stale_link_update AFTER UPDATE ON organisation_links
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_providers WHERE organisation_id IN
                (NEW.member_id, NEW.parent_id, OLD.member_id, OLD.parent_id)); END;
        CREATE TRIGGER flags_stale_link_delete AFTER DELETE ON organisation_links
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE id IN
            (SELECT decision_id FROM decision_providers
             WHERE organisation_id IN (OLD.member_id, OLD.parent_id)); END;

        CREATE TRIGGER flags_stale_committee_update AFTER UPDATE OF common_interest_policy
            ON committees
        BEGIN UPDATE decisions SET flags_stale = 1 WHERE committee_id = NEW.id; END;
        """
    )
    db["decisions"].enable_fts(["reference", "title", "description", "comments"],
                               create_triggers=True)


@migrations()
def m003_reviews(db: Database) -> None:
    """Rulings, possible-match resolutions, escalations, sign-offs, outcomes and breaches."""
    db.executescript(
        """
        -- The governance lead's ruling on one conflicted person for one decision.
        CREATE TABLE decision_rulings (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            ruling TEXT NOT NULL CHECK (ruling IN
                ('note_only', 'no_vote', 'leave_item', 'exclude_all', 'remove_from_process')),
            reason TEXT NOT NULL DEFAULT '',
            proposed_ruling TEXT,
            is_exception INTEGER NOT NULL DEFAULT 0,
            exception_reason TEXT NOT NULL DEFAULT '',
            exception_mitigation TEXT NOT NULL DEFAULT '',
            ruled_by_user_id INTEGER REFERENCES users(id),
            ruled_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX decision_rulings_pair ON decision_rulings(decision_id, person_id);
        CREATE INDEX decision_rulings_person ON decision_rulings(person_id);

        -- A possible name match confirmed (a conflict) or dismissed (with a reason).
        CREATE TABLE match_resolutions (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            interest_id INTEGER NOT NULL REFERENCES interests(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'dismissed')),
            reason TEXT NOT NULL DEFAULT '',
            resolved_by_user_id INTEGER REFERENCES users(id),
            resolved_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX match_resolutions_key
            ON match_resolutions(decision_id, person_id, interest_id);

        -- What was done when the rulings left the meeting inquorate.
        CREATE TABLE escalations (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            kind TEXT NOT NULL CHECK (kind IN ('defer', 'refer', 'co_opt', 'chair_action')),
            details TEXT NOT NULL,
            recorded_by_user_id INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL,
            ratified_at TEXT,
            ratified_meeting_date TEXT,
            ratified_by_user_id INTEGER REFERENCES users(id)
        );
        CREATE INDEX escalations_decision ON escalations(decision_id);

        -- Sign-offs: at most one in force per decision (the partial unique index makes two
        -- governance leads signing at the same moment record exactly one).
        CREATE TABLE sign_offs (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            signer_user_id INTEGER NOT NULL REFERENCES users(id),
            signer_name TEXT NOT NULL,
            signer_role TEXT NOT NULL,
            statement TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            signed_at TEXT NOT NULL,
            voided_at TEXT,
            void_reason TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX sign_offs_one_in_force ON sign_offs(decision_id)
            WHERE voided_at IS NULL;

        -- The recorded outcome of the item.
        CREATE TABLE decision_outcomes (
            decision_id INTEGER PRIMARY KEY REFERENCES decisions(id),
            outcome TEXT NOT NULL CHECK (outcome IN ('make', 'buy', 'mixed')),
            awarded_provider_id INTEGER REFERENCES organisations(id),
            votes_for INTEGER NOT NULL CHECK (votes_for >= 0),
            votes_against INTEGER NOT NULL CHECK (votes_against >= 0),
            votes_abstaining INTEGER NOT NULL CHECK (votes_abstaining >= 0),
            notes TEXT NOT NULL DEFAULT '',
            recorded_by_user_id INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL
        );

        -- Who was actually in the room for the item, and how they voted.
        CREATE TABLE outcome_attendance (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            present INTEGER NOT NULL DEFAULT 1,
            vote TEXT CHECK (vote IN ('for', 'against', 'abstain')),
            proxy_for_person_id INTEGER REFERENCES people(id)
        );
        CREATE UNIQUE INDEX outcome_attendance_pair ON outcome_attendance(decision_id, person_id);

        -- Breaches found: a ruled-out person present for the vote, a late declaration, and so on.
        CREATE TABLE breaches (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER REFERENCES decisions(id),
            person_id INTEGER REFERENCES people(id),
            kind TEXT NOT NULL,
            detail TEXT NOT NULL,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX breaches_decision ON breaches(decision_id);
        """
    )


@migrations()
def m010_reviews_signoff_content(db: Database) -> None:
    """Keep what each sign-off covered (to name what a later change altered), and end escalations."""
    db.executescript(
        """
        -- The canonical JSON of the material content signed off; content_hash is its SHA-256.
        ALTER TABLE sign_offs ADD COLUMN content TEXT NOT NULL DEFAULT '';
        -- An escalation stops applying when its sign-off is voided or the decision is returned.
        ALTER TABLE escalations ADD COLUMN superseded_at TEXT;
        """
    )


@migrations()
def m011_flags_computed(db: Database) -> None:
    """When a decision's flags were last computed: a settled decision computed before keeps its
    conflicts as they stood (see decisions/flagging.py)."""
    db.executescript(
        """
        ALTER TABLE decisions ADD COLUMN flags_computed_at TEXT;
        UPDATE decisions SET flags_computed_at = updated_at WHERE flags_stale = 0;
        """
    )


@migrations()
def m012_audit_keyed(db: Database) -> None:
    """Keyed audit events carrying the content hash of the record they are about.

    Events already written keep their plain SHA-256 (hash_kind 'sha256'); the first keyed event
    after them is a marker that pins them (written with the instance's key, which a migration does
    not have: by init-db, or by the next event recorded).
    """
    db.executescript(
        """
        ALTER TABLE audit_events ADD COLUMN content_sha256 TEXT;
        ALTER TABLE audit_events ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';
        CREATE INDEX audit_events_hash_kind ON audit_events(hash_kind);
        """
    )


@migrations()
def m013_independent_reviewer(db: Database) -> None:
    """The account a committee names to review a decision no governance lead can review (every
    lead takes part in it or is conflicted): see rules/reviewers.py."""
    db.executescript(
        """
        ALTER TABLE committees ADD COLUMN independent_reviewer_user_id INTEGER
            REFERENCES users(id);
        """
    )


@migrations()
def m014_flags_at_write(db: Database) -> None:
    """Flags are kept current by the write that changes their facts (decisions/lifecycle.py), not
    marked stale by triggers and recomputed on the next read: drop the staleness triggers and the
    flag. Decisions still marked stale are recomputed by `init-db` right after this step."""
    for trigger in ("decision", "participant_insert", "participant_update", "participant_delete",
                    "provider_insert", "provider_delete", "interest_insert", "interest_update",
                    "person_update", "organisation_update", "link_insert", "link_update",
                    "link_delete", "committee_update"):
        db.execute(f"DROP TRIGGER IF EXISTS flags_stale_{trigger}")
    db.execute("DROP INDEX IF EXISTS decisions_stale")
    if db.execute("SELECT 1 FROM decisions WHERE flags_stale = 1 LIMIT 1").fetchone():
        db.execute("CREATE TABLE IF NOT EXISTS flags_to_refresh"
                   " (decision_id INTEGER PRIMARY KEY)")
        db.execute("INSERT OR IGNORE INTO flags_to_refresh (decision_id)"
                   " SELECT id FROM decisions WHERE flags_stale = 1")
    db.execute("ALTER TABLE decisions DROP COLUMN flags_stale")


@migrations()
def m015_outcome_departures(db: Database) -> None:
    """Who left the room for the item and when, and the proxy votes the chair refused, both
    recorded with the outcome (decisions/lifecycle.py `record_outcome`)."""
    db.executescript(
        """
        -- A time of day (HH:MM, UK time) on the meeting date; the stage is whether they left
        -- before the discussion or only before the vote. NULL: they did not leave.
        ALTER TABLE outcome_attendance ADD COLUMN left_at TEXT;
        ALTER TABLE outcome_attendance ADD COLUMN returned_at TEXT;
        ALTER TABLE outcome_attendance ADD COLUMN left_stage TEXT
            CHECK (left_stage IN ('discussion', 'vote'));

        -- A proxy vote offered at the meeting that the chair refused, and why.
        CREATE TABLE outcome_refused_proxies (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            for_person_id INTEGER NOT NULL REFERENCES people(id),
            offered_to_person_id INTEGER NOT NULL REFERENCES people(id),
            reason TEXT NOT NULL
        );
        CREATE INDEX outcome_refused_proxies_decision ON outcome_refused_proxies(decision_id);
        """
    )


@migrations()
def m016_organisation_identity(db: Database) -> None:
    """Organisations known by every identifier: a charity number (unique, like the others) and the
    name as a key (rules/names.py `name_key`), kept in step by every write of a name
    (organisations/identity.py `keyed`)."""
    from .rules.names import name_key

    db.executescript(
        """
        ALTER TABLE organisations ADD COLUMN charity_number TEXT;
        ALTER TABLE organisations ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
        CREATE UNIQUE INDEX organisations_charity
            ON organisations(charity_number) WHERE charity_number IS NOT NULL;
        CREATE INDEX organisations_name_key ON organisations(name_key);
        """
    )
    rows = list(db.execute("SELECT id, name FROM organisations").fetchall())
    db.conn.executemany("UPDATE organisations SET name_key = ? WHERE id = ?",
                        [(name_key(name), org_id) for org_id, name in rows])


@migrations()
def m017_dated_memberships(db: Database) -> None:
    """A person's home practice through time, and several dated periods per network or federation
    membership (a practice may leave and rejoin). `people.home_practice_id` stays as the practice
    of the period in force when it was last written, for lists; the rules read the periods."""
    db.executescript(
        """
        -- The practices a person worked in, with dates: NULL date_from means since always,
        -- NULL date_to means still there. One person's periods never overlap.
        CREATE TABLE home_practices (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            date_from TEXT,
            date_to TEXT,
            created_at TEXT NOT NULL,
            CHECK (date_from IS NULL OR date_to IS NULL OR date_to >= date_from)
        );
        CREATE INDEX home_practices_person ON home_practices(person_id, date_from);
        CREATE INDEX home_practices_organisation ON home_practices(organisation_id);
        INSERT INTO home_practices (person_id, organisation_id, date_from, date_to, created_at)
            SELECT id, home_practice_id, NULL, NULL, updated_at FROM people
            WHERE home_practice_id IS NOT NULL ORDER BY id;

        -- A pair may now have several periods (checked not to overlap where they are written).
        DROP INDEX IF EXISTS organisation_links_pair;
        CREATE INDEX organisation_links_member ON organisation_links(member_id, parent_id);
        """
    )


@migrations()
def m018_companies_house(db: Database) -> None:
    """Companies House data: a company's status, SIC codes and dates on the organisation; its
    persons with significant control (from the PSC snapshot); people's month and year of birth;
    and a match resolution that can settle a possible undeclared interest found through a person
    with significant control (its key is then minus the PSC record's id, so the foreign key to
    interests goes)."""
    db.executescript(
        """
        ALTER TABLE organisations ADD COLUMN company_status TEXT;
        ALTER TABLE organisations ADD COLUMN company_category TEXT;
        ALTER TABLE organisations ADD COLUMN sic_codes TEXT NOT NULL DEFAULT '';
        ALTER TABLE organisations ADD COLUMN incorporated_on TEXT;
        ALTER TABLE organisations ADD COLUMN dissolved_on TEXT;
        ALTER TABLE people ADD COLUMN birth_month INTEGER
            CHECK (birth_month IS NULL OR birth_month BETWEEN 1 AND 12);
        ALTER TABLE people ADD COLUMN birth_year INTEGER;

        -- A person with significant control of a company in the register, as the Companies House
        -- snapshot gives it; psc_key is the record's own link there, unique within the company.
        CREATE TABLE company_pscs (
            id INTEGER PRIMARY KEY,
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            psc_key TEXT NOT NULL,
            kind TEXT NOT NULL,
            name TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            forename TEXT NOT NULL DEFAULT '',
            middle_name TEXT NOT NULL DEFAULT '',
            surname TEXT NOT NULL DEFAULT '',
            birth_month INTEGER,
            birth_year INTEGER,
            natures_of_control TEXT NOT NULL DEFAULT '[]',
            notified_on TEXT,
            ceased_on TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX company_pscs_key ON company_pscs(organisation_id, psc_key);

        CREATE TABLE match_resolutions_new (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            -- the interest's id, or minus the company_pscs id for a possible undeclared interest
            interest_id INTEGER NOT NULL,
            outcome TEXT NOT NULL CHECK (outcome IN ('confirmed', 'dismissed')),
            reason TEXT NOT NULL DEFAULT '',
            resolved_by_user_id INTEGER REFERENCES users(id),
            resolved_at TEXT NOT NULL
        );
        INSERT INTO match_resolutions_new SELECT id, decision_id, person_id, interest_id, outcome,
            reason, resolved_by_user_id, resolved_at FROM match_resolutions;
        DROP TABLE match_resolutions;
        ALTER TABLE match_resolutions_new RENAME TO match_resolutions;
        CREATE UNIQUE INDEX match_resolutions_key
            ON match_resolutions(decision_id, person_id, interest_id);
        """
    )


@migrations()
def m019_free_text_resolution(db: Database) -> None:
    """Free-text interests settled later: a mark that the organisation typed is not a registered
    one (so the free-text list stops showing it), and an index that reads a person's interests by
    organisation, and one that reads only their free-text interests, for the conflict rules."""
    db.executescript(
        """
        ALTER TABLE interests ADD COLUMN not_registered INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX interests_person_organisation ON interests(person_id, organisation_id);
        CREATE INDEX interests_person_free_text ON interests(person_id, organisation_name)
            WHERE organisation_id IS NULL AND withdrawn = 0 AND organisation_name != '';
        """
    )


@migrations()
def m020_sign_in(db: Database) -> None:
    """Single sign-on and a second factor: whether an account may still use its local password,
    its TOTP secret with the last time step accepted (so a code is never accepted twice), and
    single-use recovery codes stored as argon2 hashes."""
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN password_allowed INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE users ADD COLUMN totp_secret TEXT;
        ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
        ALTER TABLE users ADD COLUMN totp_enrolled_at TEXT;
        CREATE TABLE recovery_codes (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            code_hash TEXT NOT NULL,
            created_at TEXT NOT NULL,
            used_at TEXT
        );
        CREATE INDEX recovery_codes_user ON recovery_codes(user_id);
        """
    )


@migrations()
def m021_sessions(db: Database) -> None:
    """Server-side sessions (ended by signing out, a password change, disabling the account or a
    role change; expired by idleness and age), and failed sign-ins counted per address as well as
    per name, so that a lock holds only for the address that failed (auth/models.py)."""
    db.executescript(
        """
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users(id),
            token_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            -- At sign-in, and when the session ends; in between, each request is noted in a
            -- small file beside the database, so that reading a page never writes the register.
            last_seen_at TEXT NOT NULL,
            ended_at TEXT,
            ended_reason TEXT,
            address TEXT NOT NULL DEFAULT '',
            user_agent TEXT NOT NULL DEFAULT ''
        );
        CREATE INDEX sessions_user ON sessions(user_id, ended_at);

        ALTER TABLE sign_in_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
        CREATE INDEX sign_in_failures_address_at ON sign_in_failures(address, at);
        CREATE INDEX sign_in_failures_username_address_at
            ON sign_in_failures(username, address, at);
        DROP TABLE sign_in_locks;
        CREATE TABLE sign_in_locks (
            username TEXT NOT NULL COLLATE NOCASE,
            address TEXT NOT NULL,
            locked_until TEXT NOT NULL,
            PRIMARY KEY (username, address)
        );
        """
    )


@migrations()
def m022_publication(db: Database) -> None:
    """Where and when a decision's award was published: asked for when the secretary publishes
    it, and shown in the public register of procurement decisions."""
    db.executescript(
        """
        ALTER TABLE decisions ADD COLUMN award_published_where TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions ADD COLUMN award_published_on TEXT;
        """
    )


@migrations()
def m023_notices(db: Database) -> None:
    """The Provider Selection Regime's notices for a decision (the intention to award and the
    award confirmation: date, where published, reference) and the representations providers made
    during the standstill, with the response. The standstill end is always computed from the
    intention notice (rules/standstill.py), never stored."""
    db.executescript(
        """
        CREATE TABLE decision_notices (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            kind TEXT NOT NULL CHECK (kind IN ('intention', 'award')),
            published_on TEXT NOT NULL,
            published_where TEXT NOT NULL,
            reference TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            UNIQUE (decision_id, kind)
        );
        CREATE TABLE decision_representations (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            received_on TEXT NOT NULL,
            provider_name TEXT NOT NULL,
            summary TEXT NOT NULL,
            response TEXT NOT NULL DEFAULT '',
            responded_on TEXT,
            recorded_at TEXT NOT NULL
        );
        CREATE INDEX decision_representations_decision
            ON decision_representations(decision_id);
        """
    )


@migrations()
def m024_modifications(db: Database) -> None:
    """Modifications to a contract after its award (regulation 13 of the Provider Selection
    Regime): what changed, the value before and after, a new end date, the permitted ground and
    where and when a notice of it was published. The decision's own values are never changed."""
    db.executescript(
        """
        CREATE TABLE contract_modifications (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            modified_on TEXT NOT NULL,
            what_changed TEXT NOT NULL,
            value_before_pence INTEGER CHECK (value_before_pence >= 0),
            value_after_pence INTEGER CHECK (value_after_pence >= 0),
            new_end TEXT,
            ground TEXT NOT NULL DEFAULT '' CHECK (ground IN ('', 'a', 'b', 'c', 'd', 'e')),
            published_where TEXT NOT NULL DEFAULT '',
            published_on TEXT,
            recorded_by TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        );
        CREATE INDEX contract_modifications_decision
            ON contract_modifications(decision_id, modified_on);
        """
    )


@migrations()
def m025_route_parts(db: Database) -> None:
    """What each procurement route records besides the key criteria: why the route was chosen,
    how providers met the basic selection criteria, how they were checked against the grounds
    for exclusion, and, where providers compete, each one's score on the published scale."""
    db.executescript(
        """
        ALTER TABLE decisions ADD COLUMN route_reasons TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions ADD COLUMN selection_criteria TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions ADD COLUMN exclusions TEXT NOT NULL DEFAULT '';
        ALTER TABLE decisions ADD COLUMN score_out_of INTEGER
            CHECK (score_out_of IS NULL OR score_out_of BETWEEN 1 AND 1000);
        CREATE TABLE decision_scores (
            id INTEGER PRIMARY KEY,
            decision_id INTEGER NOT NULL REFERENCES decisions(id),
            organisation_id INTEGER NOT NULL REFERENCES organisations(id),
            score REAL NOT NULL CHECK (score >= 0),
            assessment TEXT NOT NULL DEFAULT ''
        );
        CREATE UNIQUE INDEX decision_scores_pair ON decision_scores(decision_id, organisation_id);
        """
    )


@migrations()
def m026_outbox(db: Database) -> None:
    """Email waiting to be sent, and sent: queued in the write that it tells of, delivered by
    `send-mail` (or kept for the administrators' outbox page when no mail server is set)."""
    db.executescript(
        """
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            to_address TEXT NOT NULL,
            subject TEXT NOT NULL,
            body TEXT NOT NULL DEFAULT '',
            link_path TEXT NOT NULL DEFAULT '/',
            link_text TEXT NOT NULL DEFAULT 'Open the register',
            kind TEXT NOT NULL DEFAULT 'notice',
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            last_error TEXT,
            logged_at TEXT
        );
        CREATE INDEX outbox_waiting ON outbox(sent_at, id);
        """
    )


@migrations()
def m027_gifts(db: Database) -> None:
    """Gifts, hospitality and sponsorship offered to the people in the register, accepted or
    declined, as NHS England's guidance asks them to be declared."""
    db.executescript(
        """
        CREATE TABLE gifts (
            id INTEGER PRIMARY KEY,
            person_id INTEGER NOT NULL REFERENCES people(id),
            kind TEXT NOT NULL CHECK (kind IN ('gift', 'hospitality', 'sponsorship')),
            description TEXT NOT NULL,
            organisation_id INTEGER REFERENCES organisations(id),
            offered_by TEXT NOT NULL DEFAULT '',
            from_supplier INTEGER NOT NULL DEFAULT 0,
            value_pence INTEGER NOT NULL CHECK (value_pence >= 0),
            offered_on TEXT NOT NULL,
            accepted INTEGER NOT NULL,
            approved_by TEXT NOT NULL DEFAULT '',
            declared_on TEXT NOT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX gifts_person ON gifts(person_id, offered_on);
        CREATE INDEX gifts_organisation ON gifts(organisation_id);
        """
    )


@migrations()
def m028_reminders(db: Database) -> None:
    """The reminders already sent, by what they were about, so that a daily run of
    `send-reminders` sends each one once in its interval."""
    db.executescript(
        """
        CREATE TABLE reminders_sent (
            key TEXT PRIMARY KEY,
            to_address TEXT NOT NULL,
            sent_on TEXT NOT NULL
        );
        """
    )


@migrations()
def m029_breaches_register(db: Database) -> None:
    """The breaches register: what happened, when it was found, the investigation, its outcome,
    the lessons learned and an anonymised summary to publish; open until a governance lead
    closes it. Breaches recorded automatically (from rulings) are open breaches here too."""
    db.executescript(
        """
        ALTER TABLE breaches ADD COLUMN found_on TEXT;
        ALTER TABLE breaches ADD COLUMN recorded_by_user_id INTEGER REFERENCES users(id);
        ALTER TABLE breaches ADD COLUMN investigation TEXT NOT NULL DEFAULT '';
        ALTER TABLE breaches ADD COLUMN outcome TEXT NOT NULL DEFAULT '';
        ALTER TABLE breaches ADD COLUMN lessons TEXT NOT NULL DEFAULT '';
        ALTER TABLE breaches ADD COLUMN public_summary TEXT NOT NULL DEFAULT '';
        ALTER TABLE breaches ADD COLUMN closed_on TEXT;
        ALTER TABLE breaches ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
        UPDATE breaches SET found_on = substr(recorded_at, 1, 10) WHERE found_on IS NULL;
        """
    )


@migrations()
def m030_interest_approval(db: Database) -> None:
    """Declarations members make or change wait for a governance lead before the public register
    shows them: `approval` is NULL once approved (and for every declaration made before),
    'pending' while waiting and 'returned' when sent back, with the note or reason and who
    decided when."""
    db.executescript(
        """
        ALTER TABLE interests ADD COLUMN approval TEXT
            CHECK (approval IS NULL OR approval IN ('pending', 'returned'));
        ALTER TABLE interests ADD COLUMN approval_note TEXT NOT NULL DEFAULT '';
        ALTER TABLE interests ADD COLUMN approved_by_user_id INTEGER REFERENCES users(id);
        ALTER TABLE interests ADD COLUMN approved_at TEXT;
        CREATE INDEX interests_approval ON interests(approval) WHERE approval IS NOT NULL;
        """
    )


@migrations()
def m031_campaigns(db: Database) -> None:
    """Declaration campaigns: a governance lead asks everyone in scope (all decision-makers, or
    the members of chosen committees, as they were when it opened) to confirm their
    declarations or make a nil return by a deadline; reminders go at a chosen interval and on
    the deadline; at the close the non-declarers are listed (and published if chosen)."""
    db.executescript(
        """
        CREATE TABLE campaigns (
            id INTEGER PRIMARY KEY,
            title TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('annual', 'six_monthly')),
            scope TEXT NOT NULL DEFAULT '',
            opened_on TEXT NOT NULL,
            deadline TEXT NOT NULL,
            reminder_every_days INTEGER NOT NULL CHECK (reminder_every_days BETWEEN 1 AND 60),
            publish_non_declarers INTEGER NOT NULL DEFAULT 0,
            closed_on TEXT,
            created_by_user_id INTEGER REFERENCES users(id),
            created_at TEXT NOT NULL
        );
        CREATE TABLE campaign_people (
            campaign_id INTEGER NOT NULL REFERENCES campaigns(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            PRIMARY KEY (campaign_id, person_id)
        );
        """
    )


@migrations()
def m032_email_preference(db: Database) -> None:
    """Each person chooses to hear by email at once or in one daily summary; a message for
    someone who chose the summary waits in the outbox (`digest`) until `send-reminders` sends
    the day's summary."""
    db.executescript(
        """
        ALTER TABLE users ADD COLUMN email_daily INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE outbox ADD COLUMN digest INTEGER NOT NULL DEFAULT 0;
        """
    )


@migrations()
def m033_declared_at_meeting(db: Database) -> None:
    """An interest declared at a meeting, for an item, that was not on the register: the
    decision it was declared for."""
    db.executescript(
        """
        ALTER TABLE interests ADD COLUMN declared_at_decision_id INTEGER
            REFERENCES decisions(id);
        CREATE INDEX interests_declared_at ON interests(declared_at_decision_id)
            WHERE declared_at_decision_id IS NOT NULL;
        """
    )


@migrations()
def m034_meetings(db: Database) -> None:
    """A committee's meetings with their agenda items in order (each decision is the item of the
    meeting of its committee and meeting date; other items have only a title), and the
    declarations item: per agenda item, who declared what in the room and who left when.
    Existing decisions are placed: one meeting per committee and date, one item per decision
    in reference order."""
    db.executescript(
        """
        CREATE TABLE meetings (
            id INTEGER PRIMARY KEY,
            committee_id INTEGER NOT NULL REFERENCES committees(id),
            meeting_date TEXT NOT NULL,
            starts_at TEXT,
            ends_at TEXT,
            place TEXT NOT NULL DEFAULT '',
            link TEXT NOT NULL DEFAULT '',
            chair_person_id INTEGER REFERENCES people(id),
            secretary_person_id INTEGER REFERENCES people(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE UNIQUE INDEX meetings_slot
            ON meetings(committee_id, meeting_date, coalesce(starts_at, ''));
        CREATE INDEX meetings_date ON meetings(meeting_date);

        CREATE TABLE agenda_items (
            id INTEGER PRIMARY KEY,
            meeting_id INTEGER NOT NULL REFERENCES meetings(id),
            position INTEGER NOT NULL,
            title TEXT NOT NULL,
            decision_id INTEGER UNIQUE REFERENCES decisions(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            version INTEGER NOT NULL DEFAULT 1
        );
        CREATE INDEX agenda_items_meeting ON agenda_items(meeting_id, position);

        CREATE TABLE item_declarations (
            id INTEGER PRIMARY KEY,
            agenda_item_id INTEGER NOT NULL REFERENCES agenda_items(id),
            person_id INTEGER NOT NULL REFERENCES people(id),
            declared INTEGER NOT NULL DEFAULT 1,
            interest_id INTEGER REFERENCES interests(id),
            words TEXT NOT NULL DEFAULT '',
            left_at TEXT,
            returned_at TEXT,
            recorded_by_user_id INTEGER REFERENCES users(id),
            recorded_at TEXT NOT NULL
        );
        CREATE UNIQUE INDEX item_declarations_pair
            ON item_declarations(agenda_item_id, person_id);

        INSERT INTO meetings (committee_id, meeting_date, created_at, updated_at)
            SELECT committee_id, meeting_date, strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'),
                   strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now')
            FROM decisions GROUP BY committee_id, meeting_date
            ORDER BY meeting_date, committee_id;

        INSERT INTO agenda_items (meeting_id, position, title, decision_id, created_at,
                                  updated_at)
            SELECT meetings.id,
                   row_number() OVER (PARTITION BY meetings.id
                                      ORDER BY decisions.reference, decisions.id),
                   decisions.title, decisions.id, meetings.created_at, meetings.created_at
            FROM decisions JOIN meetings ON meetings.committee_id = decisions.committee_id
                AND meetings.meeting_date = decisions.meeting_date;
        """
    )


# The full-text indexes and the columns each holds (as m001 and m010 enabled them).
_SEARCHED = {
    "people": ("name", "email", "positions"),
    "organisations": ("name", "ods_code", "companies_house_number", "registered_address",
                      "postcode"),
    "interests": ("organisation_name", "organisation_business", "nature",
                  "associate_relationship"),
    "decisions": ("reference", "title", "description", "comments"),
}


@migrations()
def m035_search_index_on_text_changes(db: Database) -> None:
    """Re-index a record for search only when an update sets a column the search holds: the
    update trigger fired on every update, so keeping a decision's flag counts or status current
    rewrote its search entry too."""
    for table, columns in _SEARCHED.items():
        quoted = ", ".join(f'"{column}"' for column in columns)
        old = ", ".join(f'old."{column}"' for column in columns)
        new = ", ".join(f'new."{column}"' for column in columns)
        # Names from the fixed map above, never from input.
        db.executescript(f"""
            DROP TRIGGER IF EXISTS "{table}_au";
            CREATE TRIGGER "{table}_au" AFTER UPDATE OF {quoted} ON "{table}" BEGIN
              INSERT INTO "{table}_fts" ("{table}_fts", rowid, {quoted})
                VALUES('delete', old.rowid, {old});
              INSERT INTO "{table}_fts" (rowid, {quoted}) VALUES (new.rowid, {new});
            END;
        """)


@migrations()
def m036_participations_by_person(db: Database) -> None:
    """The decisions a person takes part in, read from the index alone: a file of new interests
    asks this of thousands of people at once, and the index on the person alone sent every
    answer to the table for its decision."""
    db.executescript("""
        CREATE INDEX IF NOT EXISTS decision_participants_person_decision
            ON decision_participants(person_id, decision_id);
        DROP INDEX IF EXISTS decision_participants_person;
    """)
