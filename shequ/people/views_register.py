"""一户一册、一人一表: the person page, the household page, and their forms.

Thin views: fetch within scope (404 outside), call one service, redirect with a message or
render the form with the service's errors. A read-only role gets 403 from the service.
"""

from __future__ import annotations

import re
from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shequ.accounts.views import apply_errors
from shequ.lib.idnumbers import DocType
from shequ.people import services_care, services_household, services_moves
from shequ.people.forms import CareTagForm, MoveForm, PersonEditForm, VisitForm
from shequ.people.models import (
    CareTag,
    Dwelling,
    DwellingUse,
    Household,
    Person,
    PersonMove,
    Relation,
    ResidenceStatus,
    Tenancy,
    Visit,
)
from shequ.people.services import age_on, person_update
from shequ.people.views import get_person_for_user
from shequ.people.views_places import (
    buildings_for,
    dwellings_in,
    get_building_for_user,
    get_dwelling_for_user,
)
from shequ.regions import permissions as perms
from shequ.regions.scoping import get_visible_or_404
from shequ.workdays.calendar import today

# The cases app sits above people (docs/architecture.md): people never imports it. When it is
# installed, its own scoped selector lists the cases of a household's members.
CASES_SELECTOR = "shequ.cases.selectors.cases_for"
MEMBER_FIELD = re.compile(r"^members-(\d+)-(\w+)$")


def get_household_for_user(user: Any, household_id: int) -> Household:
    return get_visible_or_404(
        Household.objects.select_related("region", "dwelling__building"), user, pk=household_id
    )


def get_visit_for_user(user: Any, visit_id: int) -> Visit:
    return get_visible_or_404(
        Visit.objects.select_related("person__region", "region"), user, pk=visit_id
    )


def get_tag_for_user(user: Any, tag_id: int) -> CareTag:
    """A tag within scope; a sensitive tag is "not found" for a role that may not see it."""
    tag = get_visible_or_404(CareTag.objects.select_related("person__region"), user, pk=tag_id)
    if tag.sensitive and not perms.can_see_sensitive(user, tag.person.region):
        raise Http404("not found")
    return tag


def cases_of(user: Any, person_ids: list[int]) -> list[Any]:
    """The cases the user reaches whose requester is one of the persons (newest first)."""
    if not person_ids or not apps.is_installed("shequ.cases"):
        return []
    cases_for = import_string(CASES_SELECTOR)
    return list(
        cases_for(user).filter(requester_id__in=person_ids).order_by("-created_at", "-id")[:50]
    )


def _tags_by_person(user: Any, persons: list[Person], request: HttpRequest) -> dict[int, Any]:
    """Each person's visible tags; a read of sensitive ones is written to the audit log."""
    shown: dict[int, Any] = {}
    for person in persons:
        tags = services_care.care_tags_for(user, person)
        services_care.care_tags_read(actor=user, person=person, tags=tags, request=request)
        shown[person.pk] = tags
    return shown


@login_required
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    """一人一表: identity (masked), residence, household, dwelling, tags, visits, moves, cases."""
    person = get_person_for_user(request.user, person_id)
    household = person.household
    members = list(services_household.current_members(household, request.user)) if household else []
    tags = _tags_by_person(request.user, [person], request)[person.pk]
    day = today()
    visits = list(person.visits.select_related("visitor")[:20])
    can_write = perms.can_write(request.user, person.region)
    sensitive = perms.can_see_sensitive(request.user, person.region)
    context = {
        "person": person,
        "age": age_on(person.birth_date, day),
        "members": members,
        "tags": tags,
        "current_tags": [t for t in tags if t.ended_on is None],
        "visits": visits,
        "next_due": visits[0].next_due if visits else None,
        "interval": services_care.visit_interval(person, day),
        "overdue": bool(visits and visits[0].next_due and visits[0].next_due < day),
        "moves": person.moves.select_related(
            "from_dwelling__building", "to_dwelling__building", "actor"
        ),
        "cases": cases_of(request.user, [person.pk]),
        "can_write": can_write,
        "can_reveal_identity": perms.can_reveal_identity(request.user, person.region),
        "can_reveal_phone": perms.can_reveal_phone(request.user, person.region),
        "dwelling": person.dwelling,
        "visit_form": VisitForm(initial={"visited_on": day}),
        "tag_form": CareTagForm(initial={"since": day}, sensitive=sensitive),
        "today": day,
    }
    return render(request, "people/person_detail.html", context)


