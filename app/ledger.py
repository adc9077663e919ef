"""The ledger's rules: collections, distributions, government aid, balances, voids, closings.

Balances live in ``stok`` (one row per PSKS and good; money is good "" in "Rp"). Every
write of a collection or distribution changes it in the same transaction through one
``after_flush`` listener (rows and their PSKS have ids by then), whatever the channel; a
take that would go below zero is a conditional UPDATE that matches no row, so two
distributions at the same moment can never overdraw a PSKS, on SQLite or MariaDB.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from flask import current_app, g, has_app_context
from sqlalchemy import and_, event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from app.formatting import format_rupiah, format_tanggal, server_now, today_wita
from app.models import (
    BantuanPemerintah,
    HargaBarang,
    Pengumpulan,
    Penyaluran,
    Ppks,
    Psks,
    Stok,
    SumberDana,
    TutupBuku,
    bantuan_penerima,
)
from app.nik import mask_nik

UANG, BARANG = "uang", "barang"
MONEY_KEY = ("", "Rp")
JENIS_CHOICES = [(UANG, "Uang"), (BARANG, "Barang")]
JENIS_BANTUAN_CHOICES = [
    ("sembako", "Sembako / bahan pangan"),
    ("uang_tunai", "Uang tunai"),
    ("pendidikan", "Pendidikan"),
    ("kesehatan", "Kesehatan"),
    ("perumahan", "Perumahan"),
    ("sandang", "Sandang"),
    ("bencana", "Tanggap bencana"),
    ("lainnya", "Lainnya"),
]
COMMUNITY = "masyarakat"
GOVERNMENT = ("pemerintah_daerah", "pemerintah_lain")
LARGEST = Decimal("999999999999")  # Rp 999 miliar: more is a typing error (and overflows the column)
STOCK_FIELDS = ("jenis", "jumlah_uang", "nama_barang", "satuan", "kuantitas", "nilai", "psks", "batal")


class InsufficientStock(Exception):
    """A distribution (or a void of a collection) would take a balance below zero."""


def _session() -> Session:
    return current_app.appbuilder.session


def rupiah(value: Decimal | None) -> Decimal | None:
    """Whole rupiah, rounded half up (values are shown and compared without cents)."""
    return None if value is None else Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


# --- Reference prices and closings ----------------------------------------------------


def price_on(session: Session, nama_barang: str, satuan: str, day: dt.date) -> HargaBarang | None:
    """The reference price of a good in a unit that was in force on ``day``."""
    return session.execute(
        select(HargaBarang)
        .where(
            func.lower(HargaBarang.nama_barang) == (nama_barang or "").strip().lower(),
            func.lower(HargaBarang.satuan) == (satuan or "").strip().lower(),
            HargaBarang.berlaku_mulai <= day,
        )
        .order_by(HargaBarang.berlaku_mulai.desc())
        .limit(1)
    ).scalar_one_or_none()


def closed_until(session: Session) -> dt.date | None:
    """Entries dated on or before this day belong to a closed period (read once per request)."""
    if has_app_context() and "_pundi_closed" in g:
        return g._pundi_closed
    closed = session.execute(select(func.max(TutupBuku.sampai))).scalar()
    if has_app_context():
        g._pundi_closed = closed
    return closed


def entry_date(entry: Any) -> dt.date | None:
    for name in ("tanggal_terima", "tanggal", "tanggal_cair"):
        if hasattr(entry, name):
            return getattr(entry, name)
    return None


# --- Balances -----------------------------------------------------------------------


@dataclass(frozen=True)
class Effect:
    """What one entry does to one balance row."""

    psks_id: int
    barang: str
    satuan: str
    jumlah: Decimal
    nilai: Decimal


def stock_key(jenis: str, nama_barang: str | None, satuan: str | None) -> tuple[str, str]:
    if jenis == UANG:
        return MONEY_KEY
    return ((nama_barang or "").strip().lower(), (satuan or "").strip().lower())


def _effect(values: dict[str, Any], sign: int) -> Effect | None:
    if values["batal"] or values["psks_id"] is None or values["jenis"] not in (UANG, BARANG):
        return None
    barang, satuan = stock_key(values["jenis"], values["nama_barang"], values["satuan"])
    jumlah = values["jumlah_uang"] if values["jenis"] == UANG else values["kuantitas"]
    if jumlah is None:
        return None
    return Effect(values["psks_id"], barang, satuan, sign * Decimal(jumlah), sign * Decimal(values["nilai"] or 0))


def _values(entry: Any, old: bool) -> dict[str, Any]:
    """The stock-relevant fields of an entry, as saved before this flush (old) or now."""
    state = inspect(entry)
    values = {}
    for name in STOCK_FIELDS:
        current = getattr(entry, name)
        if old:
            history = state.attrs[name].history
            if history.deleted:
                current = history.deleted[0]
            elif history.added:
                current = None
        values[name] = current
    psks = values.pop("psks")
    values["psks_id"] = psks.id if psks is not None else (None if old else entry.psks_id)
    return values


def _sign(entry: Any) -> int:
    return 1 if isinstance(entry, Pengumpulan) else -1


def apply_effect(connection, effect: Effect, refusal: str) -> None:
    """Add (or take) an effect to its balance row; a take below zero raises."""
    table = Stok.__table__
    if effect.jumlah >= 0:
        statement = insert(table).values(
            psks_id=effect.psks_id, barang=effect.barang, satuan=effect.satuan, jumlah=0, nilai=0
        )
        if connection.dialect.name == "sqlite":
            statement = statement.prefix_with("OR IGNORE")
        else:
            statement = statement.prefix_with("IGNORE")
        connection.execute(statement)
    where = and_(table.c.psks_id == effect.psks_id, table.c.barang == effect.barang, table.c.satuan == effect.satuan)
    if effect.jumlah < 0:
        where = and_(where, table.c.jumlah + effect.jumlah >= 0)
    result = connection.execute(
        update(table).where(where).values(nilai=table.c.nilai + effect.nilai, jumlah=table.c.jumlah + effect.jumlah)
    )
    if result.rowcount != 1:
        raise InsufficientStock(refusal)


def _refusal(entry: Any) -> str:
    if isinstance(entry, Penyaluran):
        return "Saldo atau stok PSKS tidak cukup untuk penyaluran ini."
    return "Pembatalan ditolak: uang/barang dari penerimaan ini sudah disalurkan."


@event.listens_for(Session, "after_flush")
def _keep_balances(session: Session, _context) -> None:
    new_entries = [e for e in session.new if isinstance(e, (Pengumpulan, Penyaluran))]
    changed = [e for e in session.dirty if isinstance(e, (Pengumpulan, Penyaluran))]
    if not new_entries and not changed:
        return
    connection = session.connection()
    # Summed per balance row, gains before takes: a correction never fails on its own order.
    changes = []
    for entry, is_new in [(e, True) for e in new_entries] + [(e, False) for e in changed]:
        sign = _sign(entry)
        old = None if is_new else _effect(_values(entry, old=True), sign)
        new = _effect(_values(entry, old=False), sign)
        if old == new:
            continue
        if old is not None:
            changes.append((Effect(old.psks_id, old.barang, old.satuan, -old.jumlah, -old.nilai), entry))
        if new is not None:
            changes.append((new, entry))
    totals: dict[tuple[int, str, str, bool], list] = {}
    for effect, entry in changes:
        key = (effect.psks_id, effect.barang, effect.satuan, effect.jumlah < 0)
        total = totals.setdefault(key, [Decimal(0), Decimal(0), entry])
        total[0] += effect.jumlah
        total[1] += effect.nilai
    for (psks_id, barang, satuan, _take), (jumlah, nilai, entry) in sorted(totals.items(), key=lambda kv: kv[0][3]):
        apply_effect(connection, Effect(psks_id, barang, satuan, jumlah, nilai), _refusal(entry))


def balances(session: Session, psks_id: int) -> dict[str, Any]:
    """A PSKS's money balance and goods stock, from the balance rows."""
    rows = session.execute(
        select(Stok.barang, Stok.satuan, Stok.jumlah, Stok.nilai)
        .where(Stok.psks_id == psks_id)
        .order_by(Stok.barang, Stok.satuan)
    ).all()
    money = next((r.jumlah for r in rows if (r.barang, r.satuan) == MONEY_KEY), Decimal(0))
    goods = [
        {"barang": r.barang, "satuan": r.satuan, "jumlah": r.jumlah, "nilai": r.nilai}
        for r in rows
        if (r.barang, r.satuan) != MONEY_KEY and r.jumlah != 0
    ]
    return {"uang": money, "barang": goods}


