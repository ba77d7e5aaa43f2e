"""Carried personal columns on the field sheet: masked by default on the visible sheet and in the
hidden copy of the selection (the house rule: no output file holds an unmasked name, address or
phone), marked with --personal, written as they are with --no-mask or, one column at a time,
with --keep; a header naming a device's address or a check (表计通信地址, IP地址, 台区地址码,
抄表段电话核对) is no person's data. The returned sheet is evaluated as before. Expected values
are what `auditkit.masking` makes of the frame's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from sampling_builders import fill_values

from auditkit.cli import main
from auditkit.errors import ParameterError
from auditkit.masking import PERSONAL_COLUMNS, mask_personal, mask_value
from auditkit.sampling import read_field_sheet, select, write_field_sheet
from auditkit.sampling.fieldsheet import (
    FIELD_SHEET,
    INSTRUCTIONS,
    META_SHEET,
    ROWS_SHEET,
    header_columns,
    tab,
)
from auditkit.sampling.personal import masked_values, personal_kind

SELECT = ["sample", "select", "--units", "values", "--n", "5", "--seed", "1"]


def reviewer_frame(folder: Path) -> Path:
    """The reviewer's population: the contract's name, address and phone (digits a CSV reader
    takes for numbers) beside each bill's amount."""
    frame = folder / "frame.csv"
    pd.DataFrame(
        {
            "customer_id": [f"C{i:03d}" for i in range(30)],
            "name": [f"张三{i}" for i in range(30)],
            "address": [f"城东区人民路{i}号3单元" for i in range(30)],
            "phone": [13812345600 + i for i in range(30)],
            "amount": [100.0 + 7 * i for i in range(30)],
        }
    ).to_csv(frame, index=False)
    return frame


def export_frame(folder: Path) -> Path:
    """A utility's own export, headers as billing systems write them, a meter number beside
    the personal columns and two columns whose headers do not tell they are personal."""
    frame = folder / "export.csv"
    pd.DataFrame(
        {
            "户号": [f"{i:04d}" for i in range(1, 31)],
            "用户名称": [f"李四{i}" for i in range(30)],
            "用电地址": [f"城西区和平路{i}号" for i in range(30)],
            "联系电话": [f"0571-8800{i:04d}" for i in range(30)],
            "手机号": [f"1390000{i:04d}" for i in range(30)],
            "表号": [f"M{i:05d}" for i in range(30)],
            "收件人": [f"王五{i}" for i in range(30)],
            "通讯处": [f"河西区滨江大道{i}号" for i in range(30)],
            "电费": [200.0 + 11 * i for i in range(30)],
        }
    ).to_csv(frame, index=False)
    return frame


def sheet_rows(path: Path, sheet: str) -> list[dict[str, object]]:
    """The rows of a sheet of the written workbook, by canonical column."""
    workbook = load_workbook(path)
    rows = workbook.worksheets[0] if sheet == FIELD_SHEET else workbook[sheet]
    header_row, columns = header_columns(rows) if sheet == FIELD_SHEET else (1, None)
    if columns is None:
        columns = {cell.value: cell.column for cell in rows[1]}
    return [
        {column: values[index - 1] for column, index in columns.items()}
        for values in rows.iter_rows(min_row=header_row + 1, values_only=True)
    ]


def every_cell(path: Path) -> str:
    """Every cell of every sheet of the workbook, as one text (the hidden ones too)."""
    workbook = load_workbook(path)
    return "\n".join(
        str(value)
        for sheet in workbook.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    )


def meter_frame(folder: Path) -> Path:
    """The second reviewer's population: a name beside a meter's bus address, a transformer
    area's code, an IP address and a check's outcome, whose headers hold 地址 or 电话; and a
    customer's mailing address under a bare 通信地址. The meter's addresses hold a letter, so that
    the frame reader keeps them as text."""
    frame = folder / "frame.csv"
    pd.DataFrame(
        {
            "户号": [f"{i:04d}" for i in range(1, 31)],
            "户名": [f"赵六{i}" for i in range(30)],
            "表计通信地址": [f"A0000010{i:04d}" for i in range(30)],
            "台区地址码": [f"TQ-{i:03d}" for i in range(30)],
            "IP地址": [f"10.0.0.{i}" for i in range(30)],
            "抄表段电话核对": ["是" if i % 3 else "否" for i in range(30)],
            "通信地址": [f"城北区解放路{i}号" for i in range(30)],
            "应收电费": [300.0 + 13 * i for i in range(30)],
        }
    ).to_csv(frame, index=False)
    return frame


