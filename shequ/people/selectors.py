"""Read-side queries of the register."""

from typing import Any

from django.db.models import Q, QuerySet

from shequ.people.models import Person


def person_search(user: Any, *, query: str = "", region: Any = None) -> QuerySet[Person]:
    """Persons within the user's scope, optionally within a node, matching name or pinyin.

    Name: contains; pinyin: the full pinyin or the initials start with the query ("zw").
    """
    persons = Person.objects.visible_to(user).select_related("region", "household")
    if region is not None:
        persons = persons.filter(region__path__startswith=region.path)
    query = query.strip()
    if query:
        lowered = query.lower().replace(" ", "")
        condition = Q(name__contains=query)
        if lowered.isascii() and lowered.isalpha():
            condition |= Q(name_initials__startswith=lowered) | Q(name_pinyin__startswith=lowered)
        persons = persons.filter(condition)
    return persons.order_by("id")
