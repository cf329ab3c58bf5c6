"""The conflict-of-interest and make-or-buy decision register."""
from __future__ import annotations

from typing import Any

from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then REGISTER_* variables, then test config."""
    from . import config, db, extensions, views_common

    app = Flask(
        __name__,
        template_folder="../templates",
        instance_relative_config=True,
    )
    config.load(app, test_config)
    db.init_app(app)
    extensions.init_app(app)
    views_common.init_app(app)

    from . import cli, mail_views
    from .auth import views as auth_views
    from .breaches import views as breach_views
    from .campaigns import views as campaign_views
    from .committees import views as committee_views
    from .decisions import contracts_views
    from .decisions import register_views as decision_register_views
    from .decisions import views as decision_views
    from .gifts import views as gift_views
    from .imports import views as import_views
    from .interests import views as interest_views
    from .meetings import views as meeting_views
    from .notices import views as notice_views
    from .organisations import views as organisation_views
    from .people import views as people_views
    from .public import views as public_views
    from .reports import views as report_views
    from .reviews import views as review_views
    from .search import views as search_views

    for module in (
        auth_views,
        organisation_views,
        people_views,
        committee_views,
        interest_views,
        import_views,
        search_views,
        decision_views,
        decision_register_views,
        contracts_views,
        report_views,
        public_views,
        review_views,
        mail_views,
        gift_views,
        breach_views,
        campaign_views,
        notice_views,
        meeting_views,
    ):
        app.register_blueprint(module.bp)
    app.register_blueprint(gift_views.public_bp)
    app.register_blueprint(breach_views.public_bp)
    app.register_blueprint(campaign_views.public_bp)
    cli.init_app(app)
    return app