def population(frame: Path, key: str) -> pd.DataFrame:
    return pd.read_csv(frame, dtype=str).set_index(key)


def test_the_reviewer_s_name_address_and_phone_are_masked_on_both_sheets_by_default(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's command wrote them unmasked into field_sheet and auditkit_rows."""
    frame, sheet = reviewer_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = ["--carry", "name", "--carry", "address", "--carry", "phone"]
    arguments = [*SELECT, "--frame", str(frame), "--values", "amount", *carried]
    assert main([*arguments, "--output", str(sheet)]) == 0
    assert (
        "核查表上已脱敏：name（按姓名）、address（按地址）、phone（按电话）；"
        "--keep 列名 或 --no-mask 可原样写出" in capsys.readouterr().out
    )
    people = population(frame, "customer_id")
    for name in (FIELD_SHEET, ROWS_SHEET):
        rows = sheet_rows(sheet, name)
        assert len(rows) == 5
        for row in rows:
            for column in PERSONAL_COLUMNS:
                raw = people.at[row["customer_id"], column]
                assert row[column] == mask_value(column, raw) != raw
    written = every_cell(sheet)
    for column in PERSONAL_COLUMNS:
        assert not any(value in written for value in people[column])
    meta = load_workbook(sheet)[META_SHEET]["A1"].value
    assert '"masked": {"name": "name", "address": "address", "phone": "phone"}, "kept": []' in meta
    # The instructions say which columns are masked: 张** is no typing slip to correct.
    instructions = [
        row[0] for row in load_workbook(sheet)[tab(INSTRUCTIONS, "zh")].iter_rows(values_only=True)
    ]
    assert instructions[-1].startswith("已脱敏的列：name、address、phone（个人信息只显示一部分")


def test_an_export_s_chinese_personal_headers_are_masked_and_its_other_columns_kept(
    tmp_path: Path,
) -> None:
    frame, sheet = export_frame(tmp_path), tmp_path / "fs.xlsx"
    kinds = {"用户名称": "name", "用电地址": "address", "联系电话": "phone", "手机号": "phone"}
    carried = [part for column in [*kinds, "表号"] for part in ("--carry", column)]
    arguments = [*SELECT, "--frame", str(frame), "--values", "电费", "--id", "户号", *carried]
    assert main([*arguments, "--output", str(sheet)]) == 0
    people = population(frame, "户号")
    for name in (FIELD_SHEET, ROWS_SHEET):
        for row in sheet_rows(sheet, name):
            account = row["户号"]
            assert account in people.index  # the id as the frame holds it
            assert row["表号"] == people.at[account, "表号"]  # no personal data: as it is
            for column, kind in kinds.items():
                assert row[column] == mask_value(kind, people.at[account, column])


def test_no_mask_writes_every_carried_column_as_the_frame_holds_it(tmp_path: Path) -> None:
    frame, sheet = reviewer_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = ["--carry", "name", "--carry", "address", "--carry", "phone", "--no-mask"]
    arguments = [*SELECT, "--frame", str(frame), "--values", "amount", *carried]
    assert main([*arguments, "--output", str(sheet)]) == 0
    people = population(frame, "customer_id")
    for name in (FIELD_SHEET, ROWS_SHEET):
        for row in sheet_rows(sheet, name):
            for column in PERSONAL_COLUMNS:
                assert str(row[column]) == people.at[row["customer_id"], column]
    assert '"masked": {}' in load_workbook(sheet)[META_SHEET]["A1"].value
    instructions = load_workbook(sheet)[tab(INSTRUCTIONS, "zh")].iter_rows(values_only=True)
    assert not any(str(row[0]).startswith("已脱敏的列") for row in instructions)


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        (
            "zh",
            "因 --no-mask 未脱敏写出的个人信息列：用户名称（姓名）、用电地址（地址）、联系电话（电话）",
        ),
        (
            "en",
            "personal columns written unmasked on the sheet (--no-mask): 用户名称 (name), "
            "用电地址 (address), 联系电话 (phone)",
        ),
    ],
)
def test_no_mask_names_the_personal_columns_it_wrote_unmasked_in_the_sheet_s_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, said: str
) -> None:
    """The reviewer's --no-mask wrote names and addresses whole without a word; 表号 (a meter)
    is no person's data and is not named (near miss), nor is anything without --no-mask."""
    frame, sheet = export_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = [
        part
        for column in ("用户名称", "用电地址", "联系电话", "表号")
        for part in ("--carry", column)
    ]
    arguments = [*SELECT, "--frame", str(frame), "--values", "电费", "--id", "户号", *carried]
    assert main([*arguments, "--no-mask", "--output", str(sheet), "--lang", lang]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith(said) for line in lines)
    assert not any("表号" in line for line in lines)
    assert main([*arguments, "--output", str(tmp_path / "masked.xlsx"), "--lang", lang]) == 0
    assert "--no-mask)" not in capsys.readouterr().out.replace("（", "(").replace("）", ")")


