"""Reference data shipped with the app (``app/data``): regions, PPKS/PSKS types, fund sources."""

from __future__ import annotations

import csv
import os
from typing import Any

from sqlalchemy.orm import Session

from app.models import Desa, JenisPpks, JenisPsks, Kecamatan, SumberDana

DATA_DIR = os.path.join(os.path.dirname(__file__), "data")


def _rows(name: str) -> list[dict[str, str]]:
    with open(os.path.join(DATA_DIR, name), encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _upsert(session: Session, model: type, kode: str, values: dict[str, Any]) -> Any:
    """Insert a row by its code, or update the fields that differ; returns the row."""
    row = session.query(model).filter_by(kode=kode).one_or_none()
    if row is None:
        row = model(kode=kode, **values)
        session.add(row)
        return row
    for key, value in values.items():
        if getattr(row, key) != value:
            setattr(row, key, value)
    return row


def load_reference_data(session: Session) -> dict[str, int]:
    """Load every reference table idempotently; returns the row count of each."""
    kecamatan = {}
    for row in _rows("wilayah_ksb.csv"):
        kode = row["kode_kecamatan"]
        if kode not in kecamatan:
            kecamatan[kode] = _upsert(session, Kecamatan, kode, {"nama": row["nama_kecamatan"]})
    session.flush()
    for row in _rows("wilayah_ksb.csv"):
        _upsert(
            session,
            Desa,
            row["kode_desa"],
            {"nama": row["nama_desa"], "jenis": row["jenis"], "kecamatan_id": kecamatan[row["kode_kecamatan"]].id},
        )
    for row in _rows("jenis_ppks.csv"):
        _upsert(
            session,
            JenisPpks,
            row["kode"],
            {"nama": row["nama"], "singkatan": row["singkatan"], "kriteria_masalah": row["kriteria_masalah"]},
        )
    for row in _rows("jenis_psks.csv"):
        _upsert(session, JenisPsks, row["kode"], {"nama": row["nama"], "bentuk": row["bentuk"], "dasar": row["dasar"]})
    for row in _rows("sumber_dana.csv"):
        _upsert(
            session,
            SumberDana,
            row["kode"],
            {"nama": row["nama"], "golongan": row["golongan"], "keterangan": row["keterangan"]},
        )
    session.commit()
    return {
        model.__tablename__: session.query(model).count()
        for model in (Kecamatan, Desa, JenisPpks, JenisPsks, SumberDana)
    }
