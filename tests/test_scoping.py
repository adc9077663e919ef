"""The scoping matrix: every role × rows in and out of its scope × every channel.

Scoped screens and APIs are discovered from the running app, so a new scoped model joins
the matrix by itself (and fails it until the test world holds rows for it).
"""

from __future__ import annotations

import csv
import io
import re

import pytest

from app.crud import ScopedApi, ScopedModelView
from app.models import Desa, Donatur, Kecamatan, Ppks, Psks
from tests.conftest import LABELS, USERS, text_of

ALL = {"psks": set(LABELS), "kecamatan": set(LABELS)}
EXPECTED = {
    "admin": ALL,
    "dinas": ALL,
    "kadis": ALL,
    "trc": ALL,
    "op.taliwang": {"psks": {"taliwang-a"}, "kecamatan": {"taliwang-a", "taliwang-b"}},
    "op.maluk": {"psks": {"maluk"}, "kecamatan": {"maluk"}},
    "pemantau.seteluk": {"psks": {"seteluk"}, "kecamatan": {"seteluk"}},
    "tanpa.wilayah": {"psks": set(), "kecamatan": set()},
}
EXPECTED_KECAMATAN = {
    "op.taliwang": {"Taliwang"},
    "op.maluk": {"Maluk"},
    "pemantau.seteluk": {"Seteluk"},
    "tanpa.wilayah": set(),
}
USERNAMES = list(USERS)


def scoped_views(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ScopedModelView)]


def scoped_apis(app):
    return [v for v in app.appbuilder.baseviews if isinstance(v, ScopedApi)]


def visible(username: str, model: type) -> set[str]:
    kind = "psks" if "psks" in model.__scope__ else "kecamatan"
    return EXPECTED[username][kind]


def can(app, world, username: str, permission: str, resource: str) -> bool:
    sm = app.appbuilder.sm
    with app.app_context():
        user = sm.get_user_by_id(world.users[username])
        return any(
            pv.permission.name == permission and pv.view_menu.name == resource
            for role in user.roles
            for pv in role.permissions
        )


def row_count(app, model, row_id) -> int:
    with app.app_context():
        return app.appbuilder.session.query(model).filter_by(id=row_id).count()


def snapshot(app, model, row_id):
    with app.app_context():
        session = app.appbuilder.session
        session.expire_all()
        row = session.get(model, row_id)
        return {c.key: getattr(row, c.key) for c in model.__table__.columns}


def select_options(html: str, field: str) -> set[str]:
    match = re.search(rf'<select[^>]*name="{field}"[^>]*>(.*?)</select>', html, re.S)
    if not match:
        return set()
    return {text.strip() for text in re.findall(r"<option[^>]*>(.*?)</option>", match.group(1), re.S)} - {""}


def test_every_scoped_model_is_in_the_world(app, world):
    models = {view.datamodel.obj.__name__ for view in scoped_views(app)}
    assert models and models <= set(world.rows), "a scoped model has no rows in the test world"
    assert {api.datamodel.obj.__name__ for api in scoped_apis(app)} <= set(world.rows)


@pytest.mark.parametrize("username", USERNAMES)
def test_list_show_and_export(app, world, as_user, username):
    client = as_user(username)
    for view in scoped_views(app):
        model = view.datamodel.obj
        expected = visible(username, model)
        page = text_of(client.get(f"{view.route_base}/list/?psize_{type(view).__name__}=100").get_data(as_text=True))
        exported = client.get(f"{view.route_base}/export/").get_data(as_text=True)
        for label in LABELS:
            row_id = world.rows[model.__name__][label]
            shown = client.get(f"{view.route_base}/show/{row_id}")
            if label in expected:
                assert label in page, (view.route_base, label)
                assert label in exported, (view.route_base, label)
                assert shown.status_code == 200 and label in shown.get_data(as_text=True)
            else:
                assert label not in page, (view.route_base, label)
                assert label not in exported, (view.route_base, label)
                assert shown.status_code == 404, (view.route_base, label)


