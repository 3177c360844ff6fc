from __future__ import annotations

from pathlib import Path

import pytest

from chatbot.config import DATA
from chatbot.domain.checklist import (
    ChecklistItem,
    SignedCard,
    catalogue_data,
    ceklis_columns,
    load_catalogue,
    parse_catalogue,
    parse_ceklis,
)
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


def test_default_checklist_is_the_eight_cards_kpu_offices_fill() -> None:
    catalogue = load_catalogue(DATA / "checklist.toml")
    units = {u.code: u for u in load_org(DATA / "org.toml")}
    catalogue.check_units(units.values())
    assert [c.name for c in catalogue.card_types] == [
        "Kepegawaian",
        "Keuangan Negara dan Hibah",
        "Pengadaan Barang/Jasa",
        "Persediaan dan Aset",
        "Kelengkapan Administrasi Pengelolaan Dana Hibah",
        "Matriks Progres Tindak Lanjut",
        "Pengadaan Logistik",
        "Evaluasi Kinerja",
    ]
    assert len(catalogue.items) == 46
    per_card = {
        c.code: [i for i in catalogue.items if i.card_type == c.code] for c in catalogue.card_types
    }
    assert {c: len(v) for c, v in per_card.items()} == {
        "PEG": 4,
        "KNH": 15,
        "PBJ": 3,
        "PSA": 6,
        "ADH": 13,
        "MTL": 1,
        "LOG": 1,
        "EVK": 3,
    }
    # the first item of every card is the filled card form itself, and only it
    for card in catalogue.card_types:
        first, *rest = per_card[card.code]
        assert first.form and first.name == f"Kartu Kendali {card.name}" and first.required
        assert not any(i.form for i in rest)
    by_type = lambda unit: {i.card_type for i in catalogue.items_for(units[unit])}  # noqa: E731
    for regency in (u for u in units.values() if u.kind is UnitKind.KABKOTA):
        assert len(catalogue.items_for(regency)) == 46  # every regency owes all eight
        assert catalogue.owes_signed_card(regency)  # one signed card per month, by default
    assert by_type("HSDM") == {"PEG"}
    assert by_type("KUL") == {"KNH", "PBJ", "PSA", "ADH", "MTL", "LOG"}
    assert by_type("RENDATIN") == {"EVK"}
    assert by_type("15") == set()
    assert not catalogue.owes_signed_card(units["KUL"])
    assert all(i.required for i in catalogue.items)  # "Nihil" answers a month without activity
    lra = catalogue.item("KNH-02")
    assert lra is not None and lra.named_in("LRA Oktober 2026.pdf")


def test_the_signed_card_setting_and_the_form_rules() -> None:
    def card(**extra: object) -> dict[str, object]:
        items = [{"code": "A-1", "name": "Kartu Kendali A", "owed_by": ["kabkota"], "form": True}]
        return {"card_type": [{"code": "A", "name": "A", "item": items}], **extra}

    regency = load_org(DATA / "org.toml")[1]
    assert parse_catalogue(card()).owes_signed_card(regency)
    per_card = parse_catalogue(card(kartu_bertanda_tangan="per_kartu"))
    assert per_card.signed_card is SignedCard.PER_KARTU and not per_card.owes_signed_card(regency)
    with pytest.raises(InvalidData, match="per_bulan"):
        parse_catalogue(card(kartu_bertanda_tangan="per_tahun"))
    two_forms = card()
    two_forms["card_type"][0]["item"].append(  # type: ignore[index]
        {"code": "A-2", "name": "Kartu lagi", "owed_by": ["kabkota"], "form": True}
    )
    with pytest.raises(InvalidData, match="sudah memiliki formulir"):
        parse_catalogue(two_forms)
    # a snapshot reads back as the same catalogue
    default = load_catalogue(DATA / "checklist.toml")
    assert parse_catalogue(catalogue_data(default)) == default


def _rows(*rows: tuple[object, ...]) -> list[dict[str, object]]:
    keys = ("card", "item", "owed", "required")
    return [{"row": n, **dict(zip(keys, r, strict=False))} for n, r in enumerate(rows, start=2)]


def test_a_form_ceklis_sheet_becomes_the_catalogue() -> None:
    units = load_org(DATA / "org.toml")
    assert ceklis_columns(["No", "Kartu Kendali", "Data Dukung", "Wajib Oleh", "Wajib?"]) == {
        "card": 1,
        "item": 2,
        "owed": 3,
        "required": 4,
    }
    assert ceklis_columns(["Laporan bulanan", None, None]) is None
    rows = _rows(
        ("Kepegawaian", "Kartu Kendali Kepegawaian", "Kabupaten/Kota, HSDM", "Ya"),
        (None, "Rekap absensi", None, None),  # merged card cell, who owes repeated
        (None, "", None, None),  # a blank line
        ("Rapat Pleno", "Notulen rapat pleno", "kabkota; KPU Provinsi Jambi", "Tidak"),
    )
    catalogue = parse_ceklis(rows, units)
    assert [(c.code, c.name) for c in catalogue.card_types] == [
        ("K", "Kepegawaian"),
        ("RP", "Rapat Pleno"),
    ]
    assert [(i.code, i.form, i.required, sorted(i.owed_by)) for i in catalogue.items] == [
        ("K-01", True, True, ["HSDM", "kabkota"]),
        ("K-02", False, True, ["HSDM", "kabkota"]),
        ("RP-01", False, False, ["15", "kabkota"]),
    ]
    # reloaded with a row inserted above: the items keep their codes, the new one takes the next
    again = parse_ceklis(
        _rows(
            ("Kepegawaian", "Daftar urut kepangkatan", "kabkota", "Ya"),
            ("Kepegawaian", "Kartu Kendali Kepegawaian", "kabkota, HSDM", "Ya"),
            ("Kepegawaian", "Rekap absensi", "kabkota, HSDM", "Ya"),
        ),
        units,
        known=catalogue,
    )
    assert [(i.code, i.name) for i in again.items] == [
        ("K-03", "Daftar urut kepangkatan"),
        ("K-01", "Kartu Kendali Kepegawaian"),
        ("K-02", "Rekap absensi"),
    ]
    with pytest.raises(InvalidData, match="baris 2: unit “Bagian Antah” tidak dikenal"):
        parse_ceklis(_rows(("Kepegawaian", "Rekap", "Bagian Antah", "Ya")), units)
    with pytest.raises(InvalidData, match="baris 2: kolom wajib"):
        parse_ceklis(_rows(("Kepegawaian", "Rekap", "kabkota", "mungkin")), units)
    with pytest.raises(InvalidData, match="baris 2: nama kartu kendali belum diisi"):
        parse_ceklis(_rows((None, "Rekap", "kabkota", "Ya")), units)


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