def available(session: Session, psks_id: int, jenis: str, nama_barang: str | None, satuan: str | None) -> Decimal:
    barang, unit = stock_key(jenis, nama_barang, satuan)
    value = session.execute(
        select(Stok.jumlah).where(Stok.psks_id == psks_id, Stok.barang == barang, Stok.satuan == unit)
    ).scalar()
    return Decimal(value or 0)


def recomputed_balances(session: Session, psks_id: int) -> dict[tuple[str, str], Decimal]:
    """Balances summed from the ledger itself (to check the balance rows against)."""
    totals: dict[tuple[str, str], Decimal] = {}
    for model, sign in ((Pengumpulan, 1), (Penyaluran, -1)):
        rows = session.execute(
            select(model.jenis, model.nama_barang, model.satuan, model.jumlah_uang, model.kuantitas).where(
                model.psks_id == psks_id, model.batal.is_(False)
            )
        ).all()
        for jenis, nama, satuan, uang, kuantitas in rows:
            key = stock_key(jenis, nama, satuan)
            totals[key] = totals.get(key, Decimal(0)) + sign * Decimal((uang if jenis == UANG else kuantitas) or 0)
    return {key: value for key, value in totals.items() if value != 0}


# --- Rules of one entry ------------------------------------------------------------------


def prepare(entry: Any) -> None:
    """Fill what follows from the rest: value of money, proposed value of goods, kecamatan."""
    if entry.jenis == UANG:
        entry.nama_barang = entry.kuantitas = entry.satuan = None
        entry.nilai = entry.jumlah_uang
    elif entry.jenis == BARANG:
        entry.jumlah_uang = None
        entry.nama_barang = (entry.nama_barang or "").strip() or None
        entry.satuan = (entry.satuan or "").strip() or None
    if isinstance(entry, Pengumpulan):
        if entry.desa is not None:
            entry.kecamatan = entry.desa.kecamatan
        elif entry.psks is not None:
            entry.kecamatan = entry.psks.kecamatan
        if entry.jenis == BARANG and entry.nama_barang and entry.satuan and entry.kuantitas and entry.tanggal_terima:
            price = price_on(_session(), entry.nama_barang, entry.satuan, entry.tanggal_terima)
            entry.harga_barang = price
            if entry.nilai is None and price is not None:
                entry.nilai = rupiah(price.harga * entry.kuantitas)
    if isinstance(entry, Penyaluran):
        if entry.ppks is not None:
            entry.kecamatan = entry.ppks.kecamatan
        elif entry.psks is not None and entry.kecamatan is None:
            entry.kecamatan = entry.psks.kecamatan
        if entry.jenis == BARANG and entry.psks is not None and entry.kuantitas:
            entry.nilai = _stock_value(entry)  # always derived, also when the quantity is edited


