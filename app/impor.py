"""Import of collections from an Excel sheet: template, preview, all-or-nothing commit.

Each row becomes an unsaved ``Pengumpulan`` checked by the same ``record_errors`` as the
form and the API. A receipt number the PSKS already has is a duplicate and is skipped,
so importing the same file twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.formatting import parse_angka
from app.models import Desa, Donatur, Pengumpulan, Psks, SumberDana
from app.registry import ANONYMOUS_DONOR, record_errors
from app.scope import ScopeViolation, check_write

COLUMNS = (
    ("tanggal_terima", "Tanggal terima"),
    ("nomor_kwitansi", "Nomor kwitansi"),
    ("sumber_dana", "Kode sumber"),
    ("donatur", "Donatur"),
    ("jenis", "Jenis (uang/barang)"),
    ("jumlah_uang", "Jumlah uang"),
    ("nama_barang", "Nama barang"),
    ("kuantitas", "Kuantitas"),
    ("satuan", "Satuan"),
    ("nilai", "Nilai (Rp)"),
    ("alasan_nilai", "Alasan nilai"),
    ("desa", "Kode desa"),
    ("catatan", "Catatan"),
)
HEADERS = [header for _field, header in COLUMNS]
HEADER_OF = dict(COLUMNS)
XLSX_MAGIC = b"PK\x03\x04"
MERGE_CELL = re.compile(r'<mergeCell ref="([A-Z]+\d+:[A-Z]+\d+)"')


class ImportRefused(Exception):
    """The sheet cannot be imported as it is; nothing was written."""


@dataclass
class RowResult:
    """One sheet row: valid, an error (with column and reason), or a duplicate."""

    number: int
    status: str
    summary: str
    problems: list[tuple[str, str]] = field(default_factory=list)
    entry: Pengumpulan | None = None


@dataclass
class Preview:
    rows: list[RowResult]
    sheet_errors: list[str]

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def can_commit(self) -> bool:
        return not self.sheet_errors and self.count("galat") == 0 and self.count("valid") > 0


def template() -> bytes:
    """The workbook to fill: headers, one example row, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pengumpulan"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.append(
        ["01/03/2026", "KW-0001", "PERORANGAN", "Hamba Allah", "uang", "1.250.000", "", "", "", "", "", "", ""]
    )
    for index in range(1, len(HEADERS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 18
    notes = workbook.create_sheet("Petunjuk")
    for line in (
        "Satu baris satu penerimaan. Jangan mengubah judul kolom dan jangan menggabungkan sel.",
        "Tanggal: 01/03/2026 atau sel bertipe tanggal. Angka: 1.250.000 atau 1,5.",
        "Kode sumber: PERORANGAN, KELOMPOK, LEMBAGA, DUNIA_USAHA, PSKS_LAIN.",
        "Jenis: uang (isi Jumlah uang) atau barang (isi Nama barang, Kuantitas, Satuan; Nilai boleh kosong "
        "bila ada harga acuan).",
        "Donatur: nama donatur; kosongkan atau tulis Hamba Allah untuk donatur anonim.",
        "Kode desa: kode Kemendagri (misal 52.07.02.1004) bila dikumpulkan di desa lain; boleh kosong.",
        "Nomor kwitansi yang sudah tercatat untuk PSKS ini dilewati (tidak dicatat dua kali).",
    ):
        notes.append([line])
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError("Tanggal tidak dapat dibaca; tulis seperti 01/03/2026.")


def _number(value: Any) -> Decimal | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value))
    return parse_angka(_text(value))


class _Lookups:
    """Reference rows read once per sheet, not once per row."""

    def __init__(self, session: Session, psks: Psks):
        self.sources = {s.kode: s for s in session.execute(select(SumberDana)).scalars()}
        self.villages = {d.kode: d for d in session.execute(select(Desa)).scalars()}
        self.donors = {
            d.nama.lower(): d
            for d in session.execute(select(Donatur).where(Donatur.kecamatan_id == psks.kecamatan_id)).scalars()
        }
        self.receipts = set(
            session.execute(select(Pengumpulan.nomor_kwitansi).where(Pengumpulan.psks_id == psks.id)).scalars()
        )


