"""Time the app's operations on a generated dataset, each beside the same query in plain SQL.

    python bench/run.py --url sqlite:///bench/bench.db [--repeat 21]

Prints a Markdown table: median and p95 of the app, median of plain SQL, and their ratio.
Pages are requested through Flask's test client as signed-in users (no network), so a
page's time includes routing, permissions, scoping, the query and the template.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time

import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer
from openpyxl import Workbook

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app, impor  # noqa: E402
from app.ledger import aid_history, balances  # noqa: E402
from app.models import Kecamatan, Ppks, Psks  # noqa: E402
from config import engine_options  # noqa: E402

PASSWORD = "Bench#Pundi2026"
EXPORT_FILTER = "_flt_1_tanggal_terima=2024-12-31&_flt_2_tanggal_terima=2026-01-01"


def _app(url: str):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url)})


def _user(app, username: str, role: str, psks: Psks | None = None):
    sm = app.appbuilder.sm
    user = sm.find_user(username=username)
    if user is None:
        user = sm.add_user(username, username, "Bench", f"{username}@bench.local", sm.find_role(role), PASSWORD)
    user.psks = psks
    user.kecamatan = psks.kecamatan if psks else None
    app.appbuilder.session.commit()
    return user.id


class Client:
    """A test client signed in as one user, with a CSRF token for writes."""

    def __init__(self, app, user_id: int):
        self.client = app.test_client()
        raw = secrets.token_hex(20)
        with self.client.session_transaction() as session:
            session["_user_id"] = str(user_id)
            session["_fresh"] = True
            session["csrf_token"] = raw
        self.csrf = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="wtf-csrf-token").dumps(raw)

    def get(self, url: str):
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response

    def post_json(self, url: str, payload: dict):
        response = self.client.post(url, json=payload, headers={"X-CSRFToken": self.csrf})
        assert response.status_code == 201, (url, response.status_code, response.get_data(as_text=True)[:300])
        return response


def measure(action, repeat: int, warmup: int = 2) -> tuple[float, float]:
    """Median and p95 of ``repeat`` runs, in milliseconds."""
    for _ in range(warmup):
        action()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def plain(engine, sql: str, **params):
    """Run a statement in plain SQL and fetch everything (the database's own cost)."""

    def run():
        with engine.connect() as conn:
            conn.execute(sa.text(sql), params).fetchall()

    return run


def plain_write(engine, statements: list[tuple[str, dict]]):
    def run():
        with engine.begin() as conn:
            for sql, params in statements:
                conn.execute(sa.text(sql), params)

    return run


def _counter():
    value = [0]

    def next_value() -> int:
        value[0] += 1
        return value[0]

    return next_value


def run(url: str, repeat: int) -> list[tuple]:
    app = _app(url)
    results = []
    with app.app_context():
        session = app.appbuilder.session
        engine = session.get_bind()
        taliwang = session.query(Kecamatan).filter_by(nama="Taliwang").one()
        psks = session.query(Psks).filter_by(kecamatan_id=taliwang.id).order_by(Psks.id).first()
        dinas = Client(app, _user(app, "bench.dinas", "Admin Dinas"))
        operator = Client(app, _user(app, "bench.op", "Operator PSKS", psks))
        ppks = session.query(Ppks).filter_by(kecamatan_id=taliwang.id).order_by(Ppks.id).first()
        busy = session.execute(
            sa.text("SELECT ppks_id FROM penyaluran GROUP BY ppks_id ORDER BY COUNT(*) DESC LIMIT 1")
        ).scalar()
        session.rollback()
        kec = taliwang.id
        # The plain-SQL twin of a list page: the same capped count and the same page with its joins.
        page_sql = (
            "SELECT p.*, s.nama, k.nama FROM {table} p LEFT JOIN psks s ON s.id = p.psks_id "
            "LEFT JOIN kecamatan k ON k.id = p.kecamatan_id {where} ORDER BY p.{order} DESC LIMIT 25"
        )
        count_sql = "SELECT COUNT(*) FROM (SELECT p.id FROM {table} p {where} LIMIT 10001) c"
        for table, view, order in (
            ("pengumpulan", "pengumpulanview", "tanggal_terima"),
            ("penyaluran", "penyaluranview", "tanggal"),
        ):
            for label, query, where in (
                ("halaman pertama", "", ""),
                ("disaring kecamatan", f"?_flt_0_kecamatan={kec}", f"WHERE p.kecamatan_id = {kec}"),
            ):
                app_time = measure(lambda v=view, q=query: dinas.get(f"/{v}/list/{q}"), repeat)
                sql = page_sql.format(table=table, where=where, order=order)
                count = count_sql.format(table=table, where=where)
                sql_time = measure(lambda s=sql, c=count: (plain(engine, c)(), plain(engine, s)()), repeat)
                results.append((f"Daftar {table}, {label}", 50, app_time, sql_time))
        for label, query, where in (
            ("halaman pertama", "", ""),
            ("disaring kecamatan", f"?_flt_0_kecamatan={kec}", f"WHERE p.kecamatan_id = {kec}"),
        ):
            app_time = measure(lambda q=query: dinas.get(f"/ppksview/list/{q}"), repeat)
            sql = (
                f"SELECT p.*, d.nama FROM ppks p LEFT JOIN desa d ON d.id = p.desa_id {where} ORDER BY p.nama LIMIT 25"
            )
            count = f"SELECT COUNT(*) FROM (SELECT p.id FROM ppks p {where} LIMIT 10001) c"
            sql_time = measure(lambda s=sql, c=count: (plain(engine, c)(), plain(engine, s)()), repeat)
            results.append((f"Daftar PPKS, {label}", 50, app_time, sql_time))

        receipt = _counter()
        run_id = secrets.token_hex(3)
        source = session.execute(sa.text("SELECT id FROM sumber_dana WHERE kode = 'PERORANGAN'")).scalar()
        session.rollback()
        app_time = measure(
            lambda: operator.post_json(
                "/api/v1/pengumpulan/",
                {
                    "psks": psks.id,
                    "tanggal_terima": "2026-11-20",
                    "sumber_dana": source,
                    "nomor_kwitansi": f"BENCH-{run_id}-{receipt()}",
                    "jenis": "uang",
                    "jumlah_uang": 100000,
                },
            ),
            repeat,
        )
        plain_receipt = _counter()
        sql_time = measure(
            lambda: plain_write(
                engine,
                [
                    (
                        "INSERT INTO pengumpulan (psks_id, tanggal_terima, sumber_dana_id, nomor_kwitansi,"
                        " kecamatan_id, jenis, jumlah_uang, nilai, batal, created_on, changed_on, created_by_fk,"
                        " changed_by_fk) VALUES (:p, :d, :s, :n, :k, 'uang', 100000, 100000, :f, :t, :t, 1, 1)",
                        {
                            "p": psks.id,
                            "d": dt.date(2026, 11, 20),
                            "s": source,
                            "n": f"PLAIN-{run_id}-{plain_receipt()}",
                            "k": kec,
                            "f": False,
                            "t": dt.datetime.now(),
                        },
                    ),
                    (
                        "UPDATE stok SET jumlah = jumlah + 100000, nilai = nilai + 100000"
                        " WHERE psks_id = :p AND barang = '' AND satuan = 'Rp'",
                        {"p": psks.id},
                    ),
                ],
            )(),
            repeat,
        )
        results.append(("Simpan pengumpulan (dengan aturan dan saldo)", 30, app_time, sql_time))
        app_time = measure(
            lambda: operator.post_json(
                "/api/v1/penyaluran/",
                {
                    "psks": psks.id,
                    "tanggal": "2026-11-21",
                    "ppks": ppks.id,
                    "jenis_bantuan": "uang_tunai",
                    "tujuan": "Bench",
                    "jenis": "uang",
                    "jumlah_uang": 25000,
                },
            ),
            repeat,
        )
        sql_time = measure(
            lambda: plain_write(
                engine,
                [
                    (
                        "INSERT INTO penyaluran (psks_id, tanggal, ppks_id, kecamatan_id, jenis_bantuan, tujuan, jenis,"
                        " jumlah_uang, nilai, batal, created_on, changed_on, created_by_fk, changed_by_fk)"
                        " VALUES (:p, :d, :q, :k, 'uang_tunai', 'Bench', 'uang', 25000, 25000, :f, :t, :t, 1, 1)",
                        {
                            "p": psks.id,
                            "d": dt.date(2026, 11, 21),
                            "q": ppks.id,
                            "k": kec,
                            "f": False,
                            "t": dt.datetime.now(),
                        },
                    ),
                    (
                        "UPDATE stok SET jumlah = jumlah - 25000, nilai = nilai - 25000"
                        " WHERE psks_id = :p AND barang = '' AND satuan = 'Rp' AND jumlah - 25000 >= 0",
                        {"p": psks.id},
                    ),
                ],
            )(),
            repeat,
        )
        results.append(("Simpan penyaluran (dengan cek saldo)", 30, app_time, sql_time))

        def app_balance():
            balances(session, psks.id)
            session.rollback()

        results.append(
            (
                "Saldo satu PSKS",
                20,
                measure(app_balance, repeat),
                measure(
                    plain(engine, "SELECT barang, satuan, jumlah, nilai FROM stok WHERE psks_id = :p", p=psks.id),
                    repeat,
                ),
            )
        )

        def app_history():
            aid_history(session, busy)
            session.rollback()

        history_sql = (
            "SELECT tanggal, jenis_bantuan, nilai FROM penyaluran WHERE ppks_id = :q UNION ALL "
            "SELECT b.tanggal_cair, b.jenis_bantuan, b.nilai FROM bantuan_pemerintah b "
            "JOIN bantuan_penerima r ON r.bantuan_id = b.id WHERE r.ppks_id = :q"
        )
        results.append(
            (
                "Riwayat bantuan satu PPKS",
                20,
                measure(app_history, repeat),
                measure(plain(engine, history_sql, q=busy), repeat),
            )
        )
    return results


def export_once(url: str) -> None:
    """Run in a child process: one Excel export of a year of collections; prints seconds, rows and peak MB."""
    app = _app(url)
    with app.app_context():
        dinas = Client(app, _user(app, "bench.dinas", "Admin Dinas"))
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    response = dinas.get(f"/pengumpulanview/export_xlsx/?{EXPORT_FILTER}")
    data = response.get_data()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from openpyxl import load_workbook

    rows = sum(1 for _row in load_workbook(io.BytesIO(data), read_only=True).active.iter_rows()) - 1
    print(f"EXPORT {seconds:.2f} {rows} {baseline:.0f} {peak:.0f}")


def import_once(url: str, rows: int) -> tuple[float, float, int]:
    """Preview and commit a sheet of ``rows`` collections; returns (preview s, commit s, written)."""
    app = _app(url)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(impor.HEADERS)
    stamp = secrets.token_hex(3)
    for number in range(rows):
        sheet.append(
            ["15/11/2026", f"IMP-{stamp}-{number:05d}", "PERORANGAN", "Hamba Allah", "uang", "150.000"]
            + [""] * (len(impor.HEADERS) - 6)
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    with app.app_context(), app.test_request_context():
        from flask import g

        session = app.appbuilder.session
        g.user = app.appbuilder.sm.find_user(username="admin")
        psks = session.query(Psks).order_by(Psks.id.desc()).first()
        buffer.seek(0)
        started = time.perf_counter()
        result = impor.preview(session, psks, buffer)
        session.rollback()
        preview_seconds = time.perf_counter() - started
        assert result.can_commit, result.sheet_errors or [r.problems for r in result.rows if r.problems][:3]
        buffer.seek(0)
        started = time.perf_counter()
        written = impor.commit(session, psks, buffer)
        commit_seconds = time.perf_counter() - started
    return preview_seconds, commit_seconds, written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--export-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.export_only:
        export_once(args.url)
        return
    engine = sa.create_engine(args.url)
    with engine.connect() as conn:
        sizes = {
            t: conn.execute(sa.text(f"SELECT COUNT(*) FROM {t}")).scalar()
            for t in ("psks", "ppks", "pengumpulan", "penyaluran", "bantuan_pemerintah")
        }
    engine.dispose()
    print(
        f"Mesin: {platform.platform()}, Python {platform.python_version()}, {os.cpu_count()} inti; "
        f"{dt.datetime.now():%Y-%m-%d %H:%M}; data: {sizes}"
    )
    print()
    print("| operasi | target | median | p95 | SQL polos (median) | rasio |")
    print("|---|---|---|---|---|---|")
    for name, target, (median, p95), (sql_median, _sql_p95) in run(args.url, args.repeat):
        ratio = median / sql_median if sql_median else float("nan")
        mark = "ya" if median <= target else "TIDAK"
        print(
            f"| {name} | ≤ {target} ms | {median:.1f} ms ({mark}) | {p95:.1f} ms | {sql_median:.1f} ms | {ratio:.1f}× |"
        )
    child = subprocess.run(
        [sys.executable, __file__, "--url", args.url, "--export-only"], capture_output=True, text=True, check=True
    )
    line = next(line for line in child.stdout.splitlines() if line.startswith("EXPORT"))
    _tag, seconds, rows, baseline, peak = line.split()
    engine = sa.create_engine(args.url)
    started = time.perf_counter()
    with engine.connect() as conn:
        conn.execute(
            sa.text(
                "SELECT p.*, s.nama, k.kode, k.nama FROM pengumpulan p LEFT JOIN psks s ON s.id = p.psks_id "
                "LEFT JOIN kecamatan k ON k.id = p.kecamatan_id WHERE p.tanggal_terima > '2024-12-31' "
                "AND p.tanggal_terima < '2026-01-01' ORDER BY p.tanggal_terima DESC"
            )
        ).fetchall()
    sql_seconds = time.perf_counter() - started
    engine.dispose()
    print(
        f"| Ekspor Excel {int(rows):,} baris | ≤ 20 s, ≤ 300 MB | {float(seconds):.1f} s, puncak {peak} MB "
        f"(awal {baseline} MB) | – | {sql_seconds:.1f} s | {float(seconds) / sql_seconds:.1f}× |"
    )
    preview_s, commit_s, written = import_once(args.url, 10_000)
    engine = sa.create_engine(args.url)
    rows = [
        {"p": 1, "d": dt.date(2026, 11, 15), "n": f"PLAIN-IMP-{secrets.token_hex(3)}-{i}", "t": dt.datetime.now()}
        for i in range(10_000)
    ]
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO pengumpulan (psks_id, tanggal_terima, sumber_dana_id, nomor_kwitansi, kecamatan_id,"
                " jenis, jumlah_uang, nilai, batal, created_on, changed_on, created_by_fk, changed_by_fk)"
                " VALUES (:p, :d, 1, :n, 1, 'uang', 150000, 150000, false, :t, :t, 1, 1)"
            ),
            rows,
        )
    sql_seconds = time.perf_counter() - started
    engine.dispose()
    total = preview_s + commit_s
    print(
        f"| Impor {written:,} baris (pratinjau {preview_s:.1f} s + simpan {commit_s:.1f} s) | ≤ 15 s | "
        f"{total:.1f} s | – | {sql_seconds:.1f} s | {total / sql_seconds:.1f}× |"
    )


if __name__ == "__main__":
    main()
