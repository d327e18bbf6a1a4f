"""The register through the API: masked by default, reveal logged like on the pages."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from shequ.people import services
from shequ.people.exporting import CONTENT_TYPE, person_export
from shequ.people.models import Person
from shequ.people.search import person_search, search_page
from shequ.people.selectors import AGE_BANDS, PersonFilters
from shequ.people.views import get_person_for_user
from shequ.regions.scoping import get_region_for_user

router = Router(tags=["people"])


class PersonOut(Schema):
    id: int
    name: str
    gender: str
    birth_date: dt.date
    doc_type: str
    id_number_masked: str
    phone_masked: str
    residence_status: str
    region_id: int
    household_id: int | None
    relation: str


class RevealIn(Schema):
    field: str
    reason: str


class RevealOut(Schema):
    field: str
    value: str


class PersonQuery(Schema):
    """The filters of the person list (the same as the page's)."""

    q: str = Field("", description="Name, pinyin or initials, 4-6 last ID digits, phone, address")
    region_id: int | None = Field(None, description="A node of the tree within your scope")
    status: str = Field("", description="registered, resident or floating")
    tag: str = Field("", description="A care tag kind, or aged_70")
    age: str = Field("", description="0-17, 18-59, 60-69, 70-79 or 80+")
    permit_expiring: bool = Field(False, description="Residence permit expires within 30 days")
    include_left: bool = Field(False, description="Include persons who left the district")

    def filters(self, request: HttpRequest) -> PersonFilters:
        region = (
            get_region_for_user(request.user, self.region_id)
            if self.region_id is not None
            else None
        )
        if self.age and self.age not in AGE_BANDS:
            raise ValidationError({"age": _("Unknown age band %(value)s") % {"value": self.age}})
        return PersonFilters(
            q=self.q,
            region=region,
            status=self.status,
            tag=self.tag,
            age=self.age,
            permit_expiring=self.permit_expiring,
            include_left=self.include_left,
        )


class PersonPageOut(Schema):
    count: int = Field(description="Matches, counted up to 1,000")
    count_capped: bool = Field(description="True when there are more than `count` matches")
    page: int
    has_next: bool
    items: list[PersonOut]


class ExportIn(PersonQuery):
    reveal_identity: bool = Field(False, description="Identity numbers in full (allowed roles)")
    reveal_phone: bool = Field(False, description="Phones in full (allowed roles)")
    reason: str = Field("", description="Required when a value is asked for in full")


@router.get(
    "/persons",
    response=PersonPageOut,
    summary="Search persons within scope (masked), 25 a page",
)
def person_list(request: HttpRequest, query: Query[PersonQuery], page: int = 1) -> Any:
    persons = person_search(request.user, filters=query.filters(request))
    result = search_page(persons, page)
    return {
        "count": result.count,
        "count_capped": result.count_capped,
        "page": result.number,
        "has_next": result.has_next,
        "items": result.rows,
    }


@router.post(
    "/persons/export",
    summary="Export the filtered list to .xlsx (masked unless allowed, with a reason; audited)",
    response={200: bytes},
    openapi_extra={
        "responses": {
            200: {"content": {CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}}}
        }
    },
)
def person_list_export(request: HttpRequest, data: ExportIn) -> FileResponse:
    result = person_export(
        actor=request.user,
        filters=data.filters(request),
        reveal_identity=data.reveal_identity,
        reveal_phone=data.reveal_phone,
        reason=data.reason,
        request=request,
    )
    return FileResponse(
        result.file, as_attachment=True, filename=result.filename, content_type=CONTENT_TYPE
    )


@router.get("/persons/{person_id}", response=PersonOut, summary="One person (masked)")
def person_detail(request: HttpRequest, person_id: int) -> Person:
    return get_person_for_user(request.user, person_id)


@router.post(
    "/persons/{person_id}/reveal",
    response=RevealOut,
    summary="Reveal an identity number or phone in full (audited, needs a reason)",
)
def person_reveal(request: HttpRequest, person_id: int, data: RevealIn) -> Any:
    person = get_person_for_user(request.user, person_id)
    value = services.person_reveal(
        actor=request.user, person=person, field=data.field, reason=data.reason, request=request
    )
    return RevealOut(field=data.field, value=value)


# The figures live in their own module; they hang under the same /people prefix.
from shequ.people.api_figures import router as figures_router  # noqa: E402

router.add_router("", figures_router)
from shequ.people.api_import import router as import_router  # noqa: E402

router.add_router("", import_router)
# The register operations (households, places, care, visits, moves) join this router.
from shequ.people import api_register  # noqa: E402, F401