def _merged_ranges(data: bytes) -> list[str]:
    """Merged-cell ranges of the first sheet, read from its XML (openpyxl's fast reader omits them)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = sorted(n for n in archive.namelist() if re.match(r"xl/worksheets/sheet\d+\.xml$", n))
        if not sheets:
            return []
        return MERGE_CELL.findall(archive.read(sheets[0]).decode("utf-8", "replace"))


def _read(stream) -> tuple[list[tuple[int, tuple]], list[str]]:
    data = stream.read()
    if not data.startswith(XLSX_MAGIC):
        return [], ["Berkas bukan Excel (.xlsx). Unduh template lalu isi."]
    try:
        merged = _merged_ranges(data)
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    except Exception:
        return [], ["Berkas Excel rusak atau tidak dapat dibaca."]
    errors = []
    if merged:
        errors.append(f"Sheet memuat sel gabungan (merged) di {', '.join(merged[:5])}: pisahkan dulu sel-sel itu.")
    header = [_text(v) for v in (rows[0] if rows else ())]
    while header and header[-1] == "":
        header.pop()
    if header != HEADERS:
        missing = [h for h in HEADERS if h not in header]
        extra = [h for h in header if h and h not in HEADERS]
        detail = "; ".join(
            part
            for part in (
                f"tidak ada: {', '.join(missing)}" if missing else "",
                f"tidak dikenal: {', '.join(extra)}" if extra else "",
                "urutan berbeda" if not missing and not extra else "",
            )
            if part
        )
        errors.append(f"Kolom tidak sesuai template ({detail}). Gunakan template dari aplikasi.")
    data_rows = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(_text(v) for v in row)]
    return data_rows, errors


def _entry(values: dict[str, Any], psks: Psks, lookups: _Lookups) -> tuple[Pengumpulan, list[tuple[str, str]]]:
    problems = []
    entry = Pengumpulan(psks=psks, batal=False)
    for name in ("nomor_kwitansi", "nama_barang", "satuan", "alasan_nilai", "catatan"):
        setattr(entry, name, _text(values[name]) or None)
    entry.jenis = _text(values["jenis"]).lower()
    try:
        entry.tanggal_terima = _date(values["tanggal_terima"])
    except ValueError as exc:
        problems.append(("tanggal_terima", str(exc)))
    for name in ("jumlah_uang", "kuantitas", "nilai"):
        try:
            setattr(entry, name, _number(values[name]))
        except ValueError as exc:
            problems.append((name, str(exc)))
    code = _text(values["sumber_dana"]).upper()
    entry.sumber_dana = lookups.sources.get(code)
    if entry.sumber_dana is None:
        problems.append(("sumber_dana", f"Kode sumber {code or '(kosong)'} tidak dikenal."))
    donor = _text(values["donatur"]) or ANONYMOUS_DONOR
    entry.donatur = lookups.donors.get(donor.lower())
    if entry.donatur is None:
        entry.donatur = Donatur(
            nama=donor, jenis="perorangan", anonim=donor == ANONYMOUS_DONOR, kecamatan_id=psks.kecamatan_id
        )
        lookups.donors[donor.lower()] = entry.donatur
    village = _text(values["desa"])
    if village:
        entry.desa = lookups.villages.get(village)
        if entry.desa is None:
            problems.append(("desa", f"Kode desa {village} tidak dikenal."))
    return entry, problems


def preview(session: Session, psks: Psks, stream) -> Preview:
    """Read and check every row; nothing is written."""
    rows, sheet_errors = _read(stream)
    if sheet_errors:
        return Preview([], sheet_errors)
    lookups = _Lookups(session, psks)
    seen: set[str] = set()
    results = []
    with session.no_autoflush:
        for number, row in rows:
            values = dict(zip((name for name, _header in COLUMNS), row, strict=False))
            values.update({name: None for name, _header in COLUMNS if name not in values})
            receipt = _text(values["nomor_kwitansi"])
            summary = f"{receipt or '—'} · {_text(values['tanggal_terima'])[:10]} · {_text(values['jenis'])}"
            if receipt and receipt in lookups.receipts:
                results.append(RowResult(number, "duplikat", summary, [("nomor_kwitansi", "Sudah tercatat.")]))
                continue
            if receipt in seen:
                problem = ("nomor_kwitansi", f"Nomor kwitansi {receipt} muncul dua kali di sheet ini.")
                results.append(RowResult(number, "galat", summary, [problem]))
                continue
            seen.add(receipt)
            entry, problems = _entry(values, psks, lookups)
            if not problems:
                problems = list(record_errors(entry).items())
            if not problems:
                try:
                    check_write(entry)
                except ScopeViolation as exc:
                    problems = [("desa", exc.message)]
            status = "galat" if problems else "valid"
            results.append(
                RowResult(
                    number,
                    status,
                    summary,
                    [(HEADER_OF.get(f, f), message) for f, message in problems],
                    entry if status == "valid" else None,
                )
            )
    return Preview(results, [])


def commit(session: Session, psks: Psks, stream) -> int:
    """Write every valid row in one transaction, or nothing; returns how many were written."""
    result = preview(session, psks, stream)
    if not result.can_commit:
        session.rollback()
        raise ImportRefused("Sheet masih memuat galat atau tidak ada baris baru: tidak ada yang disimpan.")
    entries = [row.entry for row in result.rows if row.status == "valid"]
    try:
        session.add_all(entries)
        session.commit()
    except Exception:
        session.rollback()
        raise
    return len(entries)
