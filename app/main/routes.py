"""The home page, the language-picking root and the health check."""
from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from app.extensions import db, limiter
from app.locale import preferred_language
from app.main.sections import portal_sections
from app.security import public

root_bp = Blueprint("root", __name__)
bp = Blueprint("main", __name__, url_prefix="/<lang:lang_code>")


@root_bp.get("/")
@public
def pick_language():
    return redirect(url_for("main.home", lang_code=preferred_language()))


@root_bp.get("/healthz")
@limiter.exempt
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1")).scalar_one()
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify({"status": "unavailable"}), 503
    finally:
        db.session.close()
    return jsonify({"status": "ok"})


@bp.get("/")
@public
def home():
    return render_template("main/home.html", sections=portal_sections())
