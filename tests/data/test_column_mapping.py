"""columns.yaml maps a utility's own (Chinese) column names onto the canonical ones."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sample_dataset import load_errors, write_dataset

from auditkit.data import load

CUSTOMER_NAMES = {
    "customer_id": "户号",
    "district": "供电单位",
    "usage_type": "用电类别",
    "tariff_category": "电价类别",
    "ct_ratio": "CT变比",
    "pt_ratio": "PT变比",
}
BILL_NAMES = {
    "customer_id": "户号",
    "period": "抄表年月",
    "multiplier_billed": "倍率",
    "kwh_billed": "结算电量",
}


def yaml_text(mapping: dict[str, dict[str, str]]) -> str:
    lines = []
    for table, columns in mapping.items():
        lines.append(f"{table}:")
        lines.extend(f"  {source}: {target}" for source, target in columns.items())
    return "\n".join(lines) + "\n"


@pytest.fixture
def chinese_dir(tmp_path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """The valid dataset exported as GBK CSV with Chinese headers for customers and bills."""
    folder = tmp_path / "chinese"
    folder.mkdir()
    renames = {"customers": CUSTOMER_NAMES, "bills": BILL_NAMES}
    for name, frame in tables.items():
        frame.rename(columns=renames.get(name, {})).to_csv(
            folder / f"{name}.csv", index=False, encoding="gbk"
        )
    return folder


def write_mapping(
    folder: Path, mapping: dict[str, dict[str, str]], encoding: str = "utf-8"
) -> None:
    (folder / "columns.yaml").write_text(yaml_text(mapping), encoding=encoding)


def inverse(names: dict[str, str]) -> dict[str, str]:
    return {source: target for target, source in names.items()}


@pytest.mark.parametrize("yaml_encoding", ["utf-8", "gbk"])
def test_chinese_headers_in_gbk_csv_are_mapped(
    chinese_dir: Path, dataset_dir: Path, yaml_encoding: str
) -> None:
    write_mapping(
        chinese_dir,
        {"customers": inverse(CUSTOMER_NAMES), "bills": inverse(BILL_NAMES)},
        yaml_encoding,
    )

    mapped, canonical = load(chinese_dir), load(dataset_dir)

    for name, frame in canonical.tables().items():
        pd.testing.assert_frame_equal(mapped.tables()[name], frame, check_exact=True)
    assert mapped.hashes == canonical.hashes
    assert mapped.sources["bills"].encoding == "GBK/GB18030"


@pytest.mark.parametrize("file_name", ["Columns.yaml", "columns.yml", "COLUMNS.YML"])
def test_a_mapping_file_named_in_another_case_or_yml_is_read(
    chinese_dir: Path, dataset_dir: Path, file_name: str
) -> None:
    """Columns.yaml (as Windows saves a new file) and columns.yml were ignored without a word:
    the mapped columns then read as absent, or an optional one (power_factor) silently so."""
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES), "bills": inverse(BILL_NAMES)})
    (chinese_dir / "columns.yaml").rename(chinese_dir / file_name)

    assert load(chinese_dir).hashes == load(dataset_dir).hashes


def test_a_mistake_in_a_mapping_file_names_it_as_found(chinese_dir: Path) -> None:
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES), "bills": {"户号": "客户"}})
    (chinese_dir / "columns.yaml").rename(chinese_dir / "Columns.yml")

    assert load_errors(chinese_dir)[0].startswith("Columns.yml [bills], column 户号: expected ")


def test_two_mapping_files_are_refused_naming_both(chinese_dir: Path) -> None:
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES), "bills": inverse(BILL_NAMES)})
    (chinese_dir / "Columns.yml").write_text("bills: {}\n", encoding="utf-8")

    assert load_errors(chinese_dir)[0] == (
        "columns.yaml: expected one column mapping file (columns.yaml or columns.yml, in any "
        "case), found Columns.yml and columns.yaml (delete all but one)"
    )


def test_a_yaml_file_of_another_name_is_no_mapping(chinese_dir: Path) -> None:
    """Near miss: columns_old.yaml is a user's note, not read."""
    (chinese_dir / "columns_old.yaml").write_text(
        yaml_text({"customers": inverse(CUSTOMER_NAMES)}), encoding="utf-8"
    )
    assert "columns.yaml can map" in load_errors(chinese_dir)[0]


def test_unmapped_chinese_header_is_a_missing_column(chinese_dir: Path) -> None:
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES)})

    problems = load_errors(chinese_dir)

    assert problems[0].startswith(
        "bills.csv, column customer_id: expected a required column customer_id (columns.yaml "
        "can map the file's own name), found no such column in the header: '户号', '抄表年月'"
    )
    assert len(problems) == 4  # customer_id, period, multiplier_billed, kwh_billed


