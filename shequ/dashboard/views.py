"""The staff overview: figures of the user's scope, computed from the records."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from shequ.dashboard.selectors import overview


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "dashboard/home.html", {"overview": overview(request.user)})