def test_personal_masks_a_carried_column_its_header_does_not_tell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """收件人 as a name (no kind given), 通讯处 as an address; 表号 stays as it is."""
    frame, sheet = export_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = ["--carry", "收件人", "--carry", "通讯处", "--carry", "表号"]
    marked = ["--personal", "收件人", "--personal", "address=通讯处"]
    arguments = [*SELECT, "--frame", str(frame), "--values", "电费", "--id", "户号"]
    assert main([*arguments, *carried, *marked, "--output", str(sheet)]) == 0
    assert "核查表上已脱敏：收件人（按姓名）、通讯处（按地址）；" in capsys.readouterr().out
    people = population(frame, "户号")
    for name in (FIELD_SHEET, ROWS_SHEET):
        for row in sheet_rows(sheet, name):
            account = row["户号"]
            assert row["收件人"] == mask_value("name", people.at[account, "收件人"])
            assert row["通讯处"] == mask_value("address", people.at[account, "通讯处"])
            assert row["表号"] == people.at[account, "表号"]


def test_bad_personal_flags_are_refused_naming_the_flag_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, sheet = export_frame(tmp_path), tmp_path / "fs.xlsx"
    arguments = [*SELECT, "--frame", str(frame), "--values", "电费", "--id", "户号"]
    arguments += ["--carry", "收件人", "--output", str(sheet)]
    refused = "auditkit sample select: error: parameter '--personal': expected "
    not_carried = (
        "a carried column (--carry: 收件人), alone or after name=, address= or phone=; an id "
        "column is written as it is, the returned sheet being checked against it, found "
    )
    for given, found in (
        (["--personal", "通讯处"], "'通讯处'"),  # in the frame, not carried
        (["--personal", "户号"], "'户号'"),  # the id
        (["--personal", "email=收件人"], "'email=收件人'"),  # no such kind
    ):
        assert main([*arguments, *given]) == 2
        assert capsys.readouterr().err == f"{refused}{not_carried}{found}\n"
    assert main([*arguments, "--personal", "收件人", "--no-mask"]) == 2
    assert capsys.readouterr().err == (
        f"{refused}no --personal with --no-mask (every carried column is written as it is), "
        "found '收件人'\n"
    )
    assert not sheet.exists()


METER = [*SELECT, "--values", "应收电费", "--id", "户号"]


def test_the_reviewer_s_meter_address_area_code_ip_and_phone_check_are_kept_and_the_name_masked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's command masked a meter's address as ****, TQ-001 as TQ****, 10.0.0.1 as **** and
    是 as *: a device's address and a check's outcome are no person's data."""
    frame, sheet = meter_frame(tmp_path), tmp_path / "fs.xlsx"
    technical = ["表计通信地址", "台区地址码", "IP地址", "抄表段电话核对"]
    carried = [part for column in ["户名", *technical] for part in ("--carry", column)]
    assert main([*METER, "--frame", str(frame), *carried, "--output", str(sheet)]) == 0
    output = capsys.readouterr().out
    assert "核查表上已脱敏：户名（按姓名）；--keep 列名 或 --no-mask" in output
    assert "（--keep）" not in output  # nothing kept by --keep
    people = population(frame, "户号")
    for name in (FIELD_SHEET, ROWS_SHEET):
        rows = sheet_rows(sheet, name)
        assert len(rows) == 5
        for row in rows:
            account = row["户号"]
            raw = people.at[account, "户名"]
            assert row["户名"] == mask_value("name", raw) != raw
            for column in technical:
                assert str(row[column]) == people.at[account, column]
    meta = load_workbook(sheet)[META_SHEET]["A1"].value
    assert '"masked": {"户名": "name"}, "kept": []' in meta