def _stock_value(entry: Penyaluran) -> Decimal:
    """Value of goods taken from stock at the stock's average value per unit."""
    barang, satuan = stock_key(BARANG, entry.nama_barang, entry.satuan)
    row = (
        _session()
        .execute(
            select(Stok.jumlah, Stok.nilai).where(
                Stok.psks_id == entry.psks.id, Stok.barang == barang, Stok.satuan == satuan
            )
        )
        .first()
    )
    if not row or not row.jumlah:
        return Decimal(0)
    return rupiah(row.nilai * entry.kuantitas / row.jumlah)


def _saved(entry: Any) -> Any:
    """The stored row of an entry being edited, as in the database (``None`` for a new one)."""
    if getattr(entry, "id", None) is None:
        return None
    table = type(entry).__table__
    return _session().execute(select(table).where(table.c.id == entry.id)).first()


def _amount_errors(entry: Any) -> dict[str, str]:
    errors = {}
    for name in ("jumlah_uang", "kuantitas", "nilai"):
        value = getattr(entry, name)
        if value is not None and value > LARGEST:
            errors[name] = "Angka terlalu besar (paling besar 999.999.999.999)."
    if errors:
        return errors
    if entry.jenis not in (UANG, BARANG):
        errors["jenis"] = "Pilih uang atau barang."
    elif entry.jenis == UANG:
        if entry.jumlah_uang is None:
            errors["jumlah_uang"] = "Isi jumlah uang."
        elif entry.jumlah_uang <= 0:
            errors["jumlah_uang"] = "Jumlah uang harus lebih dari nol."
    else:
        if not entry.nama_barang:
            errors["nama_barang"] = "Isi nama barang."
        if not entry.satuan:
            errors["satuan"] = "Barang harus punya satuan (kg, liter, paket, …)."
        if entry.kuantitas is None:
            errors["kuantitas"] = "Isi jumlah barang."
        elif entry.kuantitas <= 0:
            errors["kuantitas"] = "Jumlah barang harus lebih dari nol."
        if isinstance(entry, Penyaluran):
            pass  # its value follows from the stock it is taken from
        elif entry.nilai is None:
            errors["nilai"] = "Isi nilai barang dalam rupiah (tidak ada harga acuan untuk barang ini)."
        elif entry.nilai <= 0:
            errors["nilai"] = "Nilai barang harus lebih dari nol."
    return errors


