"""Django's own interface strings that its Chinese catalogue does not translate yet.

Listed here so that `make messages` keeps them in the project's catalogue, which Django reads
before its own: the empty choice of every select (Django 6.1's "- Select an option -").
"""

from django.utils.translation import gettext_noop

STRINGS = (gettext_noop("- Select an option -"),)
