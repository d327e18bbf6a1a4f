"""Case types declare their states, transitions, roles and clock effects; the engine reads them.

Each case-type app builds a `CaseType` and calls `register()` from its AppConfig.ready(). The
engine (services.py) never imports a case-type app: it looks the type up here by key.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise


class ClockEffect(StrEnum):
    NONE = "none"
    START = "start"  # the promised time starts counting (working days)
    PAUSE = "pause"  # 补正, hearing, inspection, expert review: not counted
    RESUME = "resume"  # the paused working days are added to the deadline
    STOP = "stop"  # finished: on time or not is recorded


@dataclass(frozen=True)
class Transition:
    """One step a case may take: from any of `sources` to `target`, by one of `roles`."""

    name: str
    label: str | Promise
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    clock: ClockEffect = ClockEffect.NONE
    needs_note: bool = False
    takes: bool = False  # the actor becomes the handler
    tell_requester: bool = False  # the requester gets a text message
    style: str = ""  # "primary" or "danger" for the button


@dataclass(frozen=True)
class CaseType:
    key: str
    label: str | Promise
    states: dict[str, str | Promise]
    initial: str
    transitions: tuple[Transition, ...]
    final_states: frozenset[str]
    ratable: bool = False
    # Plain-words descriptions of states for residents (status lookup), by state.
    public_states: dict[str, str | Promise] = field(default_factory=dict)
    # A further check of who may take a step, beyond the roles over the case's node or
    # unit: guard(actor, case, transition) -> bool (an incident handled by a department is
    # taken only by that department's staff).
    guard: Callable[[Any, Any, Transition], bool] | None = None
    # Steps that need more than the engine's move (an incident's dispatch names a tier and a
    # unit): transition name -> the type's service, called by `case_step` with keyword
    # arguments case, actor, note, expected_state, data, request. Filled by the type's app.
    services: dict[str, Callable[..., Any]] = field(default_factory=dict)

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def available(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def state_label(self, state: str) -> str | Promise:
        return self.states.get(state, state)


_REGISTRY: dict[str, CaseType] = {}


def register(case_type: CaseType) -> CaseType:
    for transition in case_type.transitions:
        unknown = {*transition.sources, transition.target} - set(case_type.states)
        if unknown:
            raise ValueError(f"{case_type.key}.{transition.name}: unknown states {unknown}")
    _REGISTRY[case_type.key] = case_type
    return case_type


def get_type(key: str) -> CaseType:
    try:
        return _REGISTRY[key]
    except KeyError as exc:
        raise LookupError(f"no case type {key!r} is registered") from exc


def all_types() -> list[CaseType]:
    return list(_REGISTRY.values())
