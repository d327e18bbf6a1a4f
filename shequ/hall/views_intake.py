"""Window intake (一窗受理): identify the applicant, pick the item, tick the materials, decide;
then the receipt (收件回执) or the one-time notice (一次性告知书) printed for the applicant.

全区通办: any window of the district accepts any resident of the district, so the applicant is
looked up in the whole register by the keyed hash of the identity number the worker typed, and
shown masked. The later steps carry the person as a signed token issued by that lookup, so a
worker reaches only the people whose number was typed at the window.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from shequ.accounts.views import apply_errors
from shequ.cases.models import Case
from shequ.hall import services
from shequ.hall.forms_intake import IdentifyForm, Outcome, OutcomeForm, RegisterForm
from shequ.hall.models import Material, MissingNotice, ServiceItem
from shequ.hall.printing import barcode_svg, mask_name, qr_svg
from shequ.lib.codes import display_code
from shequ.people.models import Person
from shequ.people.services import age_on, person_create
from shequ.regions.models import Region
from shequ.regions.roles import Role
from shequ.regions.scoping import get_visible_or_404
from shequ.workdays.calendar import today

APPLICANT_SALT = "shequ.hall.intake.applicant"
# An applicant token outlives a long visit to the window, not a working day.
APPLICANT_MAX_AGE = 4 * 60 * 60
ITEM_RESULTS = 20
LOOKUP_PATH = "/hall/lookup/"
# Services name some fields after the case; the intake form calls them otherwise.
FIELD_ALIASES = {"requester_phone": "phone"}


@dataclass(frozen=True)
class Desk:
    """The node the worker takes applications at, and every node they may choose from."""

    region: Region
    regions: list[Region]


def _desk(request: HttpRequest) -> Desk:
    """The node of the worker's window-worker assignment (chosen by `region` when several).

    Anyone without a window-worker assignment is refused: intake is the window's work.
    """
    regions = list(
        Region.objects.filter(
            assignments__user=request.user.pk, assignments__role=Role.WINDOW_WORKER
        )
        .distinct()
        .order_by("path")
    )
    if not regions:
        raise PermissionDenied(_("Only window workers take applications"))
    wanted = (request.POST.get("region") or request.GET.get("region") or "").strip()
    if not wanted:
        return Desk(regions[0], regions)
    chosen = next((r for r in regions if str(r.pk) == wanted), None)
    if chosen is None:
        raise Http404("not your window")
    return Desk(chosen, regions)


def _number(value: str) -> int:
    """A primary key from a query parameter; 0 (found nowhere) when it is not a number."""
    value = value.strip()
    return int(value) if value.isdigit() else 0


def _token(person: Person) -> str:
    return signing.dumps(person.pk, salt=APPLICANT_SALT)


def _applicant(token: str) -> Person | None:
    """The person a token from the identity lookup names; None when forged or expired.

    Not scoped on purpose (全区通办): the token proves the worker typed the person's number.
    """
    try:
        pk = signing.loads(token, salt=APPLICANT_SALT, max_age=APPLICANT_MAX_AGE)
    except signing.BadSignature:
        return None
    return Person.objects.filter(pk=pk).first()


def _card(person: Person) -> dict[str, Any]:
    """What the window sees of an applicant: masked values only."""
    return {
        "token": _token(person),
        "name": mask_name(person.name),
        "gender": person.get_gender_display(),
        "age": age_on(person.birth_date, today()),
        "id_number": person.id_number_masked,
        "doc_type": person.get_doc_type_display(),
        "phone": person.phone_masked,
        "proxy": services.proxy_suggested(person),
    }


def _page(
    request: HttpRequest, partial: str, context: dict[str, Any], *, invalid: bool = False
) -> HttpResponse:
    """The partial for htmx, the whole page otherwise (the page works without JavaScript).

    htmx swaps only successful answers, so a refused step answers 200 with its errors there,
    and 400 to a plain form post.
    """
    context.setdefault("identify_form", IdentifyForm())
    if context.get("applicant") or context.get("register_form"):
        context["identify_form"].fields["id_number"].widget.attrs.pop("autofocus", None)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, f"hall/intake.html#{partial}", context)
    return render(request, "hall/intake.html", context, status=400 if invalid else 200)


def _done(request: HttpRequest, url: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _expired(request: HttpRequest, desk: Desk) -> HttpResponse:
    """The applicant token is forged or too old: start again from the identity number."""
    if request.htmx:  # type: ignore[attr-defined]
        # The step's own target is too small for step 1: replace the whole working area.
        response = render(
            request,
            "hall/intake.html#main",
            {"desk": desk, "identify_form": IdentifyForm(), "expired": True},
        )
        response["HX-Retarget"] = "#intake-main"
        return response
    return _page(request, "main", {"desk": desk, "expired": True}, invalid=True)


@login_required
@require_GET
def intake(request: HttpRequest) -> HttpResponse:
    desk = _desk(request)
    return render(request, "hall/intake.html", {"desk": desk, "identify_form": IdentifyForm()})


@login_required
@require_POST
def intake_identify(request: HttpRequest) -> HttpResponse:
    """Step 1: find the applicant in the district's register, or offer to register them."""
    desk = _desk(request)
    form = IdentifyForm(request.POST)
    context: dict[str, Any] = {"desk": desk, "identify_form": form}
    if form.is_valid():
        identity = form.cleaned_data["identity"]
        person = services.applicant_lookup(
            actor=request.user, id_number=identity.number, request=request
        )
        # The full number leaves the screen; the field is ready for the next card.
        context["identify_form"] = IdentifyForm()
        if person is not None:
            context["applicant"] = _card(person)
        else:
            register = RegisterForm(
                initial={"doc_type": identity.doc_type, "id_number": identity.number}
            )
            register.fields["name"].widget.attrs["autofocus"] = True
            context["register_form"] = register
    return _page(request, "main", context, invalid=not form.is_valid())