def _date_errors(entry: Any, field: str) -> dict[str, str]:
    day = getattr(entry, field)
    if day is None:
        return {field: "Isi tanggal."}
    if day > today_wita():
        return {field: "Tanggal tidak boleh setelah hari ini."}
    closed = closed_until(_session())
    if closed and day <= closed:
        return {field: f"Buku sudah ditutup sampai {format_tanggal(closed)}: tanggal ini tidak dapat dipakai."}
    psks = getattr(entry, "psks", None)
    if psks is not None and psks.tanggal_berdiri and day < psks.tanggal_berdiri:
        return {field: f"Tanggal tidak boleh sebelum PSKS berdiri ({format_tanggal(psks.tanggal_berdiri)})."}
    return {}


def _lock_errors(entry: Any, saved: Any) -> dict[str, str]:
    """A stored entry in a closed period, or already void, cannot change."""
    if saved is None:
        return {}
    if saved.batal:
        return {"catatan": "Data yang sudah dibatalkan tidak dapat diubah."}
    closed = closed_until(_session())
    if closed and entry_date(saved) <= closed:
        return {"catatan": f"Buku sudah ditutup sampai {format_tanggal(closed)}: data ini tidak dapat diubah."}
    return {}


def _collection_errors(entry: Pengumpulan, saved: Any) -> dict[str, str]:
    errors = {}
    if entry.psks is None:
        errors["psks"] = "Pilih PSKS."
    if entry.sumber_dana is None or entry.sumber_dana.golongan != COMMUNITY:
        errors["sumber_dana"] = "Sumber pengumpulan harus dari masyarakat (bukan pemerintah)."
    number = (entry.nomor_kwitansi or "").strip()
    if not number:
        errors["nomor_kwitansi"] = "Isi nomor kwitansi."
    elif entry.psks is not None:
        with _session().no_autoflush:
            query = select(Pengumpulan.id).where(
                Pengumpulan.psks_id == entry.psks.id, Pengumpulan.nomor_kwitansi == number
            )
            if entry.id is not None:
                query = query.where(Pengumpulan.id != entry.id)
            if _session().execute(query).first():
                errors["nomor_kwitansi"] = f"Nomor kwitansi {number} sudah dipakai PSKS ini."
    price = entry.harga_barang
    if entry.jenis == BARANG and price is not None and entry.nilai and entry.kuantitas:
        proposed = rupiah(price.harga * entry.kuantitas)
        if rupiah(entry.nilai) != proposed and not (entry.alasan_nilai or "").strip():
            errors["alasan_nilai"] = f"Nilai berbeda dari harga acuan ({format_rupiah(proposed)}): tulis alasannya."
    return errors


