"""Registries: NIK rules and masking, bad input answered in Indonesian with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from app.models import Desa, Donatur, JenisPsks, Kecamatan, Ppks, Psks
from app.nik import check_nik, mask_nik
from tests.conftest import nik_for, text_of


@pytest.mark.parametrize(
    "nik",
    [
        "5207021508850001",  # man born 15-08-1985, Taliwang
        "5207085508850002",  # woman: 15 + 40
        "5207030101000001",  # born 1 Jan 2000
        "3174012902000123",  # 29 Feb 2000 exists (outside KSB: a warning only)
    ],
)
def test_valid_niks(nik):
    assert check_nik(nik).ok


@pytest.mark.parametrize(
    "nik, message",
    [
        ("520702150885001", "16 angka"),
        ("52070215088500a1", "16 angka"),
        ("５２０７０２１５０８８５０００１", "16 angka"),  # full-width digits
        ("9907021508850001", "Kode provinsi"),
        ("5200021508850001", "tidak boleh 00"),
        ("5207023208850001", "Tanggal lahir pada NIK"),  # day 32
        ("5207027208850001", "Tanggal lahir pada NIK"),  # day 72 - 40 = 32
        ("5207021513850001", "Tanggal lahir pada NIK"),  # month 13
        ("5207022902010001", "Tanggal lahir pada NIK"),  # 29 Feb 2001
        ("5207021508850000", "0000"),
    ],
)
def test_invalid_niks(nik, message):
    check = check_nik(nik)
    assert not check.ok and message in " ".join(check.errors)


def test_nik_details_and_warning_outside_ksb():
    woman = check_nik("5207085508850002")
    assert woman.female is True and woman.birth_date == dt.date(1985, 8, 15) and woman.warnings == []
    assert "luar Kabupaten Sumbawa Barat" in check_nik("3174012902000123").warnings[0]


def test_mask_nik():
    assert mask_nik("5207021508850123") == "5207•••••••••123"
    assert mask_nik(None) == ""


def _ppks_form(db, **changes):
    desa = db.query(Desa).filter_by(nama="Menala").one()
    form = {
        "nama": "Warga Baru",
        "nik": "5207024506900011",
        "jenis_kelamin": "P",
        "tanggal_lahir": "1990-06-05",
        "desa": desa.id,
        "status": "aktif",
        "catatan": "Ditemukan saat careseeking",
    }
    form.update(changes)
    return form


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"nik": "12345"}, "NIK harus 16 angka."),
        ({"nik": "5207023208850001"}, "Tanggal lahir pada NIK"),
        ({"nama": ""}, "Kolom ini wajib diisi."),
        ({"tanggal_lahir": "2999-01-01"}, "Tanggal tidak boleh setelah hari ini."),
        ({"no_kk": "12"}, "Nomor KK harus 16 angka."),
        ({"tanggal_lahir": "31-31-2020"}, "Tanggal tidak valid"),
    ],
)
def test_bad_ppks_input_is_refused_next_to_the_field(world, as_user, db, changes, message):
    before = db.query(Ppks).count()
    response = as_user("trc").post("/ppksview/add", _ppks_form(db, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in text_of(page)
    assert 'value="Ditemukan saat careseeking"' in page or "Ditemukan saat careseeking" in page
    db.expire_all()
    assert db.query(Ppks).count() == before


def test_duplicate_nik_is_refused(world, as_user, db):
    before = db.query(Ppks).count()
    page = as_user("trc").post("/ppksview/add", _ppks_form(db, nik=nik_for("maluk"))).get_data(as_text=True)
    assert "Sudah terdaftar." in text_of(page)
    assert "PPKS maluk" not in page
    db.expire_all()
    assert db.query(Ppks).count() == before


def test_ppks_is_saved_with_kecamatan_from_desa_and_warnings_shown(world, as_user, db):
    client = as_user("trc")
    response = client.post(
        "/ppksview/add", _ppks_form(db, nik="3174014506900011", tanggal_lahir="1991-06-05"), follow_redirects=True
    )
    page = text_of(response.get_data(as_text=True))
    assert "luar Kabupaten Sumbawa Barat" in page
    assert "Tanggal lahir berbeda" in page
    row = db.query(Ppks).filter_by(nama="Warga Baru").one()
    assert row.kecamatan.nama == "Taliwang" and row.nik == "3174014506900011"


def test_nik_is_masked_for_roles_that_do_not_need_it(world, as_user, db):
    full = nik_for("taliwang-a")
    masked = mask_nik(full)
    row_id = world.rows["Ppks"]["taliwang-a"]
    for username, sees_full in (("trc", True), ("dinas", True), ("kadis", False), ("op.taliwang", False)):
        client = as_user(username)
        pages = [
            client.get("/ppksview/list/").get_data(as_text=True),
            client.get(f"/ppksview/show/{row_id}").get_data(as_text=True),
            client.get("/ppksview/export/").get_data(as_text=True),
            str(client.api("GET", f"/api/v1/ppks/{row_id}").get_json()),
            str(client.api("GET", "/api/v1/ppks/").get_json()),
        ]
        for index, page in enumerate(pages):
            assert (full in page) is sees_full, (username, index)
            assert (masked in page) is not sees_full, (username, index)


def test_nik_is_masked_in_history_too(world, as_user, db):
    row_id = world.rows["Ppks"]["taliwang-a"]
    as_user("trc").api("PUT", f"/api/v1/ppks/{row_id}", {"nik": "5207021508850099"})
    shown = as_user("kadis").get(f"/ppksview/show/{row_id}").get_data(as_text=True)
    assert "Riwayat perubahan" in shown and "5207•••••••••099" in shown and "5207021508850099" not in shown
    log = as_user("kadis").get("/riwayatperubahanview/list/").get_data(as_text=True)
    assert "5207021508850099" not in log


def test_psks_desa_must_lie_in_its_kecamatan(world, as_user, db):
    taliwang = db.query(Kecamatan).filter_by(nama="Taliwang").one()
    goa = db.query(Desa).filter_by(nama="Goa").one()
    form = {
        "nama": "LKS Salah Desa",
        "jenis": db.query(JenisPsks).filter_by(kode="LKS").one().id,
        "bentuk": "lembaga",
        "kecamatan": taliwang.id,
        "desa": goa.id,
        "telepon": "0812-3456-7890",
        "aktif": "y",
    }
    page = text_of(as_user("dinas").post("/psksview/add", form).get_data(as_text=True))
    assert "Desa/kelurahan Goa tidak berada di Kecamatan Taliwang." in page
    assert db.query(Psks).filter_by(nama="LKS Salah Desa").count() == 0
    form["desa"] = db.query(Desa).filter_by(nama="Menala").one().id
    form["telepon"] = "nomor saya"
    assert "Nomor telepon hanya boleh" in text_of(as_user("dinas").post("/psksview/add", form).get_data(as_text=True))
    form["telepon"] = "0812-3456-7890"
    assert as_user("dinas").post("/psksview/add", form).status_code == 302
    db.expire_all()
    assert db.query(Psks).filter_by(nama="LKS Salah Desa").one().aktif is True


def test_inactive_psks_can_be_saved(world, as_user, db):
    row = db.get(Psks, world.rows["Psks"]["maluk"])
    form = {"nama": row.nama, "jenis": row.jenis_id, "bentuk": "lembaga", "kecamatan": row.kecamatan_id}
    assert as_user("dinas").post(f"/psksview/edit/{row.id}", form).status_code == 302
    db.expire_all()
    assert db.get(Psks, row.id).aktif is False


def test_anonymous_donor_is_hamba_allah(world, as_user, db):
    kecamatan = db.query(Kecamatan).filter_by(nama="Maluk").one()
    form = {"jenis": "perorangan", "nama": "Pak Haji", "anonim": "y", "kecamatan": kecamatan.id}
    assert as_user("dinas").post("/donaturview/add", form).status_code == 302
    assert db.query(Donatur).filter_by(nama="Hamba Allah", kecamatan_id=kecamatan.id).count() == 1
    assert db.query(Donatur).filter_by(nama="Pak Haji").count() == 0


def test_api_bad_input_gets_field_messages(world, as_user, db):
    desa = db.query(Desa).filter_by(nama="Menala").one()
    response = as_user("trc").api(
        "POST", "/api/v1/ppks/", {"nama": "X", "nik": "123", "jenis_kelamin": "L", "status": "aktif", "desa": desa.id}
    )
    assert response.status_code == 422
    assert response.get_json()["message"]["nik"] == "NIK harus 16 angka."
    assert db.query(Ppks).filter_by(nama="X").count() == 0


def test_api_duplicate_nik_is_refused_without_database_details(world, as_user, db):
    desa = db.query(Desa).filter_by(nama="Menala").one()
    client = as_user("trc")
    payload = {"nama": "Kembar", "nik": nik_for("maluk"), "jenis_kelamin": "L", "status": "aktif", "desa": desa.id}
    created = client.api("POST", "/api/v1/ppks/", payload)
    assert created.status_code == 422 and created.get_json()["message"] == {"nik": "NIK sudah terdaftar."}
    row_id = world.rows["Ppks"]["taliwang-a"]
    changed = client.api("PUT", f"/api/v1/ppks/{row_id}", {"nik": nik_for("seteluk")})
    assert changed.status_code == 422 and changed.get_json()["message"] == {"nik": "NIK sudah terdaftar."}
    db.expire_all()
    assert db.get(Ppks, row_id).nik == nik_for("taliwang-a")
