"""Security baseline: CSRF, login rate limit, headers, cookies, secret key, uploads, no CDN."""

from __future__ import annotations

import io
import os
import re
import stat

from app import create_app
from app.models import DokumenPsks, Donatur, Psks
from tests.conftest import PASSWORD, png_file, text_of

APP_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "app")


def test_get_to_a_delete_url_deletes_nothing(world, as_user, db):
    row_id = world.rows["Donatur"]["maluk"]
    response = as_user("dinas").get(f"/donaturview/delete/{row_id}")
    assert response.status_code in (302, 200)
    db.expire_all()
    assert db.get(Donatur, row_id) is not None


def _free_donor(db, world) -> int:
    """A donor no ledger row refers to, so it may be deleted."""
    donor = Donatur(nama="Donatur lepas", jenis="perorangan", anonim=False, kecamatan_id=world.kecamatan["Maluk"])
    db.add(donor)
    db.commit()
    return donor.id


def test_post_without_csrf_token_is_refused(world, as_user, db):
    client = as_user("dinas")
    row_id = _free_donor(db, world)
    response = client.client.post(f"/donaturview/delete/{row_id}")
    assert response.status_code == 400
    assert "Formulir kedaluwarsa atau tidak sah" in response.get_data(as_text=True)
    api = client.client.delete(f"/api/v1/donatur/{row_id}")
    assert api.status_code == 400
    db.expire_all()
    assert db.get(Donatur, row_id) is not None
    assert client.post(f"/donaturview/delete/{row_id}").status_code == 302
    db.expire_all()
    assert db.get(Donatur, row_id) is None


def test_sixth_wrong_login_in_a_minute_is_refused(app, world, as_user):
    client = as_user(None)
    for _attempt in range(5):
        response = client.client.post(
            "/login/", data={"username": "dinas", "password": "salah", "csrf_token": client.csrf}, follow_redirects=True
        )
        assert "Nama pengguna atau kata sandi salah" in text_of(response.get_data(as_text=True))
    sixth = client.client.post("/login/", data={"username": "dinas", "password": PASSWORD, "csrf_token": client.csrf})
    assert sixth.status_code == 429
    assert "Terlalu banyak percobaan" in sixth.get_data(as_text=True)


def test_right_login_works_and_sets_safe_cookie(app, world, as_user):
    client = as_user(None)
    response = client.client.post(
        "/login/", data={"username": "dinas", "password": PASSWORD, "csrf_token": client.csrf}
    )
    assert response.status_code == 302
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Daftar PSKS" in client.get("/psksview/list/").get_data(as_text=True)


def test_json_login_is_disabled(as_user):
    client = as_user(None)
    response = client.client.post("/api/v1/security/login", json={"username": "admin", "password": PASSWORD})
    assert response.status_code in (404, 405)
    assert "access_token" not in response.get_data(as_text=True)


def test_security_headers_and_strict_csp(as_user):
    response = as_user(None).get("/login/")
    csp = response.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "default-src 'self'" in csp and "unsafe-eval" not in csp and "script-src 'self' 'nonce-" in csp
    scripts = re.findall(r"<script[^>]*>", response.get_data(as_text=True))
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_no_page_loads_anything_from_outside(app, world, as_user):
    client = as_user("admin")
    for url in ("/", "/login/", "/psksview/list/", "/ppksview/add", "/users/list/"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), url
    for root, _dirs, files in os.walk(APP_DIR):
        for name in files:
            if name.endswith((".html", ".js", ".css")):
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    assert not re.search(r"https?://", handle.read()), name


def test_fab_google_chart_view_is_gone(as_user):
    assert as_user("admin").get("/userstatschartview/chart/").status_code == 404


def test_secret_key_is_generated_once_and_kept(tmp_path, caplog, database_url):
    overrides = {"SECRET_KEY": None, "PUNDI_INSTANCE_DIR": str(tmp_path), "PUNDI_SYNC_ON_START": False}
    overrides["SQLALCHEMY_DATABASE_URI"] = database_url
    first = create_app(overrides)
    key_file = tmp_path / "secret_key"
    assert key_file.exists() and stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert "SECRET_KEY tidak diatur" in caplog.text
    second = create_app(overrides)
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == key_file.read_text().strip()
    assert len(first.config["SECRET_KEY"]) >= 32


