from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from app.forms import BaseForm
from app.auth.services import MIN_PASSWORD_LENGTH
from app.text import normalize_phone

ERRORS = {
    "bad_phone": _l("Enter a Vietnamese mobile number, like 0912 345 678."),
    "no_contact": _l("Enter a phone number or an email address."),
    "phone_taken": _l("An account with this phone number already exists. Log in or reset your password."),
    "email_taken": _l("An account with this email address already exists. Log in or reset your password."),
    "short_password": _l("Use at least %(n)s characters for the password.", n=MIN_PASSWORD_LENGTH),
    "unknown_commune": _l("Choose your commune from the list."),
    "village_not_in_commune": _l("That village is not in the commune you chose."),
    "wrong_password": _l("The current password is not right."),
    "invalid_token": _l("This reset link is not valid or has already been used. Ask for a new one."),
    "expired_token": _l("This reset link has expired. Ask for a new one."),
    "bad_role": _l("Choose a valid role."),
}


def vn_phone(form, field):
    if field.data and not normalize_phone(field.data):
        raise ValidationError(ERRORS["bad_phone"])


class LoginForm(BaseForm):
    identifier = StringField(_l("Phone number or email"),
                             validators=[DataRequired(_l("Enter your phone number or email."))])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Keep me logged in on this device"))


class RegisterForm(BaseForm):
    full_name = StringField(_l("Full name"), validators=[
        DataRequired(_l("Enter your full name.")),
        Length(max=120, message=_l("The name can be at most %(max)d characters."))])
    phone = TelField(_l("Mobile phone number"), validators=[Optional(), vn_phone])
    email = EmailField(_l("Email (optional)"), validators=[
        Optional(), Email(message=_l("Enter an email address like name@example.com.")),
        Length(max=254)])
    commune_id = SelectField(_l("Commune or ward"), coerce=int,
                             validators=[DataRequired(_l("Choose your commune from the list."))])
    village_id = SelectField(_l("Village or hamlet (optional)"), coerce=int, validate_choice=False)
    locale = SelectField(_l("Preferred language"), choices=[("vi", "Tiếng Việt"), ("en", "English")])
    password = PasswordField(_l("Password"), validators=[
        DataRequired(_l("Choose a password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=ERRORS["short_password"])])
    confirm = PasswordField(_l("Repeat the password"), validators=[
        DataRequired(_l("Repeat the password.")),
        EqualTo("password", message=_l("The two passwords do not match."))])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not (self.phone.data or "").strip() and not (self.email.data or "").strip():
            self.phone.errors = list(self.phone.errors) + [ERRORS["no_contact"]]
            ok = False
        return ok


class ChangePasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"),
                                     validators=[DataRequired(_l("Enter your current password."))])
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a new password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=ERRORS["short_password"])])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("new_password", message=_l("The two passwords do not match."))])


class ForgotPasswordForm(BaseForm):
    identifier = StringField(_l("Phone number or email"),
                             validators=[DataRequired(_l("Enter your phone number or email."))])


class ResetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[
        DataRequired(_l("Choose a new password.")),
        Length(min=MIN_PASSWORD_LENGTH, message=ERRORS["short_password"])])
    confirm = PasswordField(_l("Repeat the new password"), validators=[
        DataRequired(_l("Repeat the new password.")),
        EqualTo("password", message=_l("The two passwords do not match."))])