@pytest.mark.parametrize("username", USERNAMES)
def test_refused_writes_change_nothing(app, world, as_user, username):
    client = as_user(username)
    for view in scoped_views(app):
        model = view.datamodel.obj
        hidden = set(LABELS) - visible(username, model)
        for label in hidden:
            row_id = world.rows[model.__name__][label]
            before = snapshot(app, model, row_id)
            attempts = [
                client.get(f"{view.route_base}/edit/{row_id}"),
                client.post(f"{view.route_base}/edit/{row_id}", {"nama": "DIUBAH", "keterangan": "DIUBAH"}),
                client.post(f"{view.route_base}/delete/{row_id}"),
                client.post(f"{view.route_base}/action/muldelete/{row_id}"),
                client.post(f"{view.route_base}/action_post", {"action": "muldelete", "rowid": [row_id]}),
            ]
            for response in attempts:
                assert response.status_code in (403, 404), (view.route_base, label, response.status_code)
            assert snapshot(app, model, row_id) == before


@pytest.mark.parametrize("username", USERNAMES)
def test_api_reads_and_refused_writes(app, world, as_user, username):
    client = as_user(username)
    for api in scoped_apis(app):
        model = api.datamodel.obj
        expected = visible(username, model)
        base = f"/api/v1/{api.resource_name}"
        listed = client.api("GET", f"{base}/?q=(page_size:100)").get_json()
        listed_ids = set(listed["ids"])
        for label in LABELS:
            row_id = world.rows[model.__name__][label]
            got = client.api("GET", f"{base}/{row_id}")
            if label in expected:
                assert row_id in listed_ids and got.status_code == 200
            else:
                assert row_id not in listed_ids and got.status_code == 404
                before = snapshot(app, model, row_id)
                assert client.api("PUT", f"{base}/{row_id}", {"nama": "DIUBAH"}).status_code in (403, 404)
                assert client.api("DELETE", f"{base}/{row_id}").status_code in (403, 404, 405)
                assert snapshot(app, model, row_id) == before


@pytest.mark.parametrize("username", ["op.taliwang", "op.maluk", "pemantau.seteluk", "tanpa.wilayah"])
def test_dropdowns_offer_only_the_scope(app, world, as_user, username):
    client = as_user(username)
    allowed_kecamatan = EXPECTED_KECAMATAN[username]
    for view in scoped_views(app):
        html = client.get(f"{view.route_base}/list/").get_data(as_text=True)
        offered = select_options(html, "kecamatan")
        assert offered <= allowed_kecamatan, (view.route_base, offered)
        for label in set(LABELS) - visible(username, Psks):
            assert f"PSKS {label}" not in select_options(html, "psks")
    if can(app, world, username, "can_add", "Donatur"):
        html = client.get("/donaturview/add").get_data(as_text=True)
        assert select_options(html, "kecamatan") == allowed_kecamatan
    if can(app, world, username, "can_add", "DokumenPsks"):
        html = client.get("/dokumenpsksview/add").get_data(as_text=True)
        assert select_options(html, "psks") == {f"PSKS {label}" for label in visible(username, Psks)}
    if can(app, world, username, "can_add", "Ppks"):
        html = client.get("/ppksview/add").get_data(as_text=True)
        desa = select_options(html, "desa")
        assert desa and "Goa" not in desa and ("Menala" in desa) == ("Taliwang" in allowed_kecamatan)


@pytest.mark.parametrize("username", ["op.taliwang", "pemantau.seteluk", "tanpa.wilayah"])
def test_api_info_offers_only_the_scope(app, world, as_user, username):
    client = as_user(username)
    info = client.api("GET", "/api/v1/donatur/_info?q=(keys:!(add_columns))").get_json()
    if not can(app, world, username, "can_add", "Donatur"):
        return
    kecamatan = next(col for col in info["add_columns"] if col["name"] == "kecamatan")
    assert {v["value"] for v in kecamatan["values"]} == EXPECTED_KECAMATAN[username]


