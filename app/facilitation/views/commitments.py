"""Marking something of the table as a commitment: the small form on the table's page
(templates/facilitation/table.html), and its own page when the form needs correcting.
The table in the URL is checked in blueprint.py's ``_load_table``; status changes after
the day are the organisers' (app/results/commitments_views.py)."""

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.facilitation.views.blueprint import bp, nav
from app.results import commitments as service
from app.results.commitments_forms import facilitator_commitment_form


def _form():
    return facilitator_commitment_form(g.event, service.proposal_lines(g.table))


def _table_commitments():
    """The table's commitments as written (a staff page: nobody's name is blanked here)."""
    return [service.shown(c, public=False) for c in service.commitments_of(g.event, g.table.id)]


@bp.context_processor
def _commitment_section():
    """What the table page's commitments section needs (only that page has one)."""
    if request.endpoint != "facilitators.table" or "table" not in g:
        return {}
    return {
        "commitment_form": _form(),
        "table_commitments": _table_commitments(),
    }


@bp.route("/tables/<int:table_id>/commitments", methods=["GET", "POST"])
def table_commitments(table_id):
    form = _form()
    if form.validate_on_submit():
        owner = service.owner_of(g.event, form.owner.data, form.owner_name.data)
        if owner is None:
            form.owner.errors = [_("Choose who takes it on from the list.")]
        else:
            text = {g.event.languages[0]: form.chosen_text()}  # written in the day's language
            service.create_commitment(g.table, text, owner, form.due_on.data, current_user.email)
            flash(_("Commitment saved: the organisers will follow it up after the day."), "success")
            return redirect(url_for(".table", table_id=g.table.id, _anchor="commitments"))
    page = render_template(
        "results/commitments_facilitator.html",
        commitment_form=form,
        table_commitments=_table_commitments(),
        **nav("commitments"),
    )
    return page, 422 if form.is_submitted() else 200