def _distribution_errors(entry: Penyaluran, saved: Any) -> dict[str, str]:
    errors = {}
    if entry.psks is None:
        errors["psks"] = "Pilih PSKS."
    if entry.ppks is None:
        if not (entry.penerima_kelompok or "").strip():
            errors["ppks"] = "Pilih PPKS penerima, atau isi nama kelompok/kegiatan penerima."
        elif not entry.jumlah_penerima or entry.jumlah_penerima <= 0:
            errors["jumlah_penerima"] = "Isi jumlah orang penerima (lebih dari nol)."
    if not (entry.tujuan or "").strip():
        errors["tujuan"] = "Isi tujuan penyaluran."
    if entry.psks is not None and not errors and not _amount_errors(entry):
        need = entry.jumlah_uang if entry.jenis == UANG else entry.kuantitas
        have = available(_session(), entry.psks.id, entry.jenis, entry.nama_barang, entry.satuan)
        if saved is not None and not saved.batal and saved.psks_id == entry.psks.id:
            if stock_key(saved.jenis, saved.nama_barang, saved.satuan) == stock_key(
                entry.jenis, entry.nama_barang, entry.satuan
            ):
                have += (saved.jumlah_uang if saved.jenis == UANG else saved.kuantitas) or 0
        if need > have:
            field = "jumlah_uang" if entry.jenis == UANG else "kuantitas"
            shown = format_rupiah(have) if entry.jenis == UANG else f"{have.normalize():f} {entry.satuan}"
            errors[field] = f"Melebihi saldo/stok PSKS: yang tersedia {shown}."
    return errors


def _government_errors(entry: BantuanPemerintah, saved: Any) -> dict[str, str]:
    errors = {}
    if entry.sumber_dana is None or entry.sumber_dana.golongan not in GOVERNMENT:
        errors["sumber_dana"] = "Sumber bantuan pemerintah: APBD Kabupaten, APBD Provinsi, atau APBN."
    if not (entry.nama_program or "").strip():
        errors["nama_program"] = "Isi nama program."
    return errors


DATE_FIELD = {Pengumpulan: "tanggal_terima", Penyaluran: "tanggal", BantuanPemerintah: "tanggal_cair"}
ENTRY_RULES = {
    Pengumpulan: _collection_errors,
    Penyaluran: _distribution_errors,
    BantuanPemerintah: _government_errors,
}


def entry_errors(entry: Any) -> dict[str, str]:
    """Every rule a ledger entry breaks, by field; empty when it may be saved."""
    with _session().no_autoflush:
        return _entry_errors(entry)


def _entry_errors(entry: Any) -> dict[str, str]:
    saved = _saved(entry)
    errors = _lock_errors(entry, saved)
    if errors:
        return errors
    prepare(entry)
    errors.update(_amount_errors(entry))
    errors.update(_date_errors(entry, DATE_FIELD[type(entry)]))
    errors.update(ENTRY_RULES[type(entry)](entry, saved))
    return errors


# --- Void ------------------------------------------------------------------------------


def void(entry: Any, reason: str, username: str) -> None:
    """Mark an entry void (batal) with reason, who and when; balances follow at flush."""
    if entry.batal:
        raise ValueError("Data ini sudah dibatalkan.")
    if not (reason or "").strip():
        raise ValueError("Tulis alasan pembatalan.")
    closed = closed_until(_session())
    if closed and entry_date(entry) <= closed:
        raise ValueError(f"Buku sudah ditutup sampai {format_tanggal(closed)}: data ini tidak dapat dibatalkan.")
    entry.batal = True
    entry.alasan_batal = reason.strip()[:255]
    entry.dibatalkan_oleh = username
    entry.dibatalkan_pada = server_now()


def current_username() -> str:
    user = g.get("user") if has_app_context() else None
    return getattr(user, "username", None) or "sistem"


# --- One aid history per PPKS ------------------------------------------------------------


