"""The ledger: collections, distributions, government aid, balances, voids, closings, history."""

from __future__ import annotations

import datetime as dt
import io
import json
import threading
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from app.ledger import balances, recomputed_balances
from app.models import HargaBarang, Pengumpulan, Penyaluran, RiwayatPerubahan, SumberDana, TutupBuku
from tests.conftest import nik_for, text_of

TODAY = dt.date.today()


def _collection_form(db, world, label="taliwang-a", **changes):
    form = {
        "psks": world.rows["Psks"][label],
        "tanggal_terima": "2026-04-01",
        "sumber_dana": db.query(SumberDana).filter_by(kode="PERORANGAN").one().id,
        "nomor_kwitansi": "KW-001",
        "jenis": "uang",
        "jumlah_uang": "1.250.000",
        "catatan": "Kotak amal masjid",
    }
    form.update(changes)
    return form


def _distribution_form(world, label="taliwang-a", **changes):
    form = {
        "psks": world.rows["Psks"][label],
        "tanggal": "2026-04-02",
        "ppks": world.rows["Ppks"][label],
        "jenis_bantuan": "uang_tunai",
        "tujuan": "Biaya berobat",
        "jenis": "uang",
        "jumlah_uang": "150.000",
    }
    form.update(changes)
    return form


def _money(db, world, label="taliwang-a") -> Decimal:
    db.expire_all()
    return balances(db, world.rows["Psks"][label])["uang"]


