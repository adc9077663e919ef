"""Kecamatan scoping: which rows a user may see and write, in one place.

A model opts in by declaring ``__scope__ = {"kecamatan": <column>, "psks": <column>}``.
Kabupaten-wide roles see everything; an Operator PSKS sees the rows of their PSKS (or,
for tables without a PSKS column, of their PSKS's kecamatan); a Pemantau Kecamatan sees
their kecamatan; anybody else sees nothing (deny by default).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, g, has_request_context
from flask_appbuilder.models.filters import BaseFilter
from sqlalchemy import false, inspect, true
from sqlalchemy.sql.elements import ColumnElement

from app.roles import KABUPATEN_ROLES, KECAMATAN_ROLES, OPERATOR_ROLE


class ScopeViolation(Exception):
    """A write would put a row outside the writer's kecamatan or PSKS."""

    def __init__(self, message: str = "Data ini berada di luar wilayah atau PSKS Anda."):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Scope:
    """What one user may see: everything, one PSKS, one kecamatan, or nothing."""

    everything: bool = False
    kecamatan_id: int | None = None
    psks_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not self.everything and self.kecamatan_id is None and self.psks_id is None


NOTHING = Scope()


def scope_of(user: Any) -> Scope:
    """Compute the scope of a user from their roles, kecamatan and PSKS."""
    if user is None or not getattr(user, "is_authenticated", False):
        return NOTHING
    if not getattr(user, "is_active", False):
        return NOTHING
    role_names = {role.name for role in getattr(user, "roles", [])}
    if role_names & KABUPATEN_ROLES:
        return Scope(everything=True)
    if OPERATOR_ROLE in role_names:
        psks = getattr(user, "psks", None)
        if psks is None:
            return NOTHING
        return Scope(kecamatan_id=psks.kecamatan_id, psks_id=psks.id)
    if role_names & KECAMATAN_ROLES and getattr(user, "kecamatan_id", None):
        return Scope(kecamatan_id=user.kecamatan_id)
    return NOTHING


def current_scope() -> Scope:
    """The scope of the user of the current request (nothing outside a request)."""
    if not has_request_context():
        return NOTHING
    user = g.get("user")
    cached = g.get("_pundi_scope")
    if cached is None or cached[0] is not user:
        cached = (user, scope_of(user))
        g._pundi_scope = cached
    return cached[1]


def is_scoped(model: type) -> bool:
    return hasattr(model, "__scope__")


def scope_clause(model: type, scope: Scope) -> ColumnElement[bool]:
    """SQL condition selecting the rows of ``model`` inside ``scope``."""
    if scope.everything:
        return true()
    spec = model.__scope__
    if scope.psks_id is not None and "psks" in spec:
        return getattr(model, spec["psks"]) == scope.psks_id
    if scope.kecamatan_id is not None and "kecamatan" in spec:
        return getattr(model, spec["kecamatan"]) == scope.kecamatan_id
    return false()


def _effective_value(obj: Any, column: str) -> Any:
    """Value of a scope column, preferring the related object (it wins at flush)."""
    if column.endswith("_id"):
        related = getattr(obj, column[: -len("_id")], None)
        if related is not None and hasattr(related, "id"):
            return related.id
    return getattr(obj, column)


def in_scope(obj: Any, scope: Scope) -> bool:
    """Whether an object (possibly not yet saved) lies inside ``scope``."""
    if scope.everything:
        return True
    spec = type(obj).__scope__
    if scope.psks_id is not None and "psks" in spec:
        return _effective_value(obj, spec["psks"]) == scope.psks_id
    if scope.kecamatan_id is not None and "kecamatan" in spec:
        return _effective_value(obj, spec["kecamatan"]) == scope.kecamatan_id
    return False


def derive_kecamatan(obj: Any) -> None:
    """Copy the kecamatan from the relationship named in ``__kecamatan_from__``."""
    source_name = getattr(type(obj), "__kecamatan_from__", None)
    if not source_name:
        return
    source = getattr(obj, source_name, None)
    if source is not None:
        obj.kecamatan_id = source.kecamatan_id
        obj.kecamatan = source.kecamatan


def check_write(obj: Any) -> None:
    """Refuse a write that would leave the current user's scope or point outside it."""
    derive_kecamatan(obj)
    scope = current_scope()
    if is_scoped(type(obj)) and not in_scope(obj, scope):
        raise ScopeViolation()
    for relation in inspect(obj).mapper.relationships:
        if relation.uselist or relation.key in ("created_by", "changed_by"):
            continue
        related = getattr(obj, relation.key)
        if related is not None and is_scoped(type(related)) and not in_scope(related, scope):
            raise ScopeViolation(f"Pilihan {relation.key} berada di luar wilayah atau PSKS Anda.")


def scoped_query(model: type):
    """An ORM query over the rows of ``model`` the current user may see."""
    return current_app.appbuilder.session.query(model).filter(scope_clause(model, current_scope()))


class ScopeFilter(BaseFilter):
    """FAB filter applying the current user's scope; the filter value is ignored."""

    name = "Lingkup wilayah"
    arg_name = None

    def apply(self, query, value):
        return query.filter(scope_clause(self.model, current_scope()))


SCOPE_FILTER = [["id", ScopeFilter, None]]