def aid_history(session: Session, ppks_id: int) -> list[dict[str, Any]]:
    """Every aid a PPKS received, community and government, newest first."""
    community = session.execute(
        select(
            Penyaluran.tanggal,
            Penyaluran.jenis_bantuan,
            Penyaluran.jenis,
            Penyaluran.nama_barang,
            Penyaluran.kuantitas,
            Penyaluran.satuan,
            Penyaluran.nilai,
            Penyaluran.batal,
            Penyaluran.tujuan,
            Penyaluran.psks_id,
        ).where(Penyaluran.ppks_id == ppks_id)
    ).all()
    psks_names = dict(
        session.execute(select(Psks.id, Psks.nama).where(Psks.id.in_({row.psks_id for row in community}))).all()
    )
    government = session.execute(
        select(
            BantuanPemerintah.tanggal_cair,
            BantuanPemerintah.jenis_bantuan,
            BantuanPemerintah.jenis,
            BantuanPemerintah.nama_barang,
            BantuanPemerintah.kuantitas,
            BantuanPemerintah.satuan,
            BantuanPemerintah.nilai,
            BantuanPemerintah.batal,
            BantuanPemerintah.nama_program,
            SumberDana.kode,
            SumberDana.nama,
        )
        .join(bantuan_penerima, bantuan_penerima.c.bantuan_id == BantuanPemerintah.id)
        .join(SumberDana, SumberDana.id == BantuanPemerintah.sumber_dana_id)
        .where(bantuan_penerima.c.ppks_id == ppks_id)
    ).all()
    rows = [
        {
            "tanggal": r.tanggal,
            "jenis_bantuan": r.jenis_bantuan,
            "uraian": r.tujuan if r.jenis == UANG else f"{r.nama_barang} {r.kuantitas.normalize():f} {r.satuan}",
            "nilai": r.nilai,
            "batal": r.batal,
            "sumber_kode": "MASYARAKAT",
            "sumber": psks_names.get(r.psks_id, "PSKS"),
        }
        for r in community
    ] + [
        {
            "tanggal": r.tanggal_cair,
            "jenis_bantuan": r.jenis_bantuan,
            "uraian": r.nama_program,
            "nilai": r.nilai,
            "batal": r.batal,
            "sumber_kode": r.kode,
            "sumber": r.nama,
        }
        for r in government
    ]
    return sorted(rows, key=lambda row: row["tanggal"], reverse=True)


def duplicate_aid(history: list[dict[str, Any]]) -> list[str]:
    """Warnings: aid of the same kind from different sources in the same month."""
    seen: dict[tuple[int, int, str], set[str]] = {}
    for row in history:
        if row["batal"]:
            continue
        key = (row["tanggal"].year, row["tanggal"].month, row["jenis_bantuan"])
        seen.setdefault(key, set()).add(row["sumber_kode"])
    labels = dict(JENIS_BANTUAN_CHOICES)
    return [
        f"{labels.get(kind, kind)} pada {format_tanggal(dt.date(year, month, 1))[2:]} diterima dari "
        f"{len(sources)} sumber berbeda ({', '.join(sorted(sources))})."
        for (year, month, kind), sources in sorted(seen.items())
        if len(sources) > 1
    ]


def duplicate_aid_for(session: Session, entry: Any) -> list[str]:
    """The duplicate-aid warnings that concern the recipients of one new entry."""
    if isinstance(entry, Penyaluran):
        recipients = [entry.ppks] if entry.ppks is not None else []
        day = entry.tanggal
    else:
        recipients, day = list(entry.penerima), entry.tanggal_cair
    warnings = []
    for ppks in recipients:
        month = format_tanggal(dt.date(day.year, day.month, 1))[2:]
        for warning in duplicate_aid(aid_history(session, ppks.id)):
            if month in warning and dict(JENIS_BANTUAN_CHOICES).get(entry.jenis_bantuan, "") in warning:
                warnings.append(f"{ppks.nama} (NIK {_masked(ppks)}): {warning}")
    return warnings


def _masked(ppks: Ppks) -> str:
    return mask_nik(ppks.nik) or "tanpa NIK"
