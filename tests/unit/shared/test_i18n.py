"""The problem catalogues: Babel's .po files, matched by Accept-Language, values carried over."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

import shared
from jiangong.services import available, definition
from shared.errors import all_rules
from shared.i18n import (
    KERNEL_LOCALE_DIR,
    Catalogue,
    as_po_entries,
    missing_translations,
    negotiate,
    po_files,
    service_locale_dirs,
    translate,
)
from shared.identifiers import MESSAGES, InvalidIdentifier, validate_id_number, validate_uscc

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module", autouse=True)
def every_rule_loaded() -> None:
    for name in available():
        definition(name)


def test_every_rule_has_a_chinese_title_and_detail() -> None:
    assert missing_translations("zh") == []
    for rule in all_rules():
        dirs = service_locale_dirs(rule.__module__)  # as answered: the service's own, too
        title = translate(rule.title, "zh", dirs)
        assert title != rule.title and not title.isascii(), rule
        assert not translate(rule.default_detail, "zh", dirs).isascii(), rule


def test_every_message_of_the_identifiers_has_a_chinese_translation() -> None:
    for message in MESSAGES:
        assert not translate(message, "zh").isascii(), message
    for bad, chinese in [
        ("330402199001011235", "校验码不符"),
        ("3304021990010112", "应为 18 位，实际为 16 位"),
        ("33040219901301123X", "出生日期 19901301 不是有效日期"),
        ("3304A2199001011234", "第 5 位的字符 'A' 不允许出现"),
    ]:
        with pytest.raises(InvalidIdentifier) as refused:
            validate_id_number(bad)
        assert translate(str(refused.value), "zh") == chinese
    with pytest.raises(InvalidIdentifier) as refused:
        validate_uscc("91330402MA2B3C4D5")
    assert translate(str(refused.value), "zh") == "应为 18 位，实际为 17 位"


def test_the_catalogue_is_well_formed_and_its_placeholders_agree() -> None:
    with (KERNEL_LOCALE_DIR / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    assert catalog.locale is not None and str(catalog.locale) == "zh"
    problems = [(message.id, errors) for message, errors in catalog.check() if errors]
    assert problems == []
    assert not [message.id for message in catalog if message.id and message.fuzzy]


def test_a_message_with_values_is_matched_and_its_values_kept() -> None:
    assert translate("The worker left on 2024-03-05.", "zh") == "该职工已于 2024-03-05 离职。"
    assert (
        translate("Must be greater than or equal to 1 and less than or equal to 100.", "zh")
        == "必须大于等于 1 且小于等于 100。"
    )  # not taken for the shorter "Must be greater than or equal to %(min)s."
    assert translate("Must be greater than or equal to 1.", "zh") == "必须大于等于 1。"
    assert translate("No judge with that id.", "zh") == "没有该 id 的评委。"  # the word too
    assert translate("The reader role may not do this.", "zh") == "查询用户角色无权执行此操作。"


def test_an_unknown_message_stays_english_and_english_is_never_translated() -> None:
    assert translate("Something nobody translated.", "zh") == "Something nobody translated."
    assert translate("Not Found", "en") == "Not Found"


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh-Hans-CN,zh;q=0.9", "zh"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("en;q=0.5, zh;q=0.9", "zh"),
        ("fr", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_language_is_negotiated_from_accept_language(header: str | None, locale: str) -> None:
    assert negotiate(header) == locale


def test_a_service_catalogue_is_read_after_the_kernels(tmp_path: Path) -> None:
    folder = tmp_path / "zh" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "messages.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Not Found"\nmsgstr "找不到"\n\n'
        'msgid "Board not ready"\nmsgstr "榜单尚未就绪"\n',
        encoding="utf-8",
    )
    files = po_files("zh", [tmp_path])
    catalogue = Catalogue("zh", files)
    assert catalogue.translate("Board not ready") == "榜单尚未就绪"
    assert catalogue.translate("Not Found") == "找不到"
    assert catalogue.translate("Unauthorized") == "未认证"


def test_missing_messages_are_printed_as_po_entries_to_fill_in() -> None:
    text = as_po_entries([("here", 'The "%(what)s" is gone.')])
    assert text == '#: here\n#, python-format\nmsgid "The \\"%(what)s\\" is gone."\nmsgstr ""\n'


def test_the_catalogues_ship_with_the_package() -> None:
    assert (Path(shared.__file__).parent / "locale/zh/LC_MESSAGES/messages.po").is_file()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    data = project["tool"]["setuptools"]["package-data"]["*"]
    assert "locale/*/LC_MESSAGES/*.po" in data


def test_a_services_rules_may_be_translated_in_its_own_catalogue() -> None:
    (folder,) = service_locale_dirs("services.registry.domain.errors")
    assert folder == ROOT / "services" / "registry" / "locale"
    assert service_locale_dirs("shared.errors") == ()
