"""Generate a realistic synthetic KSB dataset and load it into SQLite or MariaDB.

    python bench/generate.py --url sqlite:///bench/bench.db [--scale 1.0]
    python bench/generate.py --url 'mysql+pymysql://root@127.0.0.1:3306/pundi_bench?charset=utf8mb4'

Default scale: 2,000 PSKS, 100,000 PPKS, 1,000,000 collections, 300,000 distributions and
50,000 government-aid rows over ten years, all 8 kecamatan, Taliwang largest. The schema
comes from the app's migrations; balances are summed from the ledger after the load.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import time
from decimal import Decimal

import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app  # noqa: E402
from app.cli import ensure_admin, initialise  # noqa: E402
from app.models import (  # noqa: E402
    BantuanPemerintah,
    Desa,
    Donatur,
    JenisPpks,
    JenisPsks,
    Kecamatan,
    Pengumpulan,
    Penyaluran,
    Ppks,
    Psks,
    Stok,
    SumberDana,
    bantuan_penerima,
    ppks_jenis,
)
from config import engine_options  # noqa: E402

BASE = {"psks": 2000, "ppks": 100_000, "pengumpulan": 1_000_000, "penyaluran": 300_000, "bantuan": 50_000}
# Share of each kecamatan (by name): Taliwang, the district capital, is the largest.
WEIGHTS = {
    "Taliwang": 30,
    "Seteluk": 14,
    "Maluk": 12,
    "Jereweh": 10,
    "Brang Rea": 9,
    "Poto Tano": 9,
    "Sekongkang": 9,
    "Brang Ene": 7,
}
GOODS = (("Beras", "kg", 13500), ("Minyak goreng", "liter", 18000), ("Paket sembako", "paket", 175000))
FIRST_YEAR, LAST_DAY = 2017, dt.date(2026, 11, 30)
CHUNK = 20_000


def _days(rng: random.Random) -> dt.date:
    start = dt.date(FIRST_YEAR, 1, 1)
    return start + dt.timedelta(days=rng.randrange((LAST_DAY - start).days))


def _insert(conn, table, rows) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def generate(url: str, scale: float, seed: int = 2026) -> dict[str, int]:
    sizes = {name: max(1, int(count * scale)) for name, count in BASE.items()}
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SQLALCHEMY_ENGINE_OPTIONS": engine_options(url)})
    rng = random.Random(seed)
    with app.app_context():
        initialise()
        ensure_admin()
        session = app.appbuilder.session
        admin = app.appbuilder.sm.find_user(username="admin").id
        kecamatan = {k.nama: k.id for k in session.query(Kecamatan)}
        desa = {}
        for row in session.query(Desa):
            desa.setdefault(row.kecamatan_id, []).append(row.id)
        names = list(WEIGHTS)
        weights = [WEIGHTS[n] for n in names]
        jenis_psks = [j.id for j in session.query(JenisPsks)]
        jenis_ppks = [j.id for j in session.query(JenisPpks)]
        sources = {s.kode: s.id for s in session.query(SumberDana)}
        community = [sources[k] for k in ("PERORANGAN", "KELOMPOK", "LEMBAGA", "DUNIA_USAHA", "PSKS_LAIN")]
        government = [sources["APBD_KAB"]] * 3 + [sources["APBD_PROV"], sources["APBN"]]
        now = dt.datetime(2026, 12, 1, 8, 0)
        audit = {"created_on": now, "changed_on": now, "created_by_fk": admin, "changed_by_fk": admin}
        engine = session.get_bind()
        timings = {}
        with engine.begin() as conn:
            started = time.perf_counter()
            psks_rows = []
            for number in range(1, sizes["psks"] + 1):
                kec = kecamatan[rng.choices(names, weights)[0]]
                psks_rows.append(
                    {
                        "nama": f"PSKS Bench {number:05d}",
                        "jenis_id": rng.choice(jenis_psks),
                        "bentuk": "lembaga",
                        "kecamatan_id": kec,
                        "desa_id": rng.choice(desa[kec]),
                        "ketua": f"Ketua {number}",
                        "tanggal_berdiri": dt.date(2010, 1, 1),
                        "aktif": True,
                        **audit,
                    }
                )
            _insert(conn, Psks.__table__, psks_rows)
            psks = [(row.id, row.kecamatan_id) for row in conn.execute(sa.select(Psks.id, Psks.kecamatan_id))]
            ppks_rows = []
            for number in range(1, sizes["ppks"] + 1):
                kec = kecamatan[rng.choices(names, weights)[0]]
                born = dt.date(rng.randrange(1940, 2020), rng.randrange(1, 13), rng.randrange(1, 29))
                female = rng.random() < 0.5
                day = born.day + (40 if female else 0)
                ppks_rows.append(
                    {
                        "nama": f"Warga {number:06d}",
                        "nik": f"5207{kec:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{number % 10000 or 1:04d}",
                        "jenis_kelamin": "P" if female else "L",
                        "tanggal_lahir": born,
                        "desa_id": rng.choice(desa[kec]),
                        "kecamatan_id": kec,
                        "status": "aktif",
                        **audit,
                    }
                )
            seen = set()
            for row in ppks_rows:
                if row["nik"] in seen:
                    row["nik"] = None
                seen.add(row["nik"])
            _insert(conn, Ppks.__table__, ppks_rows)
            ppks = [(row.id, row.kecamatan_id) for row in conn.execute(sa.select(Ppks.id, Ppks.kecamatan_id))]
            _insert(
                conn,
                ppks_jenis,
                [{"ppks_id": pid, "jenis_ppks_id": rng.choice(jenis_ppks)} for pid, _kec in ppks],
            )
            ppks_by_kec = {}
            for pid, kec in ppks:
                ppks_by_kec.setdefault(kec, []).append(pid)
            donor_rows = [
                {
                    "jenis": "perorangan",
                    "nama": f"Donatur {number:05d}",
                    "anonim": False,
                    "kecamatan_id": kecamatan[rng.choices(names, weights)[0]],
                    **audit,
                }
                for number in range(1, max(2, sizes["psks"] * 2) + 1)
            ]
            _insert(conn, Donatur.__table__, donor_rows)
            donors_by_kec = {}
            for row in conn.execute(sa.select(Donatur.id, Donatur.kecamatan_id)):
                donors_by_kec.setdefault(row.kecamatan_id, []).append(row.id)
            timings["registries"] = time.perf_counter() - started

            started = time.perf_counter()
            collections = []
            for number in range(sizes["pengumpulan"]):
                pid, kec = rng.choice(psks)
                base = {
                    "psks_id": pid,
                    "tanggal_terima": _days(rng),
                    "sumber_dana_id": rng.choice(community),
                    "donatur_id": rng.choice(donors_by_kec.get(kec) or [None]),
                    "nomor_kwitansi": f"B{number:07d}",
                    "kecamatan_id": kec,
                    "batal": False,
                    "jumlah_uang": None,
                    "nama_barang": None,
                    "satuan": None,
                    "kuantitas": None,
                    **audit,
                }
                if rng.random() < 0.7:
                    amount = Decimal(rng.randrange(2, 80) * 25000)
                    base.update(jenis="uang", jumlah_uang=amount, nilai=amount)
                else:
                    name, unit, price = rng.choice(GOODS)
                    quantity = Decimal(rng.randrange(1, 50))
                    base.update(
                        jenis="barang", nama_barang=name, satuan=unit, kuantitas=quantity, nilai=quantity * price
                    )
                collections.append(base)
                if len(collections) == CHUNK:
                    _insert(conn, Pengumpulan.__table__, collections)
                    collections = []
            _insert(conn, Pengumpulan.__table__, collections)
            timings["pengumpulan"] = time.perf_counter() - started

            started = time.perf_counter()
            distributions = []
            for _number in range(sizes["penyaluran"]):
                pid, kec = rng.choice(psks)
                amount = Decimal(rng.randrange(1, 8) * 25000)
                distributions.append(
                    {
                        "psks_id": pid,
                        "tanggal": _days(rng),
                        "ppks_id": rng.choice(ppks_by_kec[kec]),
                        "kecamatan_id": kec,
                        "jenis_bantuan": "uang_tunai",
                        "tujuan": "Bantuan hasil careseeking",
                        "jenis": "uang",
                        "jumlah_uang": amount,
                        "nilai": amount,
                        "batal": False,
                        **audit,
                    }
                )
                if len(distributions) == CHUNK:
                    _insert(conn, Penyaluran.__table__, distributions)
                    distributions = []
            _insert(conn, Penyaluran.__table__, distributions)
            timings["penyaluran"] = time.perf_counter() - started

            started = time.perf_counter()
            aid = []
            for number in range(sizes["bantuan"]):
                kec = kecamatan[rng.choices(names, weights)[0]]
                amount = Decimal(rng.randrange(2, 40) * 50000)
                aid.append(
                    {
                        "sumber_dana_id": rng.choice(government),
                        "nama_program": f"Program {number % 40:02d}",
                        "tanggal_cair": _days(rng),
                        "kecamatan_id": kec,
                        "jenis_bantuan": "sembako",
                        "jenis": "uang",
                        "jumlah_uang": amount,
                        "nilai": amount,
                        "batal": False,
                        **audit,
                    }
                )
            _insert(conn, BantuanPemerintah.__table__, aid)
            aid_rows = conn.execute(sa.select(BantuanPemerintah.id, BantuanPemerintah.kecamatan_id)).all()
            _insert(
                conn,
                bantuan_penerima,
                [{"bantuan_id": bid, "ppks_id": rng.choice(ppks_by_kec[kec])} for bid, kec in aid_rows],
            )
            timings["bantuan"] = time.perf_counter() - started

            started = time.perf_counter()
            refresh_stock(conn)
            timings["stok"] = time.perf_counter() - started
    counts = {name: count for name, count in sizes.items()}
    print("Dimuat:", counts)
    print("Waktu (s):", {k: round(v, 1) for k, v in timings.items()})
    return counts


def refresh_stock(conn) -> None:
    """Balance rows summed from the ledger (what the app keeps row by row)."""
    conn.execute(Stok.__table__.delete())
    for model, sign in ((Pengumpulan, 1), (Penyaluran, -1)):
        money = sa.select(
            model.psks_id,
            sa.literal(""),
            sa.literal("Rp"),
            sa.func.sum(model.jumlah_uang) * sign,
            sa.func.sum(model.nilai) * sign,
        ).where(model.jenis == "uang", model.batal.is_(False))
        goods = sa.select(
            model.psks_id,
            sa.func.lower(model.nama_barang),
            sa.func.lower(model.satuan),
            sa.func.sum(model.kuantitas) * sign,
            sa.func.sum(model.nilai) * sign,
        ).where(model.jenis == "barang", model.batal.is_(False))
        for select in (
            money.group_by(model.psks_id),
            goods.group_by(model.psks_id, sa.func.lower(model.nama_barang), sa.func.lower(model.satuan)),
        ):
            rows = [
                {"psks_id": r[0], "barang": r[1], "satuan": r[2], "jumlah": r[3], "nilai": r[4]}
                for r in conn.execute(select)
            ]
            for row in rows:
                updated = conn.execute(
                    Stok.__table__.update()
                    .where(Stok.psks_id == row["psks_id"], Stok.barang == row["barang"], Stok.satuan == row["satuan"])
                    .values(jumlah=Stok.jumlah + row["jumlah"], nilai=Stok.nilai + row["nilai"])
                )
                if updated.rowcount == 0:
                    conn.execute(Stok.__table__.insert(), row)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="database URL (its tables are created by migrations)")
    parser.add_argument("--scale", type=float, default=1.0, help="1.0 = the default sizes")
    args = parser.parse_args()
    generate(args.url, args.scale)


if __name__ == "__main__":
    main()
