"""The required stack alone: the floor of a registration (bench/bare_app.py's /form-register)
done with the parts the project requires, and nothing of ours.

POST /form-register: Flask, a Flask-WTF form (CSRFProtect and the form's own CSRF field, the
registration form's field types and validators, e-mail checked by email-validator, choices
read once per process), the Flask session (the CSRF token lives in it; a flashed thank-you
writes it back, as ours does), and the Flask-SQLAlchemy ORM doing the floor's database work
in one transaction: a place taken under the capacity (a conditional UPDATE of one of
bare_app.PLACE_SHARDS counters), the person and their message added as ORM objects, commit,
redirect. No translations, no rate limit, no audit, no e-mail rendered.

It signs with our app's SECRET_KEY and reads our app's session cookie, so the visitors of
bench/registration.py (who opened our form) post the same requests to it. The database is
BARE_DATABASE_URL (the floor tables that bare_app.create_floor_table made, and the bench
event's day parts and tables, for the choices).
"""

import os
import random

from email_validator import EmailNotValidError, validate_email
from flask import Flask, flash, redirect
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from flask_wtf.csrf import generate_csrf
from sqlalchemy import event as sa_event
from sqlalchemy import text, update
from wtforms import (
    BooleanField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TelField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp, ValidationError

from bench.bare_app import PLACE_SHARDS
from bench.common import SECRET_KEY


def _sqlalchemy_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


app = Flask(__name__)
app.config.update(
    SECRET_KEY=SECRET_KEY,
    WTF_CSRF_TIME_LIMIT=None,
    SQLALCHEMY_DATABASE_URI=_sqlalchemy_url(os.environ.get("BARE_DATABASE_URL", "sqlite://")),
    SQLALCHEMY_ENGINE_OPTIONS={"pool_recycle": 1800},
)
db = SQLAlchemy(app)
CSRFProtect(app)


class Place(db.Model):
    __tablename__ = "bare_places"
    id = db.Column(db.Integer, primary_key=True)
    capacity = db.Column(db.Integer)
    taken = db.Column(db.Integer)


class Registration(db.Model):
    __tablename__ = "bare_registrations"
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254))
    fields = db.Column(db.Text)


class Message(db.Model):
    __tablename__ = "bare_outbox"
    id = db.Column(db.Integer, primary_key=True)
    registration_id = db.Column(db.Integer)
    body = db.Column(db.Text)


with app.app_context():

    @sa_event.listens_for(db.engine, "connect")
    def _sqlite_settings(dbapi_connection, _record):
        """Our app's SQLite settings (app/__init__.py)."""
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()


def email_address(form, field):
    try:
        field.data = validate_email(field.data or "", check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        raise ValidationError("Enter a valid e-mail address.") from None


class MultiCheckboxField(SelectMultipleField):
    pass


class RegistrationForm(FlaskForm):
    first_name = StringField("First name", [DataRequired(), Length(max=100)])
    last_name = StringField("Last name", [DataRequired(), Length(max=100)])
    email = EmailField("E-mail", [DataRequired(), Length(max=254), email_address])
    phone = TelField("Phone", [Optional(), Regexp(r"^\+?[0-9 ()./-]{6,30}$")])
    organisation = StringField("Organisation", [Optional(), Length(max=200)])
    participant_type = SelectField("I take part as", [InputRequired()])
    day_parts = MultiCheckboxField("Parts of the day", [DataRequired()], coerce=int)
    choice_1 = SelectField("First choice", [Optional()])
    choice_2 = SelectField("Second choice", [Optional()])
    choice_3 = SelectField("Third choice", [Optional()])
    dietary_needs = TextAreaField("Dietary needs", [Optional(), Length(max=500)])
    accessibility_needs = TextAreaField("Accessibility needs", [Optional(), Length(max=500)])
    language = RadioField("Language", choices=[("it", "Italiano"), ("en", "English")])
    consent_privacy = BooleanField("Privacy", [DataRequired()])
    consent_photos = BooleanField("Photos")
    consent_name_public = BooleanField("Name public")


PARTICIPANT_TYPES = ["network_member", "city_staff", "social_worker", "partner", "citizen", "press"]
PARTICIPANT_TYPES += ["speaker"]
_choices: dict = {}


def choices() -> dict:
    """The event's day parts and tables, read once per process."""
    if not _choices:
        parts = db.session.execute(text("SELECT id, key FROM day_parts")).all()
        tables = db.session.execute(text("SELECT id, key FROM cafe_tables")).all()
        _choices["day_parts"] = [(part_id, key) for part_id, key in parts]
        _choices["tables"] = [("", "No preference")] + [(str(table_id), key) for table_id, key in tables]
        _choices["participant_types"] = [(kind, kind) for kind in PARTICIPANT_TYPES]
        db.session.rollback()
    return _choices


@app.post("/form-register")
def form_register_endpoint():
    form = RegistrationForm()
    known = choices()
    form.day_parts.choices = known["day_parts"]
    form.participant_type.choices = known["participant_types"]
    for field in (form.choice_1, form.choice_2, form.choice_3):
        field.choices = known["tables"]
    if not form.validate_on_submit():
        return f"invalid: {form.errors}", 400
    place = db.session.execute(
        update(Place)
        .where(Place.id == random.randint(1, PLACE_SHARDS), Place.taken < Place.capacity)
        .values(taken=Place.taken + 1)
    )
    if place.rowcount != 1:
        db.session.rollback()
        return redirect("/full")
    person = Registration(email=form.email.data, fields=repr(form.data))
    db.session.add(person)
    db.session.flush()  # its id, for the message
    db.session.add(Message(registration_id=person.id, body=f"Thank you, {form.first_name.data}."))
    db.session.commit()
    flash("Thank you, you are registered.", "success")
    return redirect(f"/thanks/{person.id}")


@app.get("/form-register")
def form_register_page():
    """A token for a visitor of this app alone (bench/profile_registration.py --stack)."""
    return generate_csrf()


@app.get("/health")
def health():
    return "ok"
