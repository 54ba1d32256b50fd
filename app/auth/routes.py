"""Log in and out, register, change and reset passwords. Views only parse and render; the
rules live in app/auth/services.py."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth import services
from app.auth.forms import (ERRORS, ChangePasswordForm, ForgotPasswordForm, LoginForm,
                            RegisterForm, ResetPasswordForm)
from app.extensions import db, limiter
from app.links import public_url, redirect_back
from app.locale import current_language
from app.notifications.channels import can_deliver
from app.ratelimits import account_key
from app.security import public, signed_in
from app.text import normalize_phone
from app.units.services import commune_choices, village_choices

bp = Blueprint("auth", __name__, url_prefix="/<lang:lang_code>/account")


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _blame(form, error: services.AccountError) -> None:
    field = getattr(form, error.field or "", None)
    message = ERRORS.get(error.code, ERRORS["no_contact"])
    if field is not None:
        field.errors = list(field.errors) + [message]
    else:
        flash(str(message), "error")


def _landing_for(user) -> str:
    if user.is_staff and "workbench.my_cases" in current_app.view_functions:
        return url_for("workbench.my_cases")
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(_landing_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(db.session, form.identifier.data, form.password.data)
        if user is None:
            form.password.errors = list(form.password.errors) + [
                _("The phone number, email or password is not right.")]
        else:
            login_user(user, remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect_back(request.args.get("next"), _landing_for(user))
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
@signed_in
def logout():
    services.log_out_everywhere(db.session, current_user._get_current_object())
    logout_user()
    flash(_("You are logged out."), "success")
    return redirect(url_for("main.home"))


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])
@public
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    lang = current_language()
    form = RegisterForm()
    if request.method == "GET":
        form.locale.data = lang
    form.commune_id.choices = [(0, _("Choose…"))] + commune_choices(db.session, lang)
    form.village_id.choices = village_choices(db.session, lang, _("I am not sure / none"))
    if form.validate_on_submit():
        registration = services.Registration(
            full_name=form.full_name.data, phone=form.phone.data or None,
            email=form.email.data or None, password=form.password.data,
            commune_id=form.commune_id.data, village_id=form.village_id.data or None,
            locale=form.locale.data)
        try:
            user = services.register_resident(db.session, registration)
        except services.AccountError as error:
            _blame(form, error)
        else:
            login_user(user)
            flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
            return redirect(url_for("main.home", lang_code=user.locale))
    return render_template("auth/register.html", form=form)


@bp.get("/")
@signed_in
def account():
    return render_template("auth/account.html")


@bp.route("/password", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD"], methods=["POST"])
@limiter.limit(lambda: current_app.config["RATELIMIT_PASSWORD"], methods=["POST"],
               key_func=account_key)
@signed_in
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            user = services.change_password(db.session, current_user._get_current_object(),
                                            form.current_password.data, form.new_password.data)
        except services.AccountError as error:
            _blame(form, error)
        else:
            # Every other device is logged out; this one stays, under the new generation.
            login_user(user, remember=bool(request.cookies.get(
                current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token"))))
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("auth.account"))
    return render_template("auth/change_password.html", form=form)


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        minutes = current_app.config["PASSWORD_RESET_MINUTES"]
        services.request_password_reset(
            db.session, form.identifier.data, minutes=minutes,
            link_for=lambda token: public_url("auth.reset_password", token=token),
            subject=_("Reset your Cổng Làng password"),
            body_template=_("Open this link to choose a new password: {link}\n"
                            "It works once, for {minutes} minutes. If you did not ask for it, "
                            "ignore this message."))
        flash(_("If an account uses that phone number or email, a reset link is on its way."),
              "success")
        if normalize_phone(form.identifier.data) and not can_deliver(current_app.config, "sms"):
            # Said for every phone number, account or not, so it reveals nobody's account.
            flash(_("We cannot send text messages yet. If your account has an email address, "
                    "the link went there; otherwise ask at your commune's one-stop desk, or add "
                    "an email address to your account once you are logged in."), "warning")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def reset_password(token: str):
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.reset_password(db.session, token, form.password.data)
        except services.AccountError as error:
            if error.field:
                _blame(form, error)
            else:
                flash(str(ERRORS[error.code]), "error")
                return redirect(url_for("auth.forgot_password"))
        else:
            flash(_("Your password has been changed. You can log in now."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)
