"""Helpers of the migrations that write SQL of their own, per database vendor."""

from collections.abc import Mapping, Sequence
from typing import Any


def run_for_vendor(schema_editor: Any, statements: Mapping[str, Sequence[str]]) -> None:
    """Run the statements written for the connection's vendor (none for another vendor)."""
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)
