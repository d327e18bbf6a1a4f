"""The floor the API is measured against: plain Django views doing one statement each.

They run in the same server, behind the same middleware, as the API; they parse the same kind
of JSON body and answer JSON. `insert` writes one row into the benchmark's own table
`bench_row` (created by api_bench.py); `read` reads one case by its tracking code (a unique
index), as the status lookup must.

`floor_api` is the framework's own floor: a django-ninja endpoint behind the project's token
authentication that validates a schema body and writes that one row, so that the benchmark can
tell what django-ninja and the token cost from what the intake's own work costs.
"""

import json

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI, Schema

from shequ.api.auth import TokenAuth

TABLE_SQL = {
    "sqlite": (
        "CREATE TABLE bench_row (id integer PRIMARY KEY AUTOINCREMENT, "
        "code varchar(100) NOT NULL UNIQUE, note text NOT NULL, created_at datetime NOT NULL)"
    ),
    "postgresql": (
        "CREATE TABLE bench_row (id bigserial PRIMARY KEY, code varchar(100) NOT NULL UNIQUE, "
        "note text NOT NULL, created_at timestamptz NOT NULL)"
    ),
}


def ping(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


@csrf_exempt
def insert(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (code, note, created_at) VALUES (%s, %s, %s)",
            [data["code"], data.get("note", ""), timezone.now()],
        )
    return JsonResponse({"code": data["code"]}, status=201)


@csrf_exempt
def read(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT state, due_date, requester_phone_tail FROM cases_case WHERE tracking_code = %s",
            [data["code"]],
        )
        row = cursor.fetchone()
    if row is None:
        return JsonResponse({"detail": "not found"}, status=404)
    return JsonResponse({"state": row[0], "due_date": str(row[1])})


floor_api = NinjaAPI(urls_namespace="bench-floor", docs_url=None, openapi_url=None)


class RowIn(Schema):
    code: str
    note: str = ""


@floor_api.post("/insert", auth=TokenAuth(), response={201: dict[str, str]})
def api_insert(request: HttpRequest, data: RowIn) -> tuple[int, dict[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO bench_row (code, note, created_at) VALUES (%s, %s, %s)",
            [data.code, data.note, timezone.now()],
        )
    return 201, {"code": data.code}