@login_required
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    """一户一册: members and their relations, dwelling, tags, visits, tenancy, moves, cases."""
    household = get_household_for_user(request.user, household_id)
    members = list(services_household.current_members(household, request.user))
    tags = _tags_by_person(request.user, members, request)
    ids = [m.pk for m in members]
    day = today()
    context = {
        "household": household,
        "rows": [
            {"person": m, "age": age_on(m.birth_date, day), "tags": tags[m.pk]} for m in members
        ],
        "visits": Visit.objects.visible_to(request.user)
        .filter(person_id__in=ids)
        .select_related("person", "visitor")[:30],
        "tenancies": Tenancy.objects.visible_to(request.user)
        .filter(dwelling=household.dwelling_id)
        .prefetch_related("tenants")[:10]
        if household.dwelling_id
        else [],
        "moves": PersonMove.objects.visible_to(request.user)
        .filter(Q(from_household_id=household.pk) | Q(to_household_id=household.pk))
        .select_related("person", "from_dwelling__building", "to_dwelling__building")[:50],
        "cases": cases_of(request.user, ids),
        "can_write": perms.can_write(request.user, household.region),
    }
    return render(request, "people/household_detail.html", context)


def _members_from_post(post: Any) -> list[dict[str, Any]]:
    """The member rows of the household form (members-<n>-<field>), in row order."""
    rows: dict[int, dict[str, Any]] = {}
    for key, value in post.items():
        if match := MEMBER_FIELD.match(key):
            rows.setdefault(int(match.group(1)), {})[match.group(2)] = value
    return [rows[i] for i in sorted(rows) if any(str(v).strip() for v in rows[i].values())]


@login_required
def household_register(request: HttpRequest) -> HttpResponse:
    """Register a household of several people in one form (member rows added by Alpine)."""
    buildings = list(buildings_for(request.user))
    errors: dict[str, list[str]] = {}
    members: list[dict[str, Any]] = [{"relation": Relation.HEAD}, {}, {}]
    post = request.POST
    if request.method == "POST":
        members = _members_from_post(post) or members
        building = dwelling = None
        try:
            if post.get("dwelling", "").isdigit():
                dwelling = get_dwelling_for_user(request.user, int(post["dwelling"]))
            elif post.get("building", "").isdigit():
                building = get_building_for_user(request.user, int(post["building"]))
            household = services_household.household_register(
                actor=request.user,
                members=members,
                dwelling=dwelling,
                building=building,
                new_dwelling={
                    k.removeprefix("dwelling-"): v
                    for k, v in post.items()
                    if k.startswith("dwelling-")
                },
                number=post.get("number", ""),
                request=request,
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("The household is registered."))
            return redirect("people:household-detail", household_id=household.pk)
    first = {k: v[0] for k, v in errors.items()}
    context = {
        "buildings": buildings,
        "rows": [
            {
                "index": i,
                "values": row,
                "errors": {
                    k.split("-", 2)[2]: v for k, v in first.items() if k.startswith(f"members-{i}-")
                },
            }
            for i, row in enumerate(members)
        ],
        "dwelling_errors": {
            k.removeprefix("dwelling-"): v for k, v in first.items() if k.startswith("dwelling-")
        },
        "general_errors": [
            v for k, v in first.items() if not k.startswith(("members-", "dwelling-"))
        ],
        "post": post,
        "dw": {
            k.removeprefix("dwelling-"): v for k, v in post.items() if k.startswith("dwelling-")
        },
        "uses": DwellingUse.choices,
        "dwellings": dwellings_in(request.user, post.get("building", "")),
        "relations": Relation.choices,
        "statuses": ResidenceStatus.choices,
        "doc_types": DocType.choices,
    }
    return render(request, "people/household_register.html", context)


@login_required
def household_member_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = get_household_for_user(request.user, household_id)
    form = PersonEditForm(request.POST or None, initial={"relation": Relation.CHILD})
    if request.method == "POST" and form.is_valid():
        try:
            person = services_household.household_member_add(
                actor=request.user,
                household=household,
                member={k: v for k, v in form.cleaned_data.items()},
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("%(name)s is added to the household.") % {"name": person})
            return redirect("people:household-detail", household_id=household.pk)
    form.fields["id_number"].label = _("Identity number")
    return render(
        request, "people/person_form.html", {"form": form, "household": household, "new": True}
    )


