"""Rules of the registries (PSKS, PPKS, donors): what a valid record is.

Each rule is one function returning an Indonesian message or ``None``. ``record_errors`` runs
them all: screens after a form's fields are valid (each message next to its field), the API
before a save (HTTP 422 by field).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from flask import current_app

from app.formatting import today_wita
from app.ledger import ENTRY_RULES, entry_errors
from app.models import Donatur, Ppks, Psks
from app.nik import check_nik, consistency_warnings

PHONE = re.compile(r"^\+?[0-9 ()-]{6,20}$")
KK = re.compile(r"^[0-9]{16}$")

SEX_CHOICES = [("L", "Laki-laki"), ("P", "Perempuan")]
FORM_CHOICES = [("perorangan", "Perorangan"), ("lembaga", "Lembaga"), ("keluarga", "Keluarga")]
DONOR_CHOICES = [
    ("perorangan", "Perorangan"),
    ("kelompok", "Kelompok"),
    ("lembaga", "Lembaga"),
    ("dunia_usaha", "Dunia usaha"),
]
STATUS_CHOICES = [
    ("aktif", "Aktif (perlu penanganan)"),
    ("tertangani", "Sudah tertangani"),
    ("pindah", "Pindah domisili"),
    ("meninggal", "Meninggal dunia"),
]
DOKUMEN_CHOICES = [
    ("akta", "Akta pendirian / badan hukum"),
    ("sk", "SK kepengurusan"),
    ("npwp", "NPWP"),
    ("domisili", "Surat keterangan domisili / NIB"),
    ("lainnya", "Lainnya"),
]
ANONYMOUS_DONOR = "Hamba Allah"


def nik_error(nik: str | None) -> str | None:
    if not nik:
        return None
    check = check_nik(nik)
    return " ".join(check.errors) or None


def nik_taken_error(record: Ppks) -> str | None:
    """A NIK already held by another PPKS (forms check this through FAB's unique validator)."""
    if not record.nik:
        return None
    session = current_app.appbuilder.session
    with session.no_autoflush:
        query = session.query(Ppks.id).filter(Ppks.nik == check_nik(record.nik).nik)
        if record.id is not None:
            query = query.filter(Ppks.id != record.id)
        return "NIK sudah terdaftar." if query.first() else None


def kk_error(kk: str | None) -> str | None:
    if kk and not KK.match(kk):
        return "Nomor KK harus 16 angka."
    return None


def phone_error(phone: str | None) -> str | None:
    if phone and not PHONE.match(phone):
        return "Nomor telepon hanya boleh berisi angka, spasi, tanda +, - dan kurung."
    return None


def past_date_error(value: dt.date | None) -> str | None:
    if value and value > today_wita():
        return "Tanggal tidak boleh setelah hari ini."
    if value and value.year < 1900:
        return "Tahun tidak masuk akal."
    return None


def desa_error(desa: Any, kecamatan: Any) -> str | None:
    if desa is not None and kecamatan is not None and desa.kecamatan_id != kecamatan.id:
        return f"Desa/kelurahan {desa.nama} tidak berada di Kecamatan {kecamatan.nama}."
    return None


def choice_error(value: str | None, choices: list[tuple[str, str]]) -> str | None:
    if value not in {key for key, _label in choices}:
        return "Pilihan tidak valid."
    return None


RECORD_RULES: dict[type, list[tuple[str, Callable[[Any], str | None]]]] = {
    Psks: [
        ("telepon", lambda r: phone_error(r.telepon)),
        ("tanggal_berdiri", lambda r: past_date_error(r.tanggal_berdiri)),
        ("tanggal_badan_hukum", lambda r: past_date_error(r.tanggal_badan_hukum)),
        ("desa", lambda r: desa_error(r.desa, r.kecamatan)),
        ("bentuk", lambda r: choice_error(r.bentuk, FORM_CHOICES)),
    ],
    Ppks: [
        ("nik", lambda r: nik_error(r.nik) or nik_taken_error(r)),
        ("no_kk", lambda r: kk_error(r.no_kk)),
        ("tanggal_lahir", lambda r: past_date_error(r.tanggal_lahir)),
        ("jenis_kelamin", lambda r: choice_error(r.jenis_kelamin, SEX_CHOICES)),
        ("status", lambda r: choice_error(r.status, STATUS_CHOICES)),
    ],
    Donatur: [
        ("jenis", lambda r: choice_error(r.jenis, DONOR_CHOICES)),
        ("kontak", lambda r: phone_error(r.kontak) if r.kontak and r.kontak[:1].isdigit() else None),
    ],
}


def record_errors(record: Any) -> dict[str, str]:
    """Every rule a record breaks, by field: forms show them next to fields, the API as 422."""
    if type(record) in ENTRY_RULES:
        return entry_errors(record)
    errors = {}
    for field_name, rule in RECORD_RULES.get(type(record), []):
        message = rule(record)
        if message:
            errors[field_name] = message
    return errors


def normalise(record: Any) -> None:
    """Tidy a record before saving: clean NIK, anonymous donors, PSKS form from its type."""
    if isinstance(record, Ppks) and record.nik:
        record.nik = check_nik(record.nik).nik
    if isinstance(record, Donatur):
        if record.anonim or not (record.nama or "").strip():
            record.nama, record.anonim = ANONYMOUS_DONOR, True
    if isinstance(record, Psks) and not record.bentuk and record.jenis is not None:
        record.bentuk = record.jenis.bentuk


class InvalidRecord(Exception):
    """A record breaks registry rules; ``errors`` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def check_record(record: Any) -> None:
    """Tidy the record, then refuse it when it breaks a rule."""
    normalise(record)
    errors = record_errors(record)
    if errors:
        raise InvalidRecord(errors)


def ppks_warnings(record: Ppks) -> list[str]:
    """Accepted but worth telling: a NIK from outside KSB, or one disagreeing with the form."""
    if not record.nik:
        return []
    check = check_nik(record.nik)
    return check.warnings + consistency_warnings(check, record.tanggal_lahir, record.jenis_kelamin)
