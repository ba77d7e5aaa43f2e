"""auditkit.paths.safe_name / name_of: untrusted names (districts) as folder names, safely."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from auditkit.paths import (
    MAX_NAME_BYTES,
    RESERVED_NAMES,
    dataset_output_name,
    dataset_run_name,
    name_of,
    safe_name,
)

HOSTILE = ["../../x", "/tmp/x", "..", ".", "index.html", ".specs", "a/b", "a\nb", "x" * 300, ""]


def _is_one_plain_folder_name(folder: str) -> bool:
    """A name that stays one entry of its folder: no separator, no dot start, no control char."""
    return (
        bool(folder)
        and "/" not in folder
        and "\\" not in folder
        and not folder.startswith(".")
        and folder.isprintable()
        and len(folder.encode("utf-8")) <= MAX_NAME_BYTES
    )


@given(st.text(max_size=60))
def test_every_name_becomes_one_plain_folder_name_that_reads_back(name: str) -> None:
    folder = safe_name(name)
    assert _is_one_plain_folder_name(folder), (name, folder)
    if "~" not in folder:  # not cut: the folder name alone gives the name back
        assert name_of(folder) == name


@given(st.text(max_size=60), st.text(max_size=60))
def test_two_names_never_share_a_folder(first: str, second: str) -> None:
    if first != second:
        assert safe_name(first) != safe_name(second)


@given(st.text(min_size=100, max_size=400))
def test_long_names_are_cut_with_a_hash_and_stay_distinct(name: str) -> None:
    folder = safe_name(name)
    assert len(folder.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe_name(name + "!") != folder and safe_name(name[:-1]) != folder
    if "~" in folder:
        assert name_of(folder) is None  # the manifest keeps the real name of cut ones


def test_chinese_stays_readable_and_ascii_words_unchanged() -> None:
    assert safe_name("城东") == "城东"
    assert safe_name("west_2-b") == "west_2-b"
    assert safe_name("城东 供电所") == "城东%20供电所"


def test_hostile_names_stay_inside_their_parent(tmp_path: Path) -> None:
    folders = [safe_name(name) for name in HOSTILE]
    assert len(set(folders)) == len(HOSTILE)
    for folder in folders:
        assert _is_one_plain_folder_name(folder), folder
        assert (tmp_path / folder).resolve().parent == tmp_path.resolve()
    assert safe_name("x" * 300).startswith("x" * 50) and "~" in safe_name("x" * 300)


def test_names_the_run_uses_itself_are_escaped() -> None:
    for reserved in RESERVED_NAMES:
        for spelling in (reserved, reserved.upper()):
            folder = safe_name(spelling)
            assert folder.lower() not in RESERVED_NAMES
            assert name_of(folder) == spelling


def test_a_cut_name_keeps_only_whole_escapes_before_its_hash() -> None:
    """Cutting bytes mid-way through `%F0%9F%98%80` would leave half a character's escape."""
    folder = safe_name("😀" * 40)
    kept, _, digest = folder.partition("~")
    assert len(digest) == 16 and len(folder.encode("utf-8")) <= 120
    assert len(kept) % len("%F0%9F%98%80") == 0 and name_of(kept) == "😀" * (len(kept) // 12)


def test_a_commands_results_folder_names_the_dataset_and_escapes_the_district(
    tmp_path: Path,
) -> None:
    data = tmp_path / "utility"
    assert dataset_run_name(data, None) == "utility"
    assert dataset_run_name(data, "城东") == "utility-城东"
    hostile = dataset_run_name(data, "../../etc")
    assert "/" not in hostile and (tmp_path / hostile).parent == tmp_path


def test_two_datasets_whose_folders_share_a_name_have_different_output_folders(
    tmp_path: Path,
) -> None:
    city_a, city_b = tmp_path / "cityA" / "data", tmp_path / "cityB" / "data"
    assert dataset_output_name(city_a, None) != dataset_output_name(city_b, None)
    assert re.fullmatch(r"data-[0-9a-f]{8}", dataset_output_name(city_a, None))
    assert re.fullmatch(r"data-城东-[0-9a-f]{8}", dataset_output_name(city_a, "城东"))
    # Near miss: the same folder however it is named (relative, with `..`) has one folder.
    assert dataset_output_name(city_a / ".." / "data", None) == dataset_output_name(city_a, None)
