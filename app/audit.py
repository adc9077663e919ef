"""Audit trail: every insert, change and delete of an audited row, field by field.

One SQLAlchemy ``after_flush`` listener writes ``riwayat_perubahan`` rows in the same
transaction as the change, whichever channel made it (screen, API, command).
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
from collections.abc import Callable
from typing import Any

from flask import g, has_app_context
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import ColumnProperty, RelationshipProperty, Session

from app.formatting import server_now
from app.models import RiwayatPerubahan

IGNORED = frozenset(
    {
        "created_on",
        "changed_on",
        "created_by_fk",
        "changed_by_fk",
        "created_by",
        "changed_by",
        "last_login",
        "login_count",
        "fail_login_count",
        "created",
        "changed",
    }
)
HIDDEN = frozenset({"password"})
AUDITED_TABLES = frozenset(
    {
        "kecamatan",
        "desa",
        "jenis_ppks",
        "jenis_psks",
        "sumber_dana",
        "psks",
        "ppks",
        "donatur",
        "dokumen_psks",
        "ab_user",
        "ab_role",
        "pengumpulan",
        "penyaluran",
        "bantuan_pemerintah",
        "harga_barang",
        "tutup_buku",
    }
)
ACTION_LABELS = {"tambah": "Ditambahkan", "ubah": "Diubah", "hapus": "Dihapus"}


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, (dt.date, dt.datetime, decimal.Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set)):
        return sorted(str(v) for v in value)
    return str(value)


def _attributes(obj: Any):
    """Audited attributes: plain columns that are not foreign keys, and relationships."""
    mapper = inspect(obj).mapper
    for prop in mapper.attrs:
        if prop.key in IGNORED:
            continue
        if isinstance(prop, ColumnProperty):
            if any(col.foreign_keys for col in prop.columns):
                continue
            yield prop.key, False
        elif isinstance(prop, RelationshipProperty):
            yield prop.key, prop.uselist


def _changes(obj: Any) -> dict[str, dict[str, Any]]:
    state = inspect(obj)
    changes = {}
    for key, many in _attributes(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        if many:
            old = list(history.unchanged) + list(history.deleted)
            new = list(history.unchanged) + list(history.added)
        else:
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        if key in HIDDEN:
            old, new = "••••", "•••• (diubah)"
        old, new = _plain(old), _plain(new)
        if old != new:
            changes[key] = {"lama": old, "baru": new}
    return changes


def _snapshot(obj: Any) -> dict[str, dict[str, Any]]:
    values = {}
    for key, _many in _attributes(obj):
        if key in HIDDEN:
            continue
        value = _plain(getattr(obj, key))
        if value not in (None, [], ""):
            values[key] = {"lama": None, "baru": value}
    return values


def _actor() -> tuple[int | None, str | None]:
    user = g.get("user") if has_app_context() else None
    if user is not None and getattr(user, "is_authenticated", False):
        return user.id, user.username
    return None, "sistem"


def _audited(obj: Any) -> bool:
    return getattr(type(obj), "__tablename__", None) in AUDITED_TABLES


def _row_id(obj: Any) -> str:
    return ",".join(str(v) for v in inspect(obj).mapper.primary_key_from_instance(obj))


@event.listens_for(Session, "after_flush")
def _record_changes(session: Session, _flush_context) -> None:
    rows = []
    for action, objects in (
        ("tambah", session.new),
        ("ubah", session.dirty),
        ("hapus", session.deleted),
    ):
        for obj in objects:
            if not _audited(obj):
                continue
            if action == "ubah":
                changes = _changes(obj)
            elif action == "tambah":
                changes = _snapshot(obj)
            else:
                changes = {k: {"lama": v["baru"], "baru": None} for k, v in _snapshot(obj).items()}
            if action == "ubah" and not changes:
                continue
            rows.append((obj, action, changes))
    if not rows:
        return
    user_id, username = _actor()
    now = server_now()
    session.connection().execute(
        RiwayatPerubahan.__table__.insert(),
        [
            {
                "tabel": obj.__tablename__,
                "baris_id": _row_id(obj),
                "aksi": action,
                "waktu": now,
                "user_id": user_id,
                "username": username,
                "perubahan": json.dumps(changes, ensure_ascii=False, sort_keys=True),
            }
            for obj, action, changes in rows
        ],
    )


def history_of(session: Session, table: str, row_id: Any) -> list[dict[str, Any]]:
    """The change history of one row, newest first, ready to show."""
    entries = session.execute(
        select(RiwayatPerubahan)
        .where(RiwayatPerubahan.tabel == table, RiwayatPerubahan.baris_id == str(row_id))
        .order_by(RiwayatPerubahan.waktu.desc(), RiwayatPerubahan.id.desc())
    ).scalars()
    return [
        {
            "waktu": entry.waktu,
            "oleh": entry.username or "sistem",
            "aksi": ACTION_LABELS.get(entry.aksi, entry.aksi),
            "perubahan": json.loads(entry.perubahan),
        }
        for entry in entries
    ]


def mask_history(entries: list[dict[str, Any]], masks: dict[str, Callable[[Any], str]]) -> list[dict[str, Any]]:
    """History entries with the masked fields' old and new values masked."""
    for entry in entries:
        for field, mask in masks.items():
            change = entry["perubahan"].get(field)
            if change:
                change["lama"], change["baru"] = mask(change["lama"]), mask(change["baru"])
    return entries


def mask_changes_json(text: str, masks: dict[str, Callable[[Any], str]]) -> str:
    """A stored ``perubahan`` JSON text with the masked fields masked."""
    entry = {"perubahan": json.loads(text)}
    mask_history([entry], masks)
    return json.dumps(entry["perubahan"], ensure_ascii=False, sort_keys=True)