def test_source_column_not_in_the_file(chinese_dir: Path) -> None:
    write_mapping(
        chinese_dir,
        {"customers": inverse(CUSTOMER_NAMES) | {"户主": "name"}, "bills": inverse(BILL_NAMES)},
    )
    assert load_errors(chinese_dir) == [
        "columns.yaml [customers], column 户主: expected a column '户主' in the customers file, "
        "found no such column"
    ]


def test_target_that_is_not_a_canonical_column(chinese_dir: Path) -> None:
    bills = inverse(BILL_NAMES) | {"倍率": "multiplier"}
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES), "bills": bills})

    problems = load_errors(chinese_dir)

    assert problems[0].startswith(
        "columns.yaml [bills], column 倍率: expected a canonical column of bills (customer_id, "
        "period, register_start"
    )
    assert problems[0].endswith("found 'multiplier'")
    assert problems[1].startswith("bills.csv, column multiplier_billed: expected a required column")


def test_unknown_table(chinese_dir: Path) -> None:
    write_mapping(
        chinese_dir,
        {
            "customers": inverse(CUSTOMER_NAMES),
            "bills": inverse(BILL_NAMES),
            "meters": {"表号": "meter_id"},
        },
    )
    assert load_errors(chinese_dir) == [
        "columns.yaml [meters]: expected a table name (customers, bills, tariffs, work_orders, "
        "inspections, district_supply, network_supply, daily_reads, interval_reads, bill_lines, "
        "transformers, meter_events, meter_tests, adjustments, truth, lookalikes), found unknown "
        "table 'meters'"
    ]


def test_two_sources_for_one_target(chinese_dir: Path) -> None:
    customers = inverse(CUSTOMER_NAMES) | {"地址": "customer_id"}
    write_mapping(chinese_dir, {"customers": customers, "bills": inverse(BILL_NAMES)})
    assert load_errors(chinese_dir)[0] == (
        "columns.yaml [customers], column 地址: expected one file column per canonical column "
        "(customer_id is mapped from '户号'), found a second source for customer_id"
    )


def test_mapped_source_clashing_with_a_canonical_column(dataset_dir: Path) -> None:
    write_mapping(dataset_dir, {"customers": {"name": "address"}})
    assert load_errors(dataset_dir) == [
        "columns.yaml [customers], column name: expected address to come from one column only, "
        "found the file also has a column named 'address'"
    ]


def renamed_customer_id(
    tables: dict[str, pd.DataFrame], folder: Path, header: str, key: str
) -> Path:
    """The sample dataset with customers' customer_id column headed `header`, and a columns.yaml
    mapping `key` (written plain or quoted, as given) onto customer_id."""
    customers = tables["customers"].rename(columns={"customer_id": header})
    write_dataset(tables | {"customers": customers}, folder)
    (folder / "columns.yaml").write_text(f"customers:\n  {key}: customer_id\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    "key, header",
    [
        ("010", "010"),
        ("0123", "0123"),
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("1e3", "1e3"),
        ("1_000", "1_000"),
        ("12:30", "12:30"),
        ('"0123"', "0123"),  # quoted or plain: the same name
        ("123", "123"),
    ],
)
def test_a_column_name_is_the_text_written_when_yaml_would_read_it_as_a_number_or_bool(
    tables: dict[str, pd.DataFrame], dataset_dir: Path, tmp_path: Path, key: str, header: str
) -> None:
    mapped = load(renamed_customer_id(tables, tmp_path / "named", header, key))

    assert mapped.customers["customer_id"].tolist() == ["C001", "C002", "C003"]
    assert mapped.hashes == load(dataset_dir).hashes


