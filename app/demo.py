"""Demo records across all 8 kecamatan and one demo user per role; idempotent."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import click
from werkzeug.security import generate_password_hash

from app.ledger import balances, prepare
from app.models import (
    BantuanPemerintah,
    Desa,
    Donatur,
    HargaBarang,
    JenisPpks,
    JenisPsks,
    Kecamatan,
    Pengumpulan,
    Penyaluran,
    Ppks,
    Psks,
    SumberDana,
)

DEMO_USERS = (
    ("admin", "Admin", None, None),
    ("dinas", "Admin Dinas", None, None),
    ("kadis", "Kepala Dinas", None, None),
    ("trc", "TRC", None, None),
    ("op.taliwang", "Operator PSKS", "Taliwang", "LKS Peduli Sesama Taliwang"),
    ("op.maluk", "Operator PSKS", "Maluk", "WKSBM Maluk Bersatu"),
    ("pemantau.seteluk", "Pemantau Kecamatan", "Seteluk", None),
)
PSKS_TEMPLATES = (
    ("LKS Peduli Sesama {kec}", "LKS", "lembaga"),
    ("WKSBM {kec} Bersatu", "WKSBM", "lembaga"),
    ("Karang Taruna {kec}", "KARTAR", "lembaga"),
    ("TKSK Kecamatan {kec}", "TKSK", "perorangan"),
)
FIRST_NAMES_M = ("Ahmad", "Lalu", "Muhammad", "Sahabuddin", "Hasan", "Ilham", "Zainal", "Junaidi")
FIRST_NAMES_F = ("Siti", "Nurhayati", "Baiq", "Aminah", "Rahmawati", "Fatimah", "Sri", "Halimah")
LAST_NAMES = ("Hidayat", "Saputra", "Rahman", "Sumbawa", "Kurniawan", "Wahyuni", "Ismail", "Hamzah")
DONORS = (
    ("Hamba Allah", "perorangan", True),
    ("Majelis Taklim Nurul Iman {kec}", "kelompok", False),
    ("Toko Sembako Berkah {kec}", "dunia_usaha", False),
)


def _nik(kec_index: int, born: dt.date, female: bool, serial: int) -> str:
    day = born.day + (40 if female else 0)
    return f"5207{kec_index:02d}{day:02d}{born.month:02d}{born.year % 100:02d}{serial:04d}"


def _demo_users(sm, password: str) -> int:
    created = 0
    for username, role_name, kec_name, psks_name in DEMO_USERS:
        role = sm.find_role(role_name)
        kecamatan = sm.session.query(Kecamatan).filter_by(nama=kec_name).one_or_none() if kec_name else None
        psks = sm.session.query(Psks).filter_by(nama=psks_name).one_or_none() if psks_name else None
        user = sm.find_user(username=username)
        if user is None:
            user = sm.add_user(
                username,
                username.split(".")[0].title(),
                kec_name or "Dinsos KSB",
                f"{username}@dinsos.ksb.local",
                role,
                password,
            )
            created += 1
        user.roles = [role]
        user.kecamatan = kecamatan or (psks.kecamatan if psks else None)
        user.psks = psks
        user.password = generate_password_hash(password)
    sm.session.commit()
    return created


def _demo_registries(session) -> dict[str, int]:
    rng = random.Random(2026)
    jenis_psks = {j.kode: j for j in session.query(JenisPsks)}
    jenis_ppks = session.query(JenisPpks).order_by(JenisPpks.kode).all()
    added = {"psks": 0, "ppks": 0, "donatur": 0}
    for index, kecamatan in enumerate(session.query(Kecamatan).order_by(Kecamatan.kode), start=1):
        desa = session.query(Desa).filter_by(kecamatan_id=kecamatan.id).order_by(Desa.kode).all()
        for name, kode, bentuk in PSKS_TEMPLATES:
            nama = name.format(kec=kecamatan.nama)
            if session.query(Psks).filter_by(nama=nama).first():
                continue
            session.add(
                Psks(
                    nama=nama,
                    jenis=jenis_psks[kode],
                    bentuk=bentuk,
                    kecamatan=kecamatan,
                    desa=desa[0],
                    alamat=f"Jl. Pendidikan, {desa[0].nama}",
                    telepon=f"0812{rng.randrange(10**7, 10**8)}",
                    ketua=f"{rng.choice(FIRST_NAMES_M)} {rng.choice(LAST_NAMES)}",
                    tanggal_berdiri=dt.date(rng.randrange(2005, 2022), rng.randrange(1, 13), rng.randrange(1, 28)),
                    aktif=True,
                )
            )
            added["psks"] += 1
        for serial in range(1, 7):
            person = random.Random(f"{kecamatan.kode}-{serial}")
            female = serial % 2 == 0
            born = dt.date(person.randrange(1945, 2015), person.randrange(1, 13), person.randrange(1, 28))
            nik = _nik(index, born, female, serial)
            if session.query(Ppks).filter_by(nik=nik).first():
                continue
            first = person.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
            village = person.choice(desa)
            session.add(
                Ppks(
                    nama=f"{first} {person.choice(LAST_NAMES)}",
                    nik=nik,
                    jenis_kelamin="P" if female else "L",
                    tanggal_lahir=born,
                    alamat=f"RT 0{serial}/RW 02, {village.nama}",
                    desa=village,
                    kecamatan=kecamatan,
                    jenis=person.sample(jenis_ppks, 1),
                    status="aktif",
                )
            )
            added["ppks"] += 1
        for name, jenis, anonim in DONORS:
            nama = name.format(kec=kecamatan.nama)
            if session.query(Donatur).filter_by(nama=nama, kecamatan_id=kecamatan.id).first():
                continue
            session.add(Donatur(nama=nama, jenis=jenis, anonim=anonim, kecamatan=kecamatan))
            added["donatur"] += 1
    session.commit()
    return added


PRICES = (
    ("Beras", "kg", "12000", "13500"),
    ("Minyak goreng", "liter", "16000", "18000"),
    ("Gula pasir", "kg", "14000", "16500"),
    ("Paket sembako", "paket", "150000", "175000"),
)
GOVERNMENT_PROGRAMS = (
    ("APBD_KAB", "Bantuan sosial sembako KSB", "sembako"),
    ("APBD_PROV", "Bantuan NTB Gemilang", "uang_tunai"),
    ("APBN", "Program Keluarga Harapan (PKH)", "uang_tunai"),
)
DEMO_YEARS = (2022, 2023, 2024, 2025, 2026)


def _demo_prices(session) -> int:
    added = 0
    for nama, satuan, old, new in PRICES:
        for day, harga in ((dt.date(2020, 1, 1), old), (dt.date(2024, 1, 1), new)):
            if not session.query(HargaBarang).filter_by(nama_barang=nama, satuan=satuan, berlaku_mulai=day).first():
                session.add(HargaBarang(nama_barang=nama, satuan=satuan, harga=Decimal(harga), berlaku_mulai=day))
                added += 1
    session.commit()
    return added


def _demo_ledger(session) -> dict[str, int]:
    """Collections, distributions within stock, and government aid over five years."""
    added = {"pengumpulan": 0, "penyaluran": 0, "bantuan": 0}
    sources = {s.kode: s for s in session.query(SumberDana)}
    community = [sources[k] for k in ("PERORANGAN", "KELOMPOK", "LEMBAGA", "DUNIA_USAHA", "PSKS_LAIN")]
    for psks in session.query(Psks).filter(Psks.nama.in_(_demo_psks_names(session))).order_by(Psks.id):
        if session.query(Pengumpulan).filter(Pengumpulan.nomor_kwitansi.like(f"DEMO-{psks.id}-%")).first():
            continue
        rng = random.Random(f"ledger-{psks.nama}")
        donors = session.query(Donatur).filter_by(kecamatan_id=psks.kecamatan_id).all()
        ppks = session.query(Ppks).filter_by(kecamatan_id=psks.kecamatan_id).all()
        for year in DEMO_YEARS:
            for number in range(1, 7):
                day = dt.date(year, rng.randrange(1, 12 if year == 2026 else 13), rng.randrange(1, 28))
                goods = rng.random() < 0.4
                entry = Pengumpulan(
                    psks=psks,
                    tanggal_terima=day,
                    sumber_dana=rng.choice(community),
                    donatur=rng.choice(donors),
                    nomor_kwitansi=f"DEMO-{psks.id}-{year}-{number:02d}",
                    kecamatan=psks.kecamatan,
                    jenis="barang" if goods else "uang",
                )
                if goods:
                    nama, satuan, _old, _new = rng.choice(PRICES)
                    entry.nama_barang, entry.satuan = nama, satuan
                    entry.kuantitas = Decimal(rng.randrange(5, 60))
                else:
                    entry.jumlah_uang = Decimal(rng.randrange(5, 200) * 25000)
                prepare(entry)
                session.add(entry)
                added["pengumpulan"] += 1
            session.flush()
            for number in range(1, 4):
                money = balances(session, psks.id)["uang"]
                if money < 100000 or not ppks:
                    break
                amount = min(money, Decimal(rng.randrange(2, 20) * 25000))
                session.add(
                    Penyaluran(
                        psks=psks,
                        tanggal=dt.date(year, 12 if year < 2026 else 11, number * 5),
                        ppks=rng.choice(ppks),
                        kecamatan=psks.kecamatan,
                        jenis_bantuan=rng.choice(("uang_tunai", "kesehatan", "pendidikan")),
                        tujuan="Bantuan hasil careseeking",
                        jenis="uang",
                        jumlah_uang=amount,
                        nilai=amount,
                        petugas=psks.ketua,
                    )
                )
                added["penyaluran"] += 1
                session.flush()
    for kecamatan in session.query(Kecamatan).order_by(Kecamatan.kode):
        ppks = session.query(Ppks).filter_by(kecamatan_id=kecamatan.id).all()
        for year in DEMO_YEARS:
            for code, program, kind in GOVERNMENT_PROGRAMS:
                name = f"{program} {year}"
                if session.query(BantuanPemerintah).filter_by(nama_program=name, kecamatan_id=kecamatan.id).first():
                    continue
                rng = random.Random(f"{name}-{kecamatan.kode}")
                amount = Decimal(rng.randrange(20, 120) * 500000)
                session.add(
                    BantuanPemerintah(
                        sumber_dana=sources[code],
                        nama_program=name,
                        tanggal_cair=dt.date(year, rng.randrange(2, 11), rng.randrange(1, 28)),
                        kecamatan=kecamatan,
                        jenis_bantuan=kind,
                        jenis="uang",
                        jumlah_uang=amount,
                        nilai=amount,
                        nomor_referensi=f"SP2D/{year}/{kecamatan.kode}/{code}",
                        penerima=rng.sample(ppks, min(2, len(ppks))),
                    )
                )
                added["bantuan"] += 1
    session.commit()
    return added


def _demo_psks_names(session) -> list[str]:
    return [name.format(kec=k.nama) for k in session.query(Kecamatan) for name, _kode, _bentuk in PSKS_TEMPLATES]


def load_demo(appbuilder, password: str) -> str:
    """Fill demo registries and users; returns a one-line summary in Indonesian."""
    if not appbuilder.sm.find_role("Operator PSKS"):
        raise click.ClickException("Jalankan `flask --app run pundi init` terlebih dahulu.")
    added = _demo_registries(appbuilder.session)
    prices = _demo_prices(appbuilder.session)
    ledger = _demo_ledger(appbuilder.session)
    users = _demo_users(appbuilder.sm, password)
    return (
        f"Data contoh: +{added['psks']} PSKS, +{added['ppks']} PPKS, +{added['donatur']} donatur, "
        f"+{prices} harga acuan, +{ledger['pengumpulan']} pengumpulan, +{ledger['penyaluran']} penyaluran, "
        f"+{ledger['bantuan']} bantuan pemerintah, +{users} pengguna. "
        f"Pengguna contoh: {', '.join(u[0] for u in DEMO_USERS)} (kata sandi dari PUNDI_DEMO_PASSWORD)."
    )
