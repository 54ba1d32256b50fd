"""Cổng Làng application factory: each step below is one named piece of set-up."""
from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.config import load_config


def create_app(overrides: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(load_config(Path(app.instance_path), overrides))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from app.passwords import use_test_profile

    use_test_profile(app.config["APP_ENV"] == "testing")
    from app.notifications.channels import sms_gateway_setting

    sms_gateway_setting(app.config)  # refuses a demo-only SMS gateway in production

    init_extensions(app)
    from app.ratelimits import trust_proxies

    trust_proxies(app)
    from app import locale, security, errors, cli, templating, input_guard, page_cache

    input_guard.init_app(app)  # before any route is added: it owns the `int` converter
    locale.init_app(app)
    security.init_app(app)
    templating.init_app(app)
    page_cache.init_app(app)
    register_case_kinds()
    register_blueprints(app)
    errors.init_app(app)
    cli.init_app(app)
    return app


def init_extensions(app: Flask) -> None:
    from app.db import configure_engine
    from app.extensions import compress, csrf, db, limiter, login_manager, migrate
    from app.ratelimits import check_app_storage

    db.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
    migrate.init_app(app, db, directory=str(Path(app.root_path).parent / "migrations"))
    csrf.init_app(app)
    check_app_storage(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    compress.init_app(app)
    # Babel is bound in app.locale, which owns the locale selector.


def register_case_kinds() -> None:
    """Tell the queue core about each kind of case (labels, wording, who hears of a change)."""
    from app.community.kind import INITIATIVE
    from app.dossiers.kind import DOSSIER
    from app.queue import kinds
    from app.village.kind import VILLAGE_NEED

    kinds.register(DOSSIER)
    kinds.register(VILLAGE_NEED)
    kinds.register(INITIATIVE)
    from app.reports.kind import FIELD_REPORT  # field reports (issue 10)

    kinds.register(FIELD_REPORT)
    from app.petitions.kind import PETITION

    kinds.register(PETITION)


def register_blueprints(app: Flask) -> None:
    from app.auth.routes import bp as auth_bp
    from app.main.routes import bp as main_bp, root_bp

    app.register_blueprint(root_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    from app.admin.routes import bp as admin_bp
    from app.reports import admin as _reports_admin  # noqa: F401  report categories, API keys

    app.register_blueprint(admin_bp)
    from app.workbench.routes import bp as workbench_bp

    app.register_blueprint(workbench_bp)
    from app.procedures.routes import bp as procedures_bp
    from app.dossiers.routes import bp as dossiers_bp
    from app.dossiers.desk import bp as desk_bp
    from app.dossiers import fee_desk, result_routes  # noqa: F401 (their routes join these two)
    from app.dossiers import papers as _papers  # noqa: F401  its routes join both blueprints
    from app.dossiers import printouts  # noqa: F401  (the desk's other printable forms)

    app.register_blueprint(procedures_bp)
    app.register_blueprint(dossiers_bp)
    app.register_blueprint(desk_bp)
    from app.api.routes import bp as api_bp

    app.register_blueprint(api_bp)
    from app.community import bp as community_bp
    from app.village import bp as village_bp
    # Each part of the participation side adds its routes to these two (one module each).
    from app.community import routes_modules as _community  # noqa: F401
    from app.village import routes_modules as _village  # noqa: F401

    app.register_blueprint(community_bp)
    app.register_blueprint(village_bp)
    # Desk appointments: residents' pages and the desk's pages join one blueprint.
    from app.appointments import bp as appointments_bp, desk_routes, routes  # noqa: F401

    app.register_blueprint(appointments_bp)
    # Field reports (their pages, staff and admin pages) and the Open311 API over them.
    from app.reports import bp as reports_bp
    from app.reports import routes_modules as _reports  # noqa: F401
    from app.open311.routes import bp as open311_bp

    app.register_blueprint(reports_bp)
    app.register_blueprint(open311_bp)
    # Petitions and questions, voters' meetings (issue 11), and citizen reception.
    from app.petitions import bp as petitions_bp, routes_modules as _petitions  # noqa: F401
    from app.reception import bp as reception_bp, routes as _reception  # noqa: F401

    app.register_blueprint(petitions_bp)
    app.register_blueprint(reception_bp)
    # Transparency and operations (issue 12): public statistics, the operations dashboard and
    # the smart-commune scorecard, one blueprint (each part adds its routes to it).
    from app.stats import routes_modules as _stats  # noqa: F401
    from app.stats import bp as stats_bp

    app.register_blueprint(stats_bp)