def test_a_column_named_as_yaml_would_read_the_name_written_is_not_mapped(
    tables: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    folder = renamed_customer_id(tables, tmp_path / "octal", "83", "0123")

    assert load_errors(folder)[0] == (
        "columns.yaml [customers], column 0123: expected a column '0123' in the customers file, "
        "found no such column"
    )


def test_keys_yaml_1_1_reads_alike_are_two_columns_not_a_duplicate_key(dataset_dir: Path) -> None:
    (dataset_dir / "columns.yaml").write_text(
        "customers:\n  yes: customer_id\n  on: district\n", encoding="utf-8"
    )

    assert load_errors(dataset_dir)[:2] == [
        "columns.yaml [customers], column yes: expected a column 'yes' in the customers file, "
        "found no such column",
        "columns.yaml [customers], column on: expected a column 'on' in the customers file, "
        "found no such column",
    ]


def test_a_python_tag_as_a_column_name_is_still_refused(dataset_dir: Path) -> None:
    (dataset_dir / "columns.yaml").write_text(
        "customers:\n  !!python/name:os.system : customer_id\n", encoding="utf-8"
    )

    [problem] = load_errors(dataset_dir)

    assert problem.startswith("columns.yaml row 2: expected valid YAML, found a syntax error")
    assert "python/name:os.system" in problem


def test_yaml_syntax_error_names_the_line(dataset_dir: Path) -> None:
    (dataset_dir / "columns.yaml").write_text("customers:\n  户号: customer_id\n  : [\n")
    [problem] = load_errors(dataset_dir)
    assert problem.startswith("columns.yaml row 3: expected valid YAML, found a syntax error")


def test_yaml_that_is_not_a_mapping(dataset_dir: Path) -> None:
    (dataset_dir / "columns.yaml").write_text("- customers\n- bills\n")
    assert load_errors(dataset_dir) == [
        "columns.yaml: expected a mapping of table names to column mappings, "
        "found list ['customers', 'bills']"
    ]


def test_an_xlsx_title_row_with_a_mapping_is_one_error_not_every_mapped_column(
    chinese_dir: Path, tables: dict[str, pd.DataFrame]
) -> None:
    """The header is below the title: the mapped names are not missing, they are further down."""
    write_mapping(chinese_dir, {"customers": inverse(CUSTOMER_NAMES), "bills": inverse(BILL_NAMES)})
    (chinese_dir / "bills.csv").unlink()
    bills = tables["bills"].rename(columns=BILL_NAMES)
    path = chinese_dir / "bills.xlsx"
    with pd.ExcelWriter(path) as writer:
        bills.to_excel(writer, index=False, startrow=1)
        writer.sheets["Sheet1"]["A1"] = "国网XX供电公司 电费明细 2024年"

    assert load_errors(chinese_dir) == [
        "bills.xlsx row 1: expected a header row naming the columns, found a title "
        "'国网XX供电公司 电费明细 2024年' in one cell (delete the rows above the header, or give "
        "its row as columns.yaml's header_row)"
    ]


def test_a_mapping_linked_to_a_file_not_named_as_yaml_is_refused_unread(
    dataset_dir: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (dataset_dir / "columns.yaml").symlink_to(secret)

    # before: "found str 'root:x:0:0:root:/root:/bin/bash'", the whole file quoted
    assert load_errors(dataset_dir) == [
        "columns.yaml: expected a readable regular file, found a link to 'passwd', whose name "
        "does not end in .yaml or .yml (not read: a link is followed only to a file named as YAML)"
    ]


def test_a_mapping_given_as_a_broken_link_or_a_directory_is_an_error_not_no_mapping(
    chinese_dir: Path,
) -> None:
    """Read as absent, the mapping would be lost without a word: every Chinese header would
    then read as a missing column."""
    (chinese_dir / "columns.yaml").symlink_to("/nonexistent/columns.yaml")
    assert load_errors(chinese_dir)[0] == (
        "columns.yaml: expected a readable regular file, found a broken link (to "
        "'/nonexistent/columns.yaml', which does not exist)"
    )
    (chinese_dir / "columns.yaml").unlink()
    (chinese_dir / "columns.yaml").mkdir()
    assert load_errors(chinese_dir)[0] == (
        "columns.yaml: expected a readable regular file, found a directory"
    )


def test_a_mapping_linked_to_a_yaml_file_elsewhere_is_read(
    chinese_dir: Path, dataset_dir: Path, tmp_path: Path
) -> None:
    shared = tmp_path / "mappings" / "营销2.0.yml"
    shared.parent.mkdir()
    shared.write_text(
        yaml_text({"customers": inverse(CUSTOMER_NAMES), "bills": inverse(BILL_NAMES)}),
        encoding="utf-8",
    )
    (chinese_dir / "columns.yaml").symlink_to(shared)

    assert load(chinese_dir).hashes == load(dataset_dir).hashes


def test_a_mapping_over_a_megabyte_is_refused_before_it_is_parsed(dataset_dir: Path) -> None:
    padding = "# " + "x" * 997 + "\n"  # 1,000 bytes of comment: the mapping itself is valid
    text = "customers:\n  户号: customer_id\n" + padding * 1_000  # 33 bytes + 1,000,000
    (dataset_dir / "columns.yaml").write_text(text, encoding="utf-8")
    assert load_errors(dataset_dir) == [
        "columns.yaml: expected a column mapping of at most 1,000,000 bytes, found 1,000,033 bytes"
    ]
    (dataset_dir / "columns.yaml").write_text(text[:-1_000], encoding="utf-8")  # 999,033 bytes
    assert "1,000,000 bytes" not in " ".join(load_errors(dataset_dir))


def test_a_yaml_text_that_is_not_a_mapping_is_shown_cut(dataset_dir: Path) -> None:
    (dataset_dir / "columns.yaml").write_text("x" * 5_000 + "\n", encoding="utf-8")
    assert load_errors(dataset_dir) == [
        "columns.yaml: expected a mapping of table names to column mappings, "
        f"found str {'x' * 80!r}… (5,000 characters)"
    ]
