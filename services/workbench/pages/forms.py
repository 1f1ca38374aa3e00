"""The workbench's forms: Flask-WTF, so each carries its CSRF token. Labels and messages are
the catalogue's English msgids, shown in the page's language by the templates."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

REQUIRED = "This field is required."
CERTIFICATE_NUMBER = "A certificate number is Y or S and 21 digits."


class SignInForm(FlaskForm):
    login = StringField(validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=1024)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current_password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=1024)])
    new_password = PasswordField(validators=[DataRequired(REQUIRED), Length(max=1024)])


class ButtonForm(FlaskForm):
    """A button that changes something (sign out, end a session): only its CSRF token."""


class LanguageForm(FlaskForm):
    language = HiddenField(validators=[DataRequired(REQUIRED)])
    next = HiddenField()


class CertificateForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that only finds a public page

    number = StringField(
        validators=[
            DataRequired(REQUIRED),
            Regexp(r"^\s*[YySs]\d{21}\s*$", message=CERTIFICATE_NUMBER),
        ]
    )