@login_required
@require_POST
def intake_register(request: HttpRequest) -> HttpResponse:
    """Register a new applicant in the window's node, then go on as if they had been found."""
    desk = _desk(request)
    form = RegisterForm(request.POST)
    identify = IdentifyForm()
    context: dict[str, Any] = {"desk": desk, "identify_form": identify, "register_form": form}
    if form.is_valid():
        try:
            person = person_create(
                actor=request.user,
                region=desk.region,
                name=form.cleaned_data["name"],
                id_number=form.cleaned_data["id_number"],
                doc_type=form.cleaned_data["doc_type"],
                phone=form.cleaned_data["phone"],
                request=request,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            context = {
                "desk": desk,
                "identify_form": identify,
                "applicant": {**_card(person), "new": True},
            }
    return _page(request, "main", context, invalid="applicant" not in context)


@login_required
@require_GET
def intake_items(request: HttpRequest) -> HttpResponse:
    """Step 2: current service items whose name or code contains the query."""
    desk = _desk(request)
    person = _applicant(request.GET.get("applicant", ""))
    if person is None:
        return _expired(request, desk)
    query = request.GET.get("q", "").strip()
    items = ServiceItem.objects.current().select_related("department")
    if query:
        items = items.filter(Q(name__icontains=query) | Q(code__icontains=query))
    context = {
        "desk": desk,
        "applicant": _card(person),
        "q": query,
        "items": list(items.order_by("code")[:ITEM_RESULTS]),
    }
    return _page(request, "items", context)


def _item_context(
    desk: Desk, person: Person, item: ServiceItem, form: OutcomeForm, ticked: set[int]
) -> dict[str, Any]:
    return {
        "desk": desk,
        "applicant": _card(person),
        "item": item,
        "materials": list(item.materials.all()),
        "outcome_form": form,
        "ticked": ticked,
    }


@login_required
@require_GET
def intake_item(request: HttpRequest) -> HttpResponse:
    """Step 3: the item's materials as a checklist, and the three outcomes."""
    desk = _desk(request)
    person = _applicant(request.GET.get("applicant", ""))
    if person is None:
        return _expired(request, desk)
    item = get_object_or_404(
        ServiceItem.objects.current().select_related("department"),
        pk=_number(request.GET.get("item", "")),
    )
    form = OutcomeForm(item=item, initial={"key": uuid.uuid4().hex})
    return _page(request, "item", _item_context(desk, person, item, form, set()))


@login_required
@require_POST
def intake_submit(request: HttpRequest) -> HttpResponse:
    """Accept, give the one-time notice, or refuse; then print the paper for the applicant."""
    desk = _desk(request)
    person = _applicant(request.POST.get("applicant", ""))
    if person is None:
        return _expired(request, desk)
    # Any version: a version retired since the page was opened is refused by the service.
    item = get_object_or_404(
        ServiceItem.objects.select_related("department"), pk=_number(request.POST.get("item", ""))
    )
    form = OutcomeForm(request.POST, item=item)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["action"] == Outcome.ACCEPT:
                case = services.window_accept(
                    actor=request.user,
                    item=item,
                    applicant=person,
                    region=desk.region,
                    materials=data["materials"],
                    phone=data["phone"],
                    note=data["note"],
                    idempotency_key=data["key"],
                    request=request,
                )
                return _done(request, reverse("hall:receipt", args=[case.pk]))
            if data["action"] == Outcome.NOTICE:
                notice = services.notice_issue(
                    actor=request.user,
                    item=item,
                    applicant=person,
                    region=desk.region,
                    materials=data["materials"],
                    request=request,
                )
                return _done(request, reverse("hall:notice-print", args=[notice.pk]))
            case = services.window_refuse(
                actor=request.user,
                item=item,
                applicant=person,
                region=desk.region,
                reason=data["reason"],
                request=request,
            )
            return _done(request, reverse("hall:receipt", args=[case.pk]))
        except ValidationError as exc:
            apply_errors(
                form,
                ValidationError({FIELD_ALIASES.get(k, k): v for k, v in exc.message_dict.items()}),
            )
    ticked = {int(v) for v in request.POST.getlist("materials") if v.isdigit()}
    return _page(request, "item", _item_context(desk, person, item, form, ticked), invalid=True)


@login_required
@require_GET
def receipt(request: HttpRequest, case_id: int) -> HttpResponse:
    """收件回执 (or the written refusal), in an A4 or an 80 mm thermal layout."""
    case = get_visible_or_404(
        Case.objects.select_related(
            "region",
            "first_responder",
            "owner_unit",
            "application__item",
            "application__item__department",
        ),
        request.user,
        pk=case_id,
        type_key="application",
    )
    application = case.application
    code = case.tracking_code
    lookup_url = request.build_absolute_uri(f"{LOOKUP_PATH}?code={code}")
    refusal = case.events.filter(action="refuse").last() if case.state == "refused" else None
    context = {
        "case": case,
        "application": application,
        "item": application.item,
        "applicant_name": mask_name(case.requester_name),
        "applicant_id": application.applicant.id_number_masked,
        "materials": Material.objects.filter(
            item=application.item, pk__in=application.materials_received
        ),
        "refusal": refusal,
        "code": display_code(code),
        "barcode": barcode_svg(code, label=display_code(code)),
        "qr": qr_svg(lookup_url, label=_("Status lookup")),
        "lookup_url": lookup_url,
        "layout": "80mm" if request.GET.get("layout") == "80mm" else "a4",
    }
    return render(request, "hall/receipt.html", context)


@login_required
@require_GET
def notice_print(request: HttpRequest, notice_id: int) -> HttpResponse:
    """一次性告知书: every missing material, printed on A4 for the applicant."""
    notice = get_visible_or_404(
        MissingNotice.objects.select_related(
            "item", "item__department", "applicant", "issued_by", "region"
        ),
        request.user,
        pk=notice_id,
    )
    by_name = {m.name: m for m in notice.item.materials.all()}
    context = {
        "notice": notice,
        "applicant_name": mask_name(notice.applicant.name),
        "applicant_id": notice.applicant.id_number_masked,
        "missing": [{"name": name, "material": by_name.get(name)} for name in notice.missing],
    }
    return render(request, "hall/notice_print.html", context)
