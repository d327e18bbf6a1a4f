"""API authentication: bearer tokens for systems, the session for the pages' own scripts."""

from typing import Any

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from shequ.accounts.services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class StaffSessionAuth(SessionAuth):
    """The logged-in staff user of the page (CSRF checked on writes by ninja)."""


AUTH = [TokenAuth(), StaffSessionAuth()]
