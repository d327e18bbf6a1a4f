# Replaced by the workdays API; kept minimal so the project loads meanwhile.
from ninja import Router

router = Router(tags=["workdays"])
