"""Roles and their permissions, declared as data and synced into FAB's tables.

A resource is a view's ``class_permission_name``; its actions are ``read``, ``add``,
``edit``, ``delete``. ``NikPpks``/``lihat`` is the right to see a NIK unmasked (kept on a
resource of its own, since FAB prunes a view's permissions to those its methods expose).
Menu entries follow: a role sees a menu entry when it may read the entry's resource.
"""

from __future__ import annotations

ADMIN_ROLE = "Admin"
OPERATOR_ROLE = "Operator PSKS"
PUBLIC_ROLE = "Publik"
KABUPATEN_ROLES = frozenset({"Admin", "Admin Dinas", "Kepala Dinas", "TRC"})
KECAMATAN_ROLES = frozenset({"Pemantau Kecamatan"})

READ = ("read",)
WRITE = ("read", "add", "edit")
FULL = ("read", "add", "edit", "delete")
NIK = ("lihat",)
LEDGER = ("Pengumpulan", "Penyaluran", "BantuanPemerintah", "HargaBarang")
REFERENCE = ("Kecamatan", "Desa", "JenisPpks", "JenisPsks", "SumberDana")

ROLE_PERMISSIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "Admin Dinas": {
        "Psks": FULL,
        "Ppks": FULL,
        "NikPpks": NIK,
        "Donatur": FULL,
        "DokumenPsks": FULL,
        "RiwayatPerubahan": READ,
        **{name: WRITE for name in REFERENCE},
        **{name: WRITE for name in LEDGER},
        "TutupBuku": ("read", "add"),
    },
    "Kepala Dinas": {
        "Psks": READ,
        "Ppks": READ,
        "Donatur": READ,
        "DokumenPsks": READ,
        "RiwayatPerubahan": READ,
        **{name: READ for name in REFERENCE},
        **{name: READ for name in LEDGER},
        "TutupBuku": READ,
    },
    "TRC": {
        "Psks": READ,
        "Ppks": WRITE,
        "NikPpks": NIK,
        "Donatur": READ,
        "DokumenPsks": READ,
        **{name: READ for name in REFERENCE},
        **{name: READ for name in LEDGER},
    },
    OPERATOR_ROLE: {
        "Psks": ("read", "edit"),
        "Ppks": ("read", "add"),
        "Donatur": WRITE,
        "DokumenPsks": ("read", "add"),
        **{name: READ for name in REFERENCE},
        **{name: READ for name in LEDGER},
        "Pengumpulan": WRITE,
        "Penyaluran": WRITE,
    },
    "Pemantau Kecamatan": {
        "Psks": READ,
        "Ppks": READ,
        "Donatur": READ,
        "DokumenPsks": READ,
        **{name: READ for name in REFERENCE},
        **{name: READ for name in LEDGER},
    },
    PUBLIC_ROLE: {},
}

# FAB's own screens every signed-in user needs: own profile, own password, language.
SELF_SERVICE: tuple[tuple[str, str], ...] = (
    ("can_userinfo", "UserDBModelView"),
    ("resetmypassword", "UserDBModelView"),
    ("can_this_form_get", "ResetMyPasswordView"),
    ("can_this_form_post", "ResetMyPasswordView"),
    ("can_this_form_get", "UserInfoEditView"),
    ("can_this_form_post", "UserInfoEditView"),
)

ALL_ROLES = (ADMIN_ROLE, *ROLE_PERMISSIONS)


def _wanted_permission_views(sm, role_name: str) -> set[tuple[str, str]]:
    """(permission, view) pairs a role should hold, menus included."""
    grants = ROLE_PERMISSIONS[role_name]
    wanted = {(f"can_{action}", resource) for resource, actions in grants.items() for action in actions}
    if role_name != PUBLIC_ROLE:
        wanted |= set(SELF_SERVICE)
    readable = {resource for resource, actions in grants.items() if "read" in actions}
    for category in sm.appbuilder.menu.get_list():
        children = [c for c in category.childs if c.baseview is not None and c.name != "-"]
        granted = [c for c in children if c.baseview.class_permission_name in readable]
        for child in granted:
            wanted.add(("menu_access", child.name))
        if granted:
            wanted.add(("menu_access", category.name))
    return wanted


def _drop_stale_permissions(appbuilder) -> None:
    """Remove permissions a screen no longer offers (FAB keeps them while a role holds them)."""
    sm, session = appbuilder.sm, appbuilder.session
    offered: dict[str, set[str]] = {}
    for view in appbuilder.baseviews:
        offered.setdefault(view.class_permission_name, set()).update(view.base_permissions or [])
    stale = [
        pv
        for pv in session.query(sm.permissionview_model)
        if pv.view_menu.name in offered and pv.permission.name not in offered[pv.view_menu.name]
    ]
    if not stale:
        return
    for role in session.query(sm.role_model):
        kept = [pv for pv in role.permissions if pv not in stale]
        if len(kept) != len(role.permissions):
            role.permissions = kept
    for pv in stale:
        session.delete(pv)
    session.commit()


def sync_roles(appbuilder) -> None:
    """Create every role and set its permissions exactly as declared (Admin gets all)."""
    sm = appbuilder.sm
    session = appbuilder.session
    for role_name in ALL_ROLES:
        sm.find_role(role_name) or sm.add_role(role_name)
    appbuilder.add_permissions(update_perms=True)
    sm.add_permission_view_menu("can_lihat", "NikPpks")
    _drop_stale_permissions(appbuilder)
    all_pvs = session.query(sm.permissionview_model).all()
    by_name = {(pv.permission.name, pv.view_menu.name): pv for pv in all_pvs}
    for role_name in ALL_ROLES:
        role = sm.find_role(role_name)
        if role_name == ADMIN_ROLE:
            wanted = list(all_pvs)
        else:
            names = _wanted_permission_views(sm, role_name)
            wanted = [by_name[name] for name in sorted(names) if name in by_name]
        if {pv.id for pv in role.permissions} != {pv.id for pv in wanted}:
            role.permissions = wanted
    session.commit()
