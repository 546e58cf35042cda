"""The organisers' world café forms: a run, a move by hand, the publication, a seat's say."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from app.core.forms import AppForm
from app.registration.forms import strip


class PlacementForm(AppForm):
    """Organisers' say over the world café: a pinned table, an accessible table."""

    pinned_table_id = SelectField(_l("Always seat at"), coerce=int)
    needs_accessible_table = BooleanField(_l("Needs an accessible table"))


class RunForm(AppForm):
    mixing_weight = DecimalField(
        _l("Mixing of organisations"), [Optional(), NumberRange(min=0, max=10)], default=0, places=2,
        description=_l("0: organisations are spread only where it costs no preference. Higher values trade "
                       "first choices for more mixing; the run shows what it cost."),
    )  # fmt: skip
    groups = SelectField(
        _l("People registered together"),
        choices=[
            ("ignore", _l("Ignore groups")),
            ("together", _l("Keep each group at one table")),
            ("spread", _l("Spread each group over different tables")),
        ],
        default="ignore",
        description=_l("Groups are the people one contact registered together. Kept together or "
                       "spread only where it costs no preference, unless the weight below says "
                       "otherwise; the run shows what it cost."),
    )  # fmt: skip
    group_weight = DecimalField(
        _l("Weight of groups"), [Optional(), NumberRange(min=0, max=10)], default=0, places=2,
        description=_l("How many steps down someone's choices (first to second, second to third) "
                       "one group kept together, or one pair of its members apart, is worth. 0: "
                       "never at the cost of a preference."),
    )  # fmt: skip
    seed = IntegerField(_l("Seed"), [Optional(), NumberRange(min=0, max=10**9)], default=0)
    full = BooleanField(_l("Full re-optimisation (people may change table)"))


class MoveForm(AppForm):
    # A name (or part of one) or the badge code; the suggestions list everyone in the run.
    person = StringField(
        _l("Person"),
        [DataRequired(_l("Type the name of the person to move.")), Length(max=300)],
        filters=[strip],
        description=_l("Type a name or the code under the QR, then pick from the suggestions."),
    )
    table_id = SelectField(_l("Table"), coerce=int)


class PublishForm(AppForm):
    """The confirmation of a publication: the fingerprint of the plan that was shown."""

    plan = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{16}$")])
