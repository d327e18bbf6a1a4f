from django import forms
from django.utils.translation import gettext_lazy as _


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("Identity number")), ("phone", _("Phone"))])
    reason = forms.CharField(label=_("Why do you need the full value?"), max_length=200)
