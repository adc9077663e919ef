"""Import of collections from Excel: template, preview with reasons, all-or-nothing commit."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from openpyxl import Workbook, load_workbook

from app.impor import HEADERS
from app.ledger import balances
from app.models import Pengumpulan, TutupBuku
from tests.conftest import text_of


def _sheet(rows, headers=HEADERS, merge=None) -> io.BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    output = io.BytesIO()
    workbook.save(output)
    output.seek(0)
    return output


def _row(receipt, amount="1.250.000", day="01/04/2026", jenis="uang", **extra):
    values = {
        "Tanggal terima": day,
        "Nomor kwitansi": receipt,
        "Kode sumber": "PERORANGAN",
        "Donatur": "Hamba Allah",
        "Jenis (uang/barang)": jenis,
        "Jumlah uang": amount,
    }
    values.update(extra)
    return [values.get(header, "") for header in HEADERS]


def _preview(client, world, sheet, label="taliwang-a"):
    return client.post(
        "/impor-pengumpulan/pratinjau",
        {"psks": world.rows["Psks"][label], "berkas": (sheet, "pengumpulan.xlsx")},
        content_type="multipart/form-data",
    )


def test_template_has_the_expected_columns(as_user, world):
    response = as_user("op.taliwang").get("/impor-pengumpulan/template")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [cell.value for cell in sheet[1]] == HEADERS


def test_preview_then_commit_then_the_same_file_adds_nothing(world, as_user, db):
    client = as_user("op.taliwang")
    rows = [
        _row("IMP-1"),
        _row("IMP-2", amount="500000"),
        _row(
            "IMP-3",
            jenis="barang",
            amount="",
            **{"Nama barang": "Beras", "Kuantitas": "10", "Satuan": "kg", "Nilai (Rp)": "120.000"},
        ),
    ]
    page = text_of(_preview(client, world, _sheet(rows)).get_data(as_text=True))
    assert "3 valid, 0 galat, 0 duplikat" in page
    assert db.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like("IMP-%")).count() == 0
    saved = client.post("/impor-pengumpulan/simpan", follow_redirects=True)
    assert "3 penerimaan tersimpan" in text_of(saved.get_data(as_text=True))
    db.expire_all()
    assert db.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like("IMP-%")).count() == 3
    money = balances(db, world.rows["Psks"]["taliwang-a"])["uang"]
    assert money == Decimal("900000") + Decimal("1750000")
    again = text_of(_preview(client, world, _sheet(rows)).get_data(as_text=True))
    assert "0 valid, 0 galat, 3 duplikat" in again
    refused = client.post("/impor-pengumpulan/simpan", follow_redirects=True)
    assert "tidak ada yang disimpan" in text_of(refused.get_data(as_text=True))
    db.expire_all()
    assert db.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like("IMP-%")).count() == 3


def test_errors_name_row_column_and_reason_and_block_the_save(world, as_user, db):
    client = as_user("op.taliwang")
    rows = [
        _row("IMP-1"),
        _row("IMP-2", amount="0"),
        _row("IMP-3", amount="1.5"),
        _row("IMP-1"),
        _row("IMP-5", day="31/31/2026"),
        _row("K-taliwang-a"),
        _row("IMP-6", jenis="barang", amount="", **{"Nama barang": "Beras", "Kuantitas": "10", "Nilai (Rp)": "1"}),
    ]
    page = text_of(_preview(client, world, _sheet(rows)).get_data(as_text=True))
    assert "1 valid, 5 galat, 1 duplikat" in page
    assert "3 galat IMP-2" in page and "Jumlah uang : Jumlah uang harus lebih dari nol." in page
    assert "titik hanya pemisah ribuan" in page
    assert "Nomor kwitansi IMP-1 muncul dua kali di sheet ini." in page
    assert "Tanggal tidak dapat dibaca" in page
    assert "Satuan : Barang harus punya satuan" in page
    assert "Perbaiki baris bergalat" in page
    refused = client.post("/impor-pengumpulan/simpan", follow_redirects=True)
    assert "tidak ada yang disimpan" in text_of(refused.get_data(as_text=True))
    assert db.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like("IMP-%")).count() == 0


def test_wrong_columns_or_merged_cells_are_refused(world, as_user):
    client = as_user("op.taliwang")
    wrong = text_of(
        _preview(client, world, _sheet([_row("X")], headers=HEADERS[:-1] + ["Keterangan"])).get_data(as_text=True)
    )
    assert "Kolom tidak sesuai template (tidak ada: Catatan; tidak dikenal: Keterangan)" in wrong
    merged = text_of(_preview(client, world, _sheet([_row("X"), _row("Y")], merge="A2:A3")).get_data(as_text=True))
    assert "sel gabungan (merged) di A2:A3" in merged
    not_excel = client.post(
        "/impor-pengumpulan/pratinjau",
        {"psks": world.rows["Psks"]["taliwang-a"], "berkas": (io.BytesIO(b"nama,jumlah\n"), "data.xlsx")},
        content_type="multipart/form-data",
    )
    assert "Berkas bukan Excel" in text_of(not_excel.get_data(as_text=True))


def test_commit_rechecks_and_writes_nothing_when_a_row_turned_invalid(world, as_user, db):
    client = as_user("op.taliwang")
    rows = [_row("IMP-1", day="01/04/2026"), _row("IMP-2", day="20/03/2026")]
    assert "2 valid, 0 galat" in text_of(_preview(client, world, _sheet(rows)).get_data(as_text=True))
    db.add(TutupBuku(sampai=dt.date(2026, 3, 31), keterangan="Tutup triwulan I"))
    db.commit()
    refused = client.post("/impor-pengumpulan/simpan", follow_redirects=True)
    assert "tidak ada yang disimpan" in text_of(refused.get_data(as_text=True))
    db.expire_all()
    assert db.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like("IMP-%")).count() == 0


def test_operator_cannot_import_for_another_psks(world, as_user, db):
    response = _preview(as_user("op.taliwang"), world, _sheet([_row("IMP-1")]), label="maluk")
    assert response.status_code == 404