def test_collection_with_indonesian_amount_raises_the_balance(world, as_user, db):
    before = _money(db, world)
    response = as_user("op.taliwang").post("/pengumpulanview/add", _collection_form(db, world))
    assert response.status_code == 302
    row = db.query(Pengumpulan).filter_by(nomor_kwitansi="KW-001").one()
    assert row.jumlah_uang == Decimal("1250000") and row.nilai == Decimal("1250000")
    assert row.kecamatan.nama == "Taliwang" and row.created_by.username == "op.taliwang"
    assert _money(db, world) == before + Decimal("1250000")


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"jumlah_uang": "0"}, "Jumlah uang harus lebih dari nol."),
        ({"jumlah_uang": "-5.000"}, "Jumlah uang harus lebih dari nol."),
        ({"jumlah_uang": "1.5"}, "titik hanya pemisah ribuan"),
        ({"jumlah_uang": ""}, "Isi jumlah uang."),
        ({"jumlah_uang": "1.000.000.000.000.000"}, "Angka terlalu besar"),
        ({"tanggal_terima": (TODAY + dt.timedelta(days=2)).isoformat()}, "Tanggal tidak boleh setelah hari ini."),
        ({"tanggal_terima": "2001-01-01"}, "Tanggal tidak boleh sebelum PSKS berdiri"),
        (
            {"jenis": "barang", "nama_barang": "Beras", "kuantitas": "10", "nilai": "120.000"},
            "Barang harus punya satuan",
        ),
        ({"nomor_kwitansi": "K-taliwang-a"}, "Nomor kwitansi K-taliwang-a sudah dipakai PSKS ini."),
        ({"sumber_dana": "APBD"}, "Sumber pengumpulan harus dari masyarakat"),
    ],
)
def test_bad_collection_input_is_refused_next_to_the_field(world, as_user, db, changes, message):
    if changes.get("sumber_dana") == "APBD":
        changes["sumber_dana"] = db.query(SumberDana).filter_by(kode="APBD_KAB").one().id
    before = db.query(Pengumpulan).count()
    money = _money(db, world)
    response = as_user("dinas").post("/pengumpulanview/add", _collection_form(db, world, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    # A government source is not offered in the form at all: picking it anyway leaves the field empty.
    assert message in text_of(page) or (message.startswith("Sumber") and "Kolom ini wajib diisi." in text_of(page))
    assert "Kotak amal masjid" in page
    db.expire_all()
    assert db.query(Pengumpulan).count() == before and _money(db, world) == money


def test_goods_take_the_reference_price_of_the_day_and_keep_it(world, as_user, db):
    client = as_user("dinas")
    client.post(
        "/hargabarangview/add",
        {"nama_barang": "Beras", "satuan": "kg", "harga": "12.000", "berlaku_mulai": "2026-01-01"},
    )
    goods = {"jenis": "barang", "nama_barang": "Beras", "satuan": "kg", "kuantitas": "25", "jumlah_uang": ""}
    assert client.post("/pengumpulanview/add", _collection_form(db, world, **goods)).status_code == 302
    row = db.query(Pengumpulan).filter_by(nomor_kwitansi="KW-001").one()
    assert row.nilai == Decimal("300000") and row.harga_barang.harga == Decimal("12000")
    price = db.query(HargaBarang).one()
    price.harga = Decimal("15000")
    db.commit()
    db.expire_all()
    assert db.get(Pengumpulan, row.id).nilai == Decimal("300000")
    override = {**goods, "nomor_kwitansi": "KW-002", "nilai": "350.000"}
    page = text_of(client.post("/pengumpulanview/add", _collection_form(db, world, **override)).get_data(as_text=True))
    assert "Nilai berbeda dari harga acuan (Rp 375.000): tulis alasannya." in page
    override["alasan_nilai"] = "Beras kualitas medium"
    assert client.post("/pengumpulanview/add", _collection_form(db, world, **override)).status_code == 302
    db.expire_all()
    stock = balances(db, world.rows["Psks"]["taliwang-a"])["barang"]
    assert stock == [{"barang": "beras", "satuan": "kg", "jumlah": Decimal("50"), "nilai": Decimal("650000")}]


def test_distribution_larger_than_the_balance_is_refused(world, as_user, db):
    client = as_user("op.taliwang")
    page = text_of(
        client.post("/penyaluranview/add", _distribution_form(world, jumlah_uang="900.001")).get_data(as_text=True)
    )
    assert "Melebihi saldo/stok PSKS: yang tersedia Rp 900.000." in page
    assert client.post("/penyaluranview/add", _distribution_form(world, jumlah_uang="900.000")).status_code == 302
    assert _money(db, world) == 0
    goods = {
        "jenis": "barang",
        "nama_barang": "Minyak goreng",
        "satuan": "liter",
        "kuantitas": "1,5",
        "jumlah_uang": "",
    }
    page = text_of(client.post("/penyaluranview/add", _distribution_form(world, **goods)).get_data(as_text=True))
    assert "Melebihi saldo/stok PSKS: yang tersedia 0 liter." in page


def test_operator_cannot_distribute_from_another_psks(world, as_user, db):
    client = as_user("op.taliwang")
    before = db.query(Penyaluran).count()
    form = _distribution_form(world, label="taliwang-b")
    assert client.post("/penyaluranview/add", form).status_code == 200
    api = client.api(
        "POST",
        "/api/v1/penyaluran/",
        {
            "psks": world.rows["Psks"]["taliwang-b"],
            "tanggal": "2026-04-02",
            "ppks": world.rows["Ppks"]["taliwang-b"],
            "jenis_bantuan": "uang_tunai",
            "tujuan": "x",
            "jenis": "uang",
            "jumlah_uang": 1000,
        },
    )
    assert api.status_code == 400
    db.expire_all()
    assert db.query(Penyaluran).count() == before


def _distribute_concurrently(app, world, username: str, times: int, amount: int) -> list[int]:
    from tests.conftest import RoleClient

    results: list[int] = []
    barrier = threading.Barrier(times)
    payload = {
        "psks": world.rows["Psks"]["maluk"],
        "tanggal": "2026-04-03",
        "ppks": world.rows["Ppks"]["maluk"],
        "jenis_bantuan": "uang_tunai",
        "tujuan": "Serentak",
        "jenis": "uang",
        "jumlah_uang": amount,
    }

    def worker():
        client = RoleClient(app, world.users[username])
        barrier.wait()
        response = client.api("POST", "/api/v1/penyaluran/", payload)
        results.append(response.status_code)

    threads = [threading.Thread(target=worker) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_concurrent_distributions_never_overdraw(app, world, db):
    """Eight operators at once take 200.000 each from a balance of 900.000: at most four succeed."""
    statuses = _distribute_concurrently(app, world, "op.maluk", times=8, amount=200000)
    assert sorted(statuses) == [201] * 4 + [422] * 4
    db.expire_all()
    money = balances(db, world.rows["Psks"]["maluk"])["uang"]
    saved = db.query(Penyaluran).filter_by(tujuan="Serentak", batal=False).count()
    assert saved == 4 and money == Decimal("100000")
    assert recomputed_balances(db, world.rows["Psks"]["maluk"]) == {("", "Rp"): money}


def test_void_keeps_the_row_and_moves_the_balance(world, as_user, db):
    client = as_user("op.taliwang")
    row_id = world.rows["Penyaluran"]["taliwang-a"]
    assert _money(db, world) == Decimal("900000")
    page = text_of(client.post(f"/penyaluranview/batal/{row_id}", {"alasan": ""}).get_data(as_text=True))
    assert "Tulis alasan pembatalan." in page
    response = client.post(f"/penyaluranview/batal/{row_id}", {"alasan": "Salah ketik jumlah"}, follow_redirects=True)
    assert "Data ini sudah dibatalkan" in text_of(response.get_data(as_text=True))
    db.expire_all()
    row = db.get(Penyaluran, row_id)
    assert row.batal and row.alasan_batal == "Salah ketik jumlah" and row.dibatalkan_oleh == "op.taliwang"
    assert _money(db, world) == Decimal("1000000")
    edit = client.post(f"/penyaluranview/edit/{row_id}", _distribution_form(world, jumlah_uang="1"))
    assert "Data yang sudah dibatalkan tidak dapat diubah." in text_of(edit.get_data(as_text=True))
    assert client.post(f"/penyaluranview/delete/{row_id}").status_code == 404
    assert client.api("DELETE", f"/api/v1/penyaluran/{row_id}").status_code == 405
    assert db.get(Penyaluran, row_id) is not None
    entry = db.query(RiwayatPerubahan).filter_by(tabel="penyaluran", baris_id=str(row_id), aksi="ubah").one()
    assert json.loads(entry.perubahan)["batal"] == {"lama": False, "baru": True}
    listed = text_of(client.get("/penyaluranview/list/").get_data(as_text=True))
    assert "Bantuan taliwang-a" not in listed or "Ya" in listed


def test_voiding_a_collection_already_given_out_is_refused(world, as_user, db):
    client = as_user("op.taliwang")
    assert client.post("/penyaluranview/add", _distribution_form(world, jumlah_uang="900.000")).status_code == 302
    collected = world.rows["Pengumpulan"]["taliwang-a"]
    page = text_of(client.post(f"/pengumpulanview/batal/{collected}", {"alasan": "Dobel"}).get_data(as_text=True))
    assert "Pembatalan ditolak: uang/barang dari penerimaan ini sudah disalurkan." in page
    db.expire_all()
    assert not db.get(Pengumpulan, collected).batal


def test_edit_of_an_amount_moves_the_balance_by_the_difference(world, as_user, db):
    client = as_user("op.taliwang")
    row_id = world.rows["Penyaluran"]["taliwang-a"]
    response = client.post(f"/penyaluranview/edit/{row_id}", _distribution_form(world, jumlah_uang="250.000"))
    assert response.status_code == 302
    assert _money(db, world) == Decimal("750000")
    history = db.query(RiwayatPerubahan).filter_by(tabel="penyaluran", baris_id=str(row_id), aksi="ubah").one()
    change = json.loads(history.perubahan)["jumlah_uang"]
    assert (Decimal(change["lama"]), Decimal(change["baru"])) == (Decimal("100000"), Decimal("250000"))


def test_closed_period_refuses_new_edited_and_voided_entries(world, as_user, db, app):
    dinas = as_user("dinas")
    assert (
        dinas.post("/tutupbukuview/add", {"sampai": "2026-03-31", "keterangan": "Tutup triwulan I"}).status_code == 302
    )
    assert db.query(TutupBuku).count() == 1
    client = as_user("op.taliwang")
    page = text_of(
        client.post("/pengumpulanview/add", _collection_form(db, world, tanggal_terima="2026-03-15")).get_data(
            as_text=True
        )
    )
    assert "Buku sudah ditutup sampai 31 Maret 2026" in page
    row_id = world.rows["Penyaluran"]["taliwang-a"]
    edit = client.post(f"/penyaluranview/edit/{row_id}", _distribution_form(world, tanggal="2026-03-05"))
    assert "Buku sudah ditutup sampai 31 Maret 2026: data ini tidak dapat diubah." in text_of(
        edit.get_data(as_text=True)
    )
    void = client.post(f"/penyaluranview/batal/{row_id}", {"alasan": "x"})
    assert "tidak dapat dibatalkan" in text_of(void.get_data(as_text=True))
    db.expire_all()
    assert db.get(Penyaluran, row_id).jumlah_uang == Decimal("100000") and not db.get(Penyaluran, row_id).batal
    assert (
        client.post("/pengumpulanview/add", _collection_form(db, world, tanggal_terima="2026-04-01")).status_code == 302
    )


def test_one_aid_history_per_ppks_and_the_duplicate_warning(world, as_user, db):
    ppks_id = world.rows["Ppks"]["taliwang-a"]
    dinas = as_user("dinas")
    page = text_of(dinas.get(f"/ppksview/show/{ppks_id}").get_data(as_text=True))
    assert "Riwayat bantuan" in page and "Program taliwang-a" in page and "PSKS taliwang-a" in page
    assert "Bantuan ganda" not in page
    form = _distribution_form(world, tanggal="2026-02-10", jenis_bantuan="sembako", jumlah_uang="50.000")
    response = as_user("op.taliwang").post("/penyaluranview/add", form, follow_redirects=True)
    assert "Perhatian, bantuan ganda" in text_of(response.get_data(as_text=True))
    assert "5207•••••••••001" in text_of(response.get_data(as_text=True))
    page = text_of(dinas.get(f"/ppksview/show/{ppks_id}").get_data(as_text=True))
    assert "Bantuan ganda: Sembako / bahan pangan pada Februari 2026 diterima dari 2 sumber berbeda" in page


def test_psks_page_shows_balance_and_stock(world, as_user):
    page = text_of(
        as_user("op.taliwang").get(f"/psksview/show/{world.rows['Psks']['taliwang-a']}").get_data(as_text=True)
    )
    assert "Saldo uang: Rp 900.000" in page


def test_bast_pdf_has_recipient_with_masked_nik(world, as_user):
    client = as_user("op.taliwang")
    row_id = world.rows["Penyaluran"]["taliwang-a"]
    response = client.get(f"/penyaluranview/bast/{row_id}")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "BERITA ACARA SERAH TERIMA" in text and "PPKS taliwang-a" in text
    assert "5207•••••••••001" in text and nik_for("taliwang-a") not in text
    assert "Rp 100.000" in text and "PSKS taliwang-a" in text
    assert client.get(f"/penyaluranview/bast/{world.rows['Penyaluran']['maluk']}").status_code == 404


def test_signed_bast_can_be_uploaded_back(world, as_user, db):
    from tests.conftest import PNG

    client = as_user("op.taliwang")
    row_id = world.rows["Penyaluran"]["taliwang-a"]
    response = client.post(
        f"/penyaluranview/unggah_bast/{row_id}",
        {"berkas": (io.BytesIO(PNG), "bast-ttd.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    assert client.get(f"/penyaluranview/bast_ttd/{row_id}").data == PNG
    assert as_user("op.maluk").get(f"/penyaluranview/bast_ttd/{row_id}").status_code == 404


def test_excel_export_is_scoped_numeric_and_safe(world, as_user, db):
    db.get(Pengumpulan, world.rows["Pengumpulan"]["taliwang-a"]).catatan = "x"
    row = db.get(Pengumpulan, world.rows["Pengumpulan"]["taliwang-a"])
    row.nomor_kwitansi = "=1+1"
    db.commit()
    response = as_user("op.taliwang").get("/pengumpulanview/export_xlsx/")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Tanggal diterima", "Nomor kwitansi")
    assert len(rows) == 2
    header = rows[0]
    values = dict(zip(header, rows[1], strict=True))
    assert values["Nomor kwitansi"] == "'=1+1"
    assert values["Nilai (Rp)"] == 1000000 and isinstance(values["Nilai (Rp)"], (int, float))
    assert values["Kode kecamatan"] == "52.07.02" and values["Kecamatan"] == "Taliwang"
    csv_text = as_user("op.taliwang").get("/pengumpulanview/export/").get_data(as_text=True)
    assert csv_text.startswith("\ufeff") and "'=1+1" in csv_text and "1000000" in csv_text


def test_no_channel_can_hard_delete_money_records(app, world, as_user, db):
    from app.views import LedgerView

    for view in app.appbuilder.baseviews:
        if isinstance(view, LedgerView):
            assert "muldelete" not in view.actions and "can_delete" not in view.base_permissions
    client = as_user("admin")
    row_id = world.rows["Pengumpulan"]["maluk"]
    for response in (
        client.post(f"/pengumpulanview/delete/{row_id}"),
        client.post("/pengumpulanview/action_post", {"action": "muldelete", "rowid": [row_id]}),
        client.api("DELETE", f"/api/v1/pengumpulan/{row_id}"),
    ):
        assert response.status_code in (403, 404, 405)
    db.expire_all()
    assert db.get(Pengumpulan, row_id) is not None


def test_api_collection_takes_its_value_from_the_amount(world, as_user, db):
    response = as_user("op.taliwang").api(
        "POST",
        "/api/v1/pengumpulan/",
        {
            "psks": world.rows["Psks"]["taliwang-a"],
            "tanggal_terima": "2026-04-01",
            "sumber_dana": db.query(SumberDana).filter_by(kode="LEMBAGA").one().id,
            "nomor_kwitansi": "API-1",
            "jenis": "uang",
            "jumlah_uang": 250000,
        },
    )
    assert response.status_code == 201, response.get_json()
    assert db.query(Pengumpulan).filter_by(nomor_kwitansi="API-1").one().nilai == Decimal("250000")
    assert _money(db, world) == Decimal("1150000")


def test_big_lists_stop_counting_at_a_cap(app, world, as_user, monkeypatch):
    from app.views import PengumpulanView

    view = next(v for v in app.appbuilder.baseviews if isinstance(v, PengumpulanView))
    monkeypatch.setattr(view.datamodel, "count_cap", 2)
    page = text_of(as_user("dinas").get("/pengumpulanview/list/").get_data(as_text=True))
    assert "Jumlah data: lebih dari 2" in page
    assert all(f"K-{label}" in page for label in ("taliwang-a", "taliwang-b", "maluk", "seteluk"))
    monkeypatch.setattr(view.datamodel, "count_cap", 10)
    assert "Jumlah data: 4" in text_of(as_user("dinas").get("/pengumpulanview/list/").get_data(as_text=True))


def test_ppks_picker_searches_within_the_scope_and_masks_nik(world, as_user, db):
    client = as_user("op.taliwang")
    form = client.get("/penyaluranview/add").get_data(as_text=True)
    assert 'class="form-control pundi-cari"' in form and "PPKS maluk" not in form and "PPKS taliwang-b" not in form
    found = client.get("/pilihan/ppks?q=PPKS").get_json()["results"]
    assert sorted(r["text"].split(" — ")[0] for r in found) == ["PPKS taliwang-a", "PPKS taliwang-b"]
    assert all("•" in r["text"] and nik_for("taliwang-a") not in r["text"] for r in found)
    assert client.get(f"/pilihan/ppks?q={nik_for('maluk')}").get_json()["results"] == []
    by_nik = client.get(f"/pilihan/ppks?q={nik_for('taliwang-b')}").get_json()["results"]
    assert [r["id"] for r in by_nik] == [world.rows["Ppks"]["taliwang-b"]]
    assert client.get("/pilihan/ppks?q=%25").get_json()["results"] == []
    assert as_user("tanpa.wilayah").get("/pilihan/ppks?q=PPKS").get_json()["results"] == []
    assert as_user(None).get("/pilihan/ppks?q=PPKS").status_code in (302, 401, 403)
    refused = client.post("/penyaluranview/add", _distribution_form(world, ppks=world.rows["Ppks"]["maluk"]))
    assert "Pilihan tidak valid" in text_of(refused.get_data(as_text=True))
    edit = client.get(f"/penyaluranview/edit/{world.rows['Penyaluran']['taliwang-a']}").get_data(as_text=True)
    assert "selected>PPKS taliwang-a — Menala (5207•••••••••001)</option>" in edit


def test_government_aid_form_with_several_recipients(world, as_user, db):
    from app.models import BantuanPemerintah

    form = {
        "sumber_dana": db.query(SumberDana).filter_by(kode="APBN").one().id,
        "nama_program": "PKH tahap II",
        "tanggal_cair": "2026-03-10",
        "nomor_referensi": "SP2D/2026/77",
        "kecamatan": world.kecamatan["Taliwang"],
        "jenis_bantuan": "sembako",
        "jenis": "uang",
        "jumlah_uang": "600.000",
        "penerima": [world.rows["Ppks"]["taliwang-a"], world.rows["Ppks"]["taliwang-b"]],
    }
    response = as_user("dinas").post("/bantuanpemerintahview/add", form, follow_redirects=True)
    page = text_of(response.get_data(as_text=True))
    assert "Perhatian, bantuan ganda" not in page
    row = db.query(BantuanPemerintah).filter_by(nama_program="PKH tahap II").one()
    assert sorted(p.nama for p in row.penerima) == ["PPKS taliwang-a", "PPKS taliwang-b"]
    assert row.nilai == Decimal("600000") and row.sumber_dana.kode == "APBN"
    community = _distribution_form(world, tanggal="2026-03-20", jenis_bantuan="sembako", jumlah_uang="10.000")
    warned = as_user("op.taliwang").post("/penyaluranview/add", community, follow_redirects=True)
    assert "Sembako / bahan pangan pada Maret 2026 diterima dari 2 sumber berbeda (APBN, MASYARAKAT)" in text_of(
        warned.get_data(as_text=True)
    )
