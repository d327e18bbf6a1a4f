"""Care tags and visits 走访: who needs attention, when they were visited, when next.

Sensitive tags (disability, 低保, 特困) are added, ended and seen only by the roles of
`permissions.can_see_sensitive`; their certificate numbers and notes are sealed in
`details_enc` like every tag's. Showing them is a read of a sensitive record and goes to the
audit log (`care_tags_read`). The next visit is due after the shortest active interval of the
person's care groups (current tags, and "aged 70+" from the birth date).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from shequ.audit.models import Action
from shequ.audit.services import audit_record, diff, snapshot
from shequ.lib import crypto
from shequ.people.models import CareKind, CareTag, Person, Visit, VisitPlan
from shequ.people.models_care import AGED_KEY, AGED_YEARS, SENSITIVE_KINDS
from shequ.people.services import age_on, check_date, require_write
from shequ.regions.permissions import can_see_sensitive
from shequ.workdays.calendar import today

GRADES = (1, 2, 3, 4)


def care_groups(person: Person, day: dt.date, tags: Iterable[CareTag] | None = None) -> set[str]:
    """The person's care groups on a day: kinds of current tags, and AGED_KEY when 70+."""
    current = tags if tags is not None else person.care_tags.filter(ended_on__isnull=True)
    groups = {tag.kind for tag in current if tag.ended_on is None}
    if age_on(person.birth_date, day) >= AGED_YEARS:
        groups.add(AGED_KEY)
    return groups


def visit_interval(person: Person, day: dt.date) -> int | None:
    """Days until the next visit: the shortest active plan among the person's groups."""
    groups = care_groups(person, day)
    if not groups:
        return None
    intervals = VisitPlan.objects.filter(kind__in=groups, active=True).values_list(
        "interval_days", flat=True
    )
    return min(intervals, default=None)


def next_visit_due(person: Person, visited_on: dt.date) -> dt.date | None:
    """When the visit after one on `visited_on` is due, or None when no plan applies."""
    interval = visit_interval(person, visited_on)
    return visited_on + dt.timedelta(days=interval) if interval else None


def _seal_details(certificate: str, note: str) -> str:
    details = {k: v for k, v in (("certificate", certificate), ("note", note)) if v}
    return crypto.encrypt(json.dumps(details, ensure_ascii=False)) if details else ""


def tag_details(tag: CareTag) -> dict[str, str]:
    """The sealed certificate number and note of a tag (call only for a role that may see it)."""
    return json.loads(crypto.decrypt(tag.details_enc)) if tag.details_enc else {}


def _require_sensitive(actor: Any, person: Person, kind: str) -> None:
    if kind in SENSITIVE_KINDS and not can_see_sensitive(actor, person.region):
        raise PermissionDenied(_("Your role may not record this kind of care tag"))


def care_tag_add(
    *,
    actor: Any,
    person: Person,
    kind: str,
    since: Any,
    grade: Any = None,
    certificate: str = "",
    note: str = "",
    request: HttpRequest | None = None,
) -> CareTag:
    """Tag a person from a date; one current tag per kind; a grade 1-4 for a disability."""
    require_write(actor, person.region)
    _require_sensitive(actor, person, kind)
    errors: dict[str, str] = {}
    if kind not in CareKind.values:
        errors["kind"] = _("Choose the kind of care")
    day = check_date(since, errors, "since")
    if day is None and "since" not in errors:
        errors["since"] = _("Enter the date the tag applies from")
    elif day is not None and day > today():
        errors["since"] = _("The date cannot be in the future")
    elif day is not None and day < person.birth_date:
        errors["since"] = _("The date is before the person's birth")
    level: int | None = None
    if kind == CareKind.DISABLED:
        try:
            level = int(str(grade).strip())
        except (TypeError, ValueError):
            level = None
        if level not in GRADES:
            errors["grade"] = _("Choose the disability grade, 1 to 4")
    elif grade not in (None, ""):
        errors["grade"] = _("Only a disability has a grade")
    certificate, note = certificate.strip(), note.strip()
    if len(certificate) > 40:
        errors["certificate"] = _("At most 40 characters")
    if len(note) > 500:
        errors["note"] = _("At most 500 characters")
    if person.left_on is not None:
        errors["kind"] = _("The person left the district on %(date)s") % {
            "date": person.left_on.isoformat()
        }
    if kind and person.care_tags.filter(kind=kind, ended_on__isnull=True).exists():
        errors["kind"] = _("The person has a current tag of this kind: end it first")
    if errors:
        raise ValidationError(errors)
    assert day is not None
    try:
        with transaction.atomic():
            tag = CareTag.objects.create(
                person=person,
                kind=kind,
                grade=level,
                details_enc=_seal_details(certificate, note),
                since=day,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action=Action.CREATE,
                obj=tag,
                changes={"kind": [None, kind], "since": [None, str(day)], "details": "changed"},
                request=request,
                region_path=person.region.path,
            )
    except IntegrityError as exc:
        # Two workers tagged the same person at once: the constraint keeps one current tag.
        raise ValidationError(
            {"kind": _("The person has a current tag of this kind: end it first")}
        ) from exc
    return tag


