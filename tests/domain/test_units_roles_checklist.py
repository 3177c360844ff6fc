from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.config import DATA
from chatbot.domain.checklist import ChecklistItem, load_catalogue, parse_catalogue
from chatbot.domain.errors import InvalidData, UnknownRole
from chatbot.domain.roles import (
    PERMISSIONS,
    UNIT_KIND_OF_ROLE,
    Permission,
    Role,
    can,
)
from chatbot.domain.units import UnitKind, load_org, parse_org, province_of

KABKOTA = {
    "1501": "Kerinci",
    "1502": "Merangin",
    "1503": "Sarolangun",
    "1504": "Batang Hari",
    "1505": "Muaro Jambi",
    "1506": "Tanjung Jabung Timur",
    "1507": "Tanjung Jabung Barat",
    "1508": "Tebo",
    "1509": "Bungo",
    "1571": "Kota Jambi",
    "1572": "Kota Sungai Penuh",
}


def test_default_org_has_the_15_units_of_jambi() -> None:
    units = load_org(DATA / "org.toml")
    assert len(units) == 15
    kab = {u.code: u.name for u in units if u.kind is UnitKind.KABKOTA}
    assert set(kab) == set(KABKOTA)
    for code, name in KABKOTA.items():
        assert kab[code].endswith(name)
    assert {u.code for u in units if u.kind is UnitKind.BAGIAN} == {"HSDM", "KUL", "RENDATIN"}
    assert province_of(units).code == "15"


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "minimal satu"),
        ({"unit": [{"code": "1", "name": "A", "kind": "kota"}]}, "unit ke-1"),
        ({"unit": [{"code": "15", "name": "P", "kind": "provinsi"}] * 2}, "ganda"),
        ({"unit": [{"code": "1501", "name": "K", "kind": "kabkota"}]}, "tepat satu unit provinsi"),
    ],
)
def test_bad_org_data_is_refused(data: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidData, match=message):
        parse_org(data)


def test_every_role_has_permissions_and_a_unit_kind() -> None:
    assert set(PERMISSIONS) == set(Role) == set(UNIT_KIND_OF_ROLE)
    assert can({Role.SATGAS_PROV}, Permission.REVIEW_ITEMS)
    assert not can({Role.SATGAS_KABKOTA}, Permission.REVIEW_ITEMS)
    assert can({Role.SUBBAG_HUKUM}, Permission.PARAF) and can({Role.KABAG_HSDM}, Permission.PARAF)
    assert all(can({r}, Permission.SIGN) for r in (Role.SEKRETARIS, Role.DIVISI_HUKUM, Role.KETUA))
    assert not can({Role.KETUA}, Permission.PARAF)
    assert can({Role.ADMIN}, Permission.INVITE)
    assert not any(can({r}, Permission.INVITE) for r in Role if r is not Role.ADMIN)


def test_role_parse_accepts_case_and_space_and_refuses_unknown() -> None:
    assert Role.parse(" Satgas_KabKota ") is Role.SATGAS_KABKOTA
    with pytest.raises(UnknownRole):
        Role.parse("raja")


def test_default_checklist_says_who_owes_what() -> None:
    catalogue = load_catalogue(DATA / "checklist.toml")
    units = {u.code: u for u in load_org(DATA / "org.toml")}
    catalogue.check_units(units.values())
    assert [c.name for c in catalogue.card_types][:4] == [
        "Kepegawaian",
        "Keuangan Negara dan Hibah",
        "Pengadaan, Persediaan dan Aset",
        "Administrasi Dana Hibah",
    ]
    by_type = lambda unit: {i.card_type for i in catalogue.items_for(units[unit])}  # noqa: E731
    assert len(catalogue.items_for(units["1501"])) == len(catalogue.items)
    assert by_type("HSDM") == {"KPG"}
    assert by_type("KUL") == {"KEU", "PPA", "HBH"}
    assert by_type("RENDATIN") == {"KIN"}
    assert by_type("15") == {"RPL"}
    optional = [i.code for i in catalogue.items if not i.required]
    assert optional == ["HBH-03"]


def test_checklist_with_unknown_unit_or_duplicate_is_refused(tmp_path: Path) -> None:
    data = {
        "card_type": [
            {
                "code": "A",
                "name": "Jenis A",
                "item": [{"code": "A-1", "name": "Butir", "owed_by": ["NOWHERE"]}],
            }
        ]
    }
    catalogue = parse_catalogue(data)
    with pytest.raises(InvalidData, match="NOWHERE"):
        catalogue.check_units(load_org(DATA / "org.toml"))
    data["card_type"][0]["item"].append({"code": "A-1", "name": "Lagi", "owed_by": ["kabkota"]})
    with pytest.raises(InvalidData, match="ganda"):
        parse_catalogue(data)
    bad = tmp_path / "c.toml"
    bad.write_text("[[card_type]\n")
    with pytest.raises(InvalidData):
        load_catalogue(bad)


def test_a_file_name_points_at_its_item() -> None:
    lra = ChecklistItem("KEU-01", "Laporan realisasi anggaran (LRA)", "KEU", frozenset({"kabkota"}))
    assert lra.named_in("LRA Oktober 2026.pdf") and lra.named_in("keu01_ttd.pdf")
    assert lra.named_in("KEU-01 scan.jpg")
    assert not lra.named_in("SPJ Oktober.pdf") and not lra.named_in("palrak.pdf")