def test_operator_cannot_move_own_psks_to_another_kecamatan(app, world, as_user, db):
    client = as_user("op.taliwang")
    row_id = world.rows["Psks"]["taliwang-a"]
    before = snapshot(app, Psks, row_id)
    maluk = world.kecamatan["Maluk"]
    form = {
        "nama": "PSKS pindah",
        "jenis": before["jenis_id"],
        "bentuk": "lembaga",
        "kecamatan": maluk,
        "desa": before["desa_id"],
        "aktif": "y",
    }
    response = client.post(f"/psksview/edit/{row_id}", form)
    assert response.status_code == 200
    # Maluk is not among the offered kecamatan, so the field is refused (it resolves to nothing).
    assert re.search(r"Kecamatan \S* Taliwang Kolom ini wajib diisi", text_of(response.get_data(as_text=True)))
    assert snapshot(app, Psks, row_id) == before
    desa_maluk = db.query(Desa).filter_by(kecamatan_id=maluk).first().id
    api = client.api("PUT", f"/api/v1/psks/{row_id}", {"kecamatan": maluk, "desa": desa_maluk})
    assert api.status_code == 400
    assert "di luar wilayah" in api.get_json()["message"]
    assert snapshot(app, Psks, row_id) == before


def test_api_post_outside_scope_is_refused(app, world, as_user, db):
    client = as_user("op.taliwang")
    before = db.query(Donatur).count()
    response = client.api(
        "POST", "/api/v1/donatur/", {"nama": "Penyusup", "jenis": "perorangan", "kecamatan": world.kecamatan["Maluk"]}
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.query(Donatur).count() == before
    allowed = client.api(
        "POST",
        "/api/v1/donatur/",
        {"nama": "Warga Taliwang", "jenis": "perorangan", "kecamatan": world.kecamatan["Taliwang"]},
    )
    assert allowed.status_code == 201
    db.expire_all()
    assert db.query(Donatur).filter_by(nama="Warga Taliwang").one().kecamatan.nama == "Taliwang"


def test_operator_adds_ppks_in_own_kecamatan_only(app, world, as_user, db):
    client = as_user("op.taliwang")
    jereweh = db.query(Kecamatan).filter_by(nama="Jereweh").one()
    desa_jereweh = db.query(Desa).filter_by(kecamatan_id=jereweh.id).first().id
    response = client.api(
        "POST", "/api/v1/ppks/", {"nama": "Salah tempat", "jenis_kelamin": "L", "status": "aktif", "desa": desa_jereweh}
    )
    assert response.status_code == 400
    db.expire_all()
    assert db.query(Ppks).filter_by(nama="Salah tempat").count() == 0


@pytest.mark.parametrize("username", USERNAMES)
def test_files_follow_the_scope(app, world, as_user, username):
    client = as_user(username)
    expected = visible(username, Psks)
    for label in LABELS:
        response = client.get(f"/dokumenpsksview/berkas/{world.rows['DokumenPsks'][label]}")
        if label in expected:
            assert response.status_code == 200 and response.data.startswith(b"\x89PNG")
        else:
            assert response.status_code == 404


def test_fab_unscoped_download_route_is_gone(as_user, world):
    assert as_user("admin").get("/dokumenpsksview/download/x.png").status_code == 404


@pytest.mark.parametrize("username", USERNAMES)
def test_home_chart_counts_only_the_scope(app, world, as_user, username):
    html = as_user(username).get("/").get_data(as_text=True)
    page = text_of(html)
    if username in ("admin", "dinas", "kadis", "trc"):
        assert "PSKS — total 4" in page
        assert all(name in page for name in ("Taliwang", "Maluk", "Seteluk", "Jereweh"))
        return
    allowed = EXPECTED_KECAMATAN[username]
    if not allowed:
        assert "belum memiliki wilayah" in page
        return
    assert f"PSKS — total {len(visible(username, Psks))}" in page
    assert f"PPKS — total {len(visible(username, Ppks))}" in page
    for other in {"Taliwang", "Maluk", "Seteluk", "Jereweh"} - allowed:
        assert other not in re.sub(r"Kecamatan \w+", "", page)


def test_export_keeps_list_filters_and_neutralises_formulas(app, world, as_user, db):
    client = as_user("dinas")
    donatur = db.get(Donatur, world.rows["Donatur"]["maluk"])
    client.api("PUT", f"/api/v1/donatur/{donatur.id}", {"nama": '=HYPERLINK("http://x")'})
    body = client.get("/donaturview/export/?_flt_2_nama=HYPERLINK").get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][0] == "Nama donatur"
    assert len(rows) == 2 and rows[1][0].startswith("'=HYPERLINK")