def care_tag_end(
    *, actor: Any, tag: CareTag, ended_on: Any, request: HttpRequest | None = None
) -> CareTag:
    """End a tag on a date; the tag is kept, only no longer current."""
    person = tag.person
    require_write(actor, person.region)
    _require_sensitive(actor, person, tag.kind)
    errors: dict[str, str] = {}
    day = check_date(ended_on, errors, "ended_on")
    if day is None and "ended_on" not in errors:
        errors["ended_on"] = _("Enter the date the tag ends")
    elif day is not None and day > today():
        errors["ended_on"] = _("The date cannot be in the future")
    elif day is not None and day < tag.since:
        errors["ended_on"] = _("The tag cannot end before it began (%(date)s)") % {
            "date": tag.since.isoformat()
        }
    if tag.ended_on is not None:
        errors["ended_on"] = _("This tag ended on %(date)s already") % {
            "date": tag.ended_on.isoformat()
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = CareTag.objects.select_for_update().get(pk=tag.pk)
        locked.ended_on = day
        locked.save(update_fields=["ended_on"])
        audit_record(
            actor=actor,
            action=Action.UPDATE,
            obj=locked,
            changes={"ended_on": [None, str(day)]},
            request=request,
            region_path=person.region.path,
        )
    return locked


def care_tags_for(actor: Any, person: Person) -> list[CareTag]:
    """The tags this user may see: sensitive ones only for `can_see_sensitive`."""
    tags = list(person.care_tags.all().order_by("ended_on", "kind", "-since"))
    if can_see_sensitive(actor, person.region):
        return tags
    return [tag for tag in tags if not tag.sensitive]


def care_tags_read(
    *, actor: Any, person: Person, tags: Iterable[CareTag], request: HttpRequest | None = None
) -> None:
    """Write the read of a person's sensitive tags to the audit log (nothing when none shown)."""
    kinds = sorted({tag.kind for tag in tags if tag.sensitive})
    if not kinds:
        return
    audit_record(
        actor=actor,
        action=Action.REVEAL,
        obj=person,
        changes={"read": "care_tags", "kinds": kinds},
        reason=_("Viewed sensitive care records"),
        request=request,
    )


def _check_visit(
    person: Person, data: dict[str, Any], errors: dict[str, str], *, visited: dt.date | None
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if "visited_on" in data or visited is None:
        visited = check_date(data.get("visited_on"), errors, "visited_on")
        if visited is None and "visited_on" not in errors:
            errors["visited_on"] = _("Enter the date of the visit")
        elif visited is not None and visited > today():
            errors["visited_on"] = _("A visit cannot be in the future")
        elif visited is not None and visited < person.birth_date:
            errors["visited_on"] = _("The date is before the person's birth")
        values["visited_on"] = visited
    found = str(data.get("found") or "").strip()
    if not found:
        errors["found"] = _("Write what you found, e.g. in good health, needs help shopping")
    elif len(found) > 2000:
        errors["found"] = _("At most 2000 characters")
    values["found"] = found
    follow_up = str(data.get("follow_up") or "").strip()
    if len(follow_up) > 2000:
        errors["follow_up"] = _("At most 2000 characters")
    values["follow_up"] = follow_up
    if data.get("next_due") not in (None, ""):
        due = check_date(data.get("next_due"), errors, "next_due")
        if due is not None and visited is not None and due <= visited:
            errors["next_due"] = _("The next visit is due after this one (%(date)s)") % {
                "date": visited.isoformat()
            }
        values["next_due"] = due
    elif visited is not None:
        values["next_due"] = next_visit_due(person, visited)
    return values


def visit_record(
    *, actor: Any, person: Person, data: dict[str, Any], request: HttpRequest | None = None
) -> Visit:
    """Record a visit (visited_on, found, follow_up, optional next_due: computed if empty)."""
    require_write(actor, person.region)
    errors: dict[str, str] = {}
    if person.left_on is not None:
        errors["visited_on"] = _("The person left the district on %(date)s") % {
            "date": person.left_on.isoformat()
        }
    values = _check_visit(person, data, errors, visited=None)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        visit = Visit.objects.create(person=person, region=person.region, visitor=actor, **values)
        audit_record(
            actor=actor,
            action=Action.CREATE,
            obj=visit,
            changes={"person": [None, person.pk], "visited_on": [None, str(visit.visited_on)]},
            request=request,
        )
    return visit


def visit_update(
    *, actor: Any, visit: Visit, data: dict[str, Any], request: HttpRequest | None = None
) -> Visit:
    """Correct a visit's findings, follow-up or next due date (empty: computed again)."""
    require_write(actor, visit.region)
    errors: dict[str, str] = {}
    values = _check_visit(visit.person, data, errors, visited=visit.visited_on)
    if errors:
        raise ValidationError(errors)
    fields = ("visited_on", "found", "follow_up", "next_due")
    with transaction.atomic():
        locked = Visit.objects.select_for_update().get(pk=visit.pk)
        before = snapshot(locked, fields)
        for name, value in values.items():
            setattr(locked, name, value)
        changes = diff(before, snapshot(locked, fields))
        if changes:
            locked.save(update_fields=list(fields))
            audit_record(
                actor=actor, action=Action.UPDATE, obj=locked, changes=changes, request=request
            )
    return locked
