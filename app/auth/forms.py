from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mail"), [DataRequired(_l("Enter your e-mail address."))])
    password = PasswordField(_l("Password"), [DataRequired(_l("Enter your password."))])
