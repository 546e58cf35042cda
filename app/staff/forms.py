from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.core.forms import AppForm
from app.staff.services import MIN_PASSWORD_LENGTH


class LoginForm(AppForm):
    email = EmailField(_l("E-mail"), [DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password."))])


class ForgotPasswordForm(AppForm):
    email = EmailField(_l("E-mail"), [DataRequired(_l("Enter your e-mail address.")), Length(max=254)])


class ChoosePasswordForm(AppForm):
    password = PasswordField(
        _l("New password"),
        [
            DataRequired(_l("Enter a password.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=200,
                message=_l("Use at least %(min)d characters.", min=MIN_PASSWORD_LENGTH),
            ),
        ],
        description=_l(
            "At least %(min)d characters. A short sentence is easy to remember.", min=MIN_PASSWORD_LENGTH
        ),
    )
    confirm = PasswordField(
        _l("The same password again"),
        [DataRequired(_l("Type the password again.")), EqualTo("password", _l("The two passwords differ."))],
    )
