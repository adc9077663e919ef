"""Counts per kecamatan for the home page chart, always within the user's scope."""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import func, select

from app.models import Donatur, Kecamatan, Ppks, Psks
from app.scope import current_scope, scope_clause

CHARTS = ((Psks, "PSKS"), (Ppks, "PPKS"), (Donatur, "Donatur"))
BAR_WIDTH = 180


def count_by_kecamatan(model: type) -> list[tuple[str, int]]:
    """(kecamatan name, rows) for every kecamatan in scope, by Kemendagri code."""
    scope = current_scope()
    session = current_app.appbuilder.session
    counts = dict(
        session.execute(
            select(model.kecamatan_id, func.count()).where(scope_clause(model, scope)).group_by(model.kecamatan_id)
        ).all()
    )
    kecamatan = session.execute(
        select(Kecamatan.id, Kecamatan.nama).where(scope_clause(Kecamatan, scope)).order_by(Kecamatan.kode)
    ).all()
    return [(nama, counts.get(kec_id, 0)) for kec_id, nama in kecamatan]


def summary() -> dict[str, Any]:
    """The home page charts: one per registry, bars scaled to the largest count."""
    if current_scope().nothing:
        return {"kosong": True, "grafik": []}
    charts = []
    for model, title in CHARTS:
        rows = count_by_kecamatan(model)
        largest = max((n for _name, n in rows), default=0) or 1
        charts.append(
            {
                "judul": title,
                "total": sum(n for _name, n in rows),
                "baris": [
                    {"kecamatan": name, "jumlah": n, "lebar": round(BAR_WIDTH * n / largest)} for name, n in rows
                ],
            }
        )
    return {"kosong": False, "grafik": charts}
