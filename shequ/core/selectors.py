from typing import Any


def overview(user: Any) -> dict[str, Any]:
    return {}
