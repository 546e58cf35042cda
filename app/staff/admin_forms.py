"""The organisers' forms for staff accounts: invite someone, change a role."""

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from app.core.forms import AppForm
from app.models import Role
from app.registration.forms import LANGUAGE_NAMES, normalise_email, strip
from app.staff.services import ROLE_LABELS, account_with_email, member_of

# The most often invited first; admin, who can do everything, last.
ROLE_ORDER = (Role.FACILITATOR, Role.DESK, Role.ADMIN)


def _role_choices():
    return [(role.value, str(ROLE_LABELS[role]).capitalize()) for role in ROLE_ORDER]


class InviteForm(AppForm):
    name = StringField(_l("Name"), [DataRequired(_l("Enter their name.")), Length(max=200)], filters=[strip])
    email = EmailField(
        _l("E-mail"),
        [DataRequired(_l("Enter their e-mail address.")), Length(max=254), normalise_email],
        filters=[strip],
    )
    role = SelectField(_l("Role"), [DataRequired()], default=Role.FACILITATOR.value)
    language = SelectField(_l("Language of their e-mails"), [DataRequired()])

    def __init__(self, languages, event, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        self.role.choices = _role_choices()
        self.language.choices = [(lang, LANGUAGE_NAMES.get(lang, lang)) for lang in languages]

    def validate_email(self, field):
        """A colleague of the event's organiser group may be given this event too; an account
        of another group is only said to exist (its group is not named)."""
        account = account_with_email(field.data) if field.data else None
        if account is None:
            return
        if member_of(self.event, account.id) is not None:
            raise ValidationError(_l("This person already works on this event."))
        if account.organiser_id != self.event.organiser_id or account.instance_admin:
            raise ValidationError(_l("A staff account with this e-mail address exists already."))

    def colleague(self):
        """The existing account of the group this invitation gives the event to, if any."""
        return account_with_email(self.email.data)


class RoleForm(AppForm):
    role = SelectField(_l("Role"), [DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = _role_choices()