@login_required
def person_edit(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_id)
    initial = {
        name: getattr(person, name)
        for name in PersonEditForm.base_fields
        if name not in ("id_number", "phone")
    }
    form = PersonEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        for optional in ("id_number", "phone", "gender", "birth_date"):
            # An empty correction field leaves the stored value as it is.
            if not str(data.get(optional) or "").strip() and optional != "phone":
                data.pop(optional)
        if not str(data.get("phone") or "").strip() and not request.POST.get("clear_phone"):
            data.pop("phone")
        try:
            person_update(actor=request.user, person=person, data=data, request=request)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The changes are saved."))
            return redirect("people:person-detail", person_id=person.pk)
    return render(request, "people/person_form.html", {"form": form, "person": person})


@login_required
@require_POST
def visit_record(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record a visit from the person page (a phone form of a few fields)."""
    person = get_person_for_user(request.user, person_id)
    form = VisitForm(request.POST)
    form.is_valid()
    try:
        services_care.visit_record(
            actor=request.user, person=person, data=form.cleaned_data, request=request
        )
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "people/visit_form.html", {"form": form, "person": person})
    messages.success(request, _("The visit is recorded."))
    return redirect("people:person-detail", person_id=person.pk)


@login_required
def visit_edit(request: HttpRequest, visit_id: int) -> HttpResponse:
    visit = get_visit_for_user(request.user, visit_id)
    form = VisitForm(
        request.POST or None,
        initial={
            name: getattr(visit, name) for name in ("visited_on", "found", "follow_up", "next_due")
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_care.visit_update(
                actor=request.user, visit=visit, data=form.cleaned_data, request=request
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The visit is saved."))
            return redirect("people:person-detail", person_id=visit.person_id)
    return render(
        request, "people/visit_form.html", {"form": form, "person": visit.person, "visit": visit}
    )


@login_required
@require_POST
def tag_add(request: HttpRequest, person_id: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_id)
    form = CareTagForm(request.POST, sensitive=perms.can_see_sensitive(request.user, person.region))
    form.is_valid()
    data = {k: request.POST.get(k, "") for k in ("kind", "since", "grade", "certificate", "note")}
    try:
        services_care.care_tag_add(actor=request.user, person=person, request=request, **data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return render(request, "people/tag_form.html", {"form": form, "person": person})
    messages.success(request, _("The care tag is added."))
    return redirect("people:person-detail", person_id=person.pk)


@login_required
@require_POST
def tag_end(request: HttpRequest, tag_id: int) -> HttpResponse:
    tag = get_tag_for_user(request.user, tag_id)
    try:
        services_care.care_tag_end(
            actor=request.user, tag=tag, ended_on=request.POST.get("ended_on"), request=request
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The care tag is ended."))
    return redirect("people:person-detail", person_id=tag.person_id)


def _optional(getter: Any, user: Any, raw: str) -> Any:
    return getter(user, int(raw)) if raw.strip().isdigit() else None


@login_required
def person_move(request: HttpRequest, person_id: int) -> HttpResponse:
    """Record a move: another dwelling, another household, leaving the district, coming back."""
    person = get_person_for_user(request.user, person_id)
    form = MoveForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = request.user
        try:
            services_moves.person_move(
                actor=user,
                person=person,
                kind=data["kind"],
                on=data["on"],
                to_dwelling=_optional(get_dwelling_for_user, user, data["to_dwelling"]),
                to_household=_optional(get_household_for_user, user, data["to_household"]),
                relation=data["relation"],
                new_head=_optional(get_person_for_user, user, data["new_head"]),
                note=data["note"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("The move is recorded."))
            return redirect("people:person-detail", person_id=person.pk)
    others = (
        list(
            services_household.current_members(person.household, request.user).exclude(pk=person.pk)
        )
        if person.household
        else []
    )
    dwellings = Dwelling.objects.visible_to(request.user).select_related("building")[:500]
    households = (
        Household.objects.visible_to(request.user)
        .select_related("dwelling__building")
        .exclude(pk=person.household_id or 0)[:500]
    )
    context = {
        "form": form,
        "person": person,
        "others": others,
        "dwellings": dwellings,
        "households": households,
    }
    return render(request, "people/person_move.html", context)