def test_keep_writes_a_personal_looking_carried_column_as_it_is_and_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bare 通信地址 is masked as an address by default; --keep 通信地址 writes it whole on
    both sheets (the command and the hidden record name it), 户名 staying masked. --keep 户名
    is allowed too: the command names it as a name written unmasked."""
    frame, sheet = meter_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = ["--carry", "户名", "--carry", "通信地址"]
    arguments = [*METER, "--frame", str(frame), *carried, "--output", str(sheet)]
    people = population(frame, "户号")
    assert main(arguments) == 0
    assert "核查表上已脱敏：户名（按姓名）、通信地址（按地址）；" in capsys.readouterr().out
    for row in sheet_rows(sheet, ROWS_SHEET):
        assert row["通信地址"] == mask_value("address", people.at[row["户号"], "通信地址"])
    assert main([*arguments, "--keep", "通信地址"]) == 0
    output = capsys.readouterr().out
    assert "核查表上已脱敏：户名（按姓名）；--keep 列名" in output
    assert "核查表上原样写出（--keep）：通信地址（默认按地址脱敏）" in output
    for name in (FIELD_SHEET, ROWS_SHEET):
        for row in sheet_rows(sheet, name):
            account = row["户号"]
            assert row["通信地址"] == people.at[account, "通信地址"]
            assert row["户名"] == mask_value("name", people.at[account, "户名"])
    meta = load_workbook(sheet)[META_SHEET]["A1"].value
    assert '"masked": {"户名": "name"}, "kept": ["通信地址"]' in meta
    assert main([*arguments, "--keep", "户名", "--keep", "通信地址"]) == 0
    output = capsys.readouterr().out
    assert not any(line.startswith("核查表上已脱敏") for line in output.splitlines())
    assert (
        "核查表上原样写出（--keep）：户名（默认按姓名脱敏）、通信地址（默认按地址脱敏）" in output
    )
    for row in sheet_rows(sheet, FIELD_SHEET):
        assert row["户名"] == people.at[row["户号"], "户名"]
    meta = load_workbook(sheet)[META_SHEET]["A1"].value
    assert '"masked": {}, "kept": ["户名", "通信地址"]' in meta


def test_bad_keep_flags_are_refused_naming_keep_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, sheet = meter_frame(tmp_path), tmp_path / "fs.xlsx"
    arguments = [*METER, "--frame", str(frame), "--carry", "户名", "--carry", "通信地址"]
    arguments += ["--output", str(sheet)]
    refused = "auditkit sample select: error: parameter '--keep': expected "
    not_carried = "a carried column (--carry: 户名, 通信地址); an id column is never masked, found "
    for given, expected in (
        (["--keep", "IP地址"], f"{not_carried}'IP地址'"),  # in the frame, not carried
        (["--keep", "户号"], f"{not_carried}'户号'"),  # the id
        (
            ["--personal", "address=通信地址", "--keep", "通信地址"],
            "a column not also given as --personal (masked or written as it is, not both), "
            "found '通信地址'",
        ),
        (
            ["--keep", "户名", "--no-mask"],
            "no --keep with --no-mask (every carried column is written as it is), found '户名'",
        ),
    ):
        assert main([*arguments, *given]) == 2
        assert capsys.readouterr().err == f"{refused}{expected}\n"
    assert not sheet.exists()


def test_a_returned_sheet_with_masked_carried_columns_is_evaluated_without_their_raw_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame, sheet = reviewer_frame(tmp_path), tmp_path / "fs.xlsx"
    carried = ["--carry", "name", "--carry", "address", "--carry", "phone"]
    arguments = [*SELECT, "--frame", str(frame), "--values", "amount", *carried]
    assert main([*arguments, "--output", str(sheet)]) == 0
    fill_values(sheet)
    inspections = tmp_path / "inspections.csv"
    evaluating = ["sample", "evaluate", "--sheet", str(sheet), "--materiality", "0.05"]
    evaluating += ["--auditing-district", "城东", "--inspections", str(inspections)]
    capsys.readouterr()
    assert main(evaluating) == 0
    output = capsys.readouterr().out
    assert f"核查记录已写入：{inspections}（5 行）" in output
    written = pd.read_csv(inspections, dtype=str, encoding="utf-8-sig")
    assert written["error_found"].tolist() == ["True", "False", "False", "False", "False"]
    people = population(frame, "customer_id")
    text = inspections.read_text(encoding="utf-8-sig") + output
    for column in PERSONAL_COLUMNS:
        assert not any(value in text for value in people[column])
    results = read_field_sheet(sheet, auditing_district="城东")
    for row in results.sample.itertuples():
        for column in PERSONAL_COLUMNS:
            raw = people.at[row.customer_id, column]
            assert getattr(row, column) == mask_value(column, raw)


def test_write_field_sheet_masks_by_default_and_takes_mask_and_personal(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "customer_id": ["A1", "A2", "A3"],
            "户名": ["张三丰", "李四", "王五"],
            "备注人": ["赵六", "钱七", "孙八"],
            "amount": [100.0, 200.0, 300.0],
        }
    )
    selection = select(frame, 3, units="values", values="amount", seed=1)
    carry = ["户名", "备注人"]

    def written(path: Path) -> list[tuple[object, object]]:
        return [(row["户名"], row["备注人"]) for row in sheet_rows(path, ROWS_SHEET)]

    people = frame.set_index("customer_id")
    chosen = [people.loc[key] for key in selection.sample["customer_id"]]
    default = write_field_sheet(selection, tmp_path / "default.xlsx", carry=carry)
    assert written(default) == [(mask_value("name", row["户名"]), row["备注人"]) for row in chosen]
    marked = write_field_sheet(
        selection, tmp_path / "marked.xlsx", carry=carry, personal={"备注人": "address"}
    )
    assert written(marked) == [
        (mask_value("name", row["户名"]), mask_value("address", row["备注人"])) for row in chosen
    ]
    plain = write_field_sheet(selection, tmp_path / "plain.xlsx", carry=carry, mask=False)
    assert written(plain) == [(row["户名"], row["备注人"]) for row in chosen]
    kept = write_field_sheet(selection, tmp_path / "kept.xlsx", carry=carry, keep=["户名"])
    assert written(kept) == [(row["户名"], row["备注人"]) for row in chosen]
    assert '"masked": {}, "kept": ["户名"]' in load_workbook(kept)[META_SHEET]["A1"].value
    for given, expected in (
        ({"mask": False, "personal": ["备注人"]}, "parameter 'personal': expected no personal"),
        ({"personal": ["amount"]}, "parameter 'personal': expected a carried column"),
        ({"personal": {"备注人": "email"}}, "parameter 'personal': expected '备注人' masked as"),
        ({"mask": "false"}, "parameter 'mask': expected True or False, found 'false'"),
        ({"keep": "amount"}, "parameter 'keep': expected a carried column"),
        ({"keep": ["户名"], "personal": ["户名"]}, "parameter 'keep': expected a column not"),
        ({"keep": ["户名"], "mask": False}, "parameter 'keep': expected no keep with mask"),
    ):
        with pytest.raises(ParameterError, match=expected):
            write_field_sheet(selection, tmp_path / "refused.xlsx", carry=carry, **given)
    assert not (tmp_path / "refused.xlsx").exists()


@pytest.mark.parametrize(
    ("header", "kind"),
    [
        ("name", "name"),
        ("Address", "address"),
        ("ＰＨＯＮＥ", "phone"),
        ("户名", "name"),
        ("用户名称", "name"),
        ("客户名称", "name"),
        ("姓名", "name"),
        ("联系人", "name"),
        ("地址", "address"),
        ("用电地址", "address"),
        ("联系地址", "address"),
        ("住址", "address"),
        ("电话", "phone"),
        ("联系电话", "phone"),
        ("联系人电话", "phone"),
        ("手机", "phone"),
        ("手机号", "phone"),
        (" 户 名 ", "name"),
        ("通信地址", "address"),
        ("通讯地址", "address"),
        ("电话号码", "phone"),
        ("户名核对人", "name"),  # a person, not a check
        ("联系人电话核对", "name"),  # 联系人 outside the check
        ("表计通信地址", None),
        ("电能表通讯地址", None),
        ("终端通信地址", None),
        ("表计地址", None),
        ("IP地址", None),
        ("ｍａｃ地址", None),
        ("台区地址码", None),
        ("抄表段电话核对", None),
        ("地址核对", None),
        ("户号", None),
        ("表号", None),
        ("电价名称", None),
        ("台区名称", None),
        ("meter no", None),
        ("tariff_name", None),
    ],
)
def test_a_carried_header_is_personal_when_it_names_a_name_an_address_or_a_phone(
    header: str, kind: str | None
) -> None:
    assert personal_kind(header) == kind


@pytest.mark.parametrize("kind", PERSONAL_COLUMNS)
def test_masked_values_masks_a_carried_column_as_mask_personal_masks_the_contract_column(
    kind: str,
) -> None:
    carried = pd.Series(
        ["张三丰", "浙江省杭州市西湖区幸福路9号", "13812345678", None], index=[4, 7, 9, 2]
    )
    expected = mask_personal(carried.to_frame(kind))[kind]
    masked = masked_values(carried, kind)
    pd.testing.assert_series_equal(masked, expected, check_names=False)
    assert pd.isna(masked[2])  # an empty cell stays empty, not the text 'None' masked
