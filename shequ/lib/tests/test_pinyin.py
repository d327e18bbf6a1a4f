import pytest

from shequ.lib.pinyin import name_keys


def test_common_name() -> None:
    assert name_keys("张伟") == ("zhangwei", "zw")


def test_compound_surname() -> None:
    assert name_keys("欧阳娜娜") == ("ouyangnana", "oynn")


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("阿依古丽·买买提", ("ayigulimaimaiti", "ayglmmt")),
        ("艾力·阿不都", ("ailiabudou", "alabd")),
    ],
)
def test_middle_dot_names(name: str, keys: tuple[str, str]) -> None:
    assert name_keys(name) == keys


@pytest.mark.parametrize("name", ["𠮷永", "李𠮷", "王·𠮷", "𠮷" * 300])
def test_characters_without_a_reading_are_kept(name: str) -> None:
    full, initials = name_keys(name)

    assert "𠮷" in full
    assert "·" not in full
    assert len(full) <= 200 and len(initials) <= 64


def test_rare_character_with_a_reading() -> None:
    assert name_keys("𪚥") == ("zhe", "z")


def test_rare_character_keeps_its_neighbours_searchable() -> None:
    assert name_keys("李𠮷") == ("li𠮷", "l𠮷")


def test_empty_name() -> None:
    assert name_keys("") == ("", "")
