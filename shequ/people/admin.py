from django.contrib import admin

from shequ.accounts.admin_site import ReadOnlyAdmin
from shequ.people.models import Person


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    """Masked, read-only: the register changes through its pages, and reveals are logged there."""

    list_display = ["name", "gender", "birth_date", "id_number_masked", "phone_masked", "region"]
    exclude = ["id_number_enc", "id_number_hash", "phone_enc", "phone_hash"]
    search_fields = ["name", "name_initials"]
    list_select_related = ["region"]