def _new_user_form(app, username: str, role: str, password: str) -> dict:
    return {
        "first_name": "Baru",
        "last_name": "Pengguna",
        "username": username,
        "email": f"{username}@uji.local",
        "roles": [app.appbuilder.sm.find_role(role).id],
        "password": password,
        "conf_password": password,
        "active": "y",
    }


def test_weak_password_is_refused(world, as_user, app, db):
    form = _new_user_form(app, "lemah", "Kepala Dinas", "password")
    page = text_of(as_user("admin").post("/users/add", form).get_data(as_text=True))
    assert "Kata sandi minimal 10 karakter" in page
    assert app.appbuilder.sm.find_user(username="lemah") is None


def test_operator_user_needs_a_psks(world, as_user, app, db):
    form = _new_user_form(app, "op.baru", "Operator PSKS", "Kuat#Sekali2026")
    page = text_of(as_user("admin").post("/users/add", form).get_data(as_text=True))
    assert "Operator PSKS harus memilih PSKS-nya." in page
    assert app.appbuilder.sm.find_user(username="op.baru") is None


def _upload(client, world, file, label="taliwang-a"):
    return client.post(
        "/dokumenpsksview/add",
        {"psks": world.rows["Psks"][label], "jenis": "akta", "keterangan": "Akta", "unggah": file},
        content_type="multipart/form-data",
    )


def test_upload_name_cannot_escape_the_upload_folder(app, world, as_user, db):
    response = _upload(as_user("op.taliwang"), world, png_file("../../x.png"))
    assert response.status_code == 302
    row = db.query(DokumenPsks).filter_by(keterangan="Akta").one()
    folder = os.path.realpath(app.config["PUNDI_UPLOAD_DIR"])
    stored = os.path.realpath(os.path.join(folder, row.berkas))
    assert os.path.dirname(stored) == folder and os.path.exists(stored)
    assert row.nama_berkas == "x.png" and ".." not in row.berkas
    assert not os.path.exists(os.path.join(folder, "..", "..", "x.png"))
    download = as_user("op.taliwang").get(f"/dokumenpsksview/berkas/{row.id}")
    assert download.data.startswith(b"\x89PNG") and "x.png" in download.headers["Content-Disposition"]


def test_upload_of_wrong_type_or_size_is_refused_next_to_the_field(app, world, as_user, db):
    client = as_user("op.taliwang")
    before = db.query(DokumenPsks).count()
    fake = _upload(client, world, (io.BytesIO(b"<script>alert(1)</script>"), "foto.png"))
    assert "Jenis berkas tidak diizinkan" in text_of(fake.get_data(as_text=True))
    assert 'value="Akta"' in fake.get_data(as_text=True)
    big = _upload(client, world, png_file("besar.png", size=6 * 1024 * 1024))
    assert "Berkas terlalu besar" in text_of(big.get_data(as_text=True))
    huge = _upload(client, world, png_file("raksasa.png", size=17 * 1024 * 1024))
    assert huge.status_code == 413 and "Berkas terlalu besar" in huge.get_data(as_text=True)
    db.expire_all()
    assert db.query(DokumenPsks).count() == before


def test_operator_cannot_upload_for_another_psks(world, as_user, db):
    before = db.query(DokumenPsks).count()
    response = _upload(as_user("op.taliwang"), world, png_file(), label="maluk")
    assert response.status_code == 200
    db.expire_all()
    assert db.query(DokumenPsks).count() == before


def test_deleting_a_row_still_in_use_keeps_it_and_says_why(world, as_user, db):
    client = as_user("dinas")
    row_id = world.rows["Psks"]["maluk"]
    single = client.post(f"/psksview/delete/{row_id}", follow_redirects=True)
    assert single.status_code == 200 and "masih dipakai data lain" in text_of(single.get_data(as_text=True))
    bulk = client.post("/psksview/action_post", {"action": "muldelete", "rowid": [row_id]}, follow_redirects=True)
    assert bulk.status_code == 200 and "masih dipakai data lain" in text_of(bulk.get_data(as_text=True))
    db.expire_all()
    assert db.get(Psks, row_id) is not None
    free = _free_donor(db, world)
    done = client.post("/donaturview/action_post", {"action": "muldelete", "rowid": [free]}, follow_redirects=True)
    assert "Data dihapus (1)" in text_of(done.get_data(as_text=True))
