"""How import-file and import-code name each key's resource, and import-code its variable."""

from __future__ import annotations

import keyword

from pulumi_apikeys.cli.import_writers import RESOURCE_NAME_MAX, resource_names, variable_names


def named(*names: str | None) -> list[str]:
    return resource_names([(name, f"key_{i}") for i, name in enumerate(names)])


def test_a_name_becomes_its_lower_case_words_joined_by_hyphens():
    assert named("CI deployer", "Nightly  reports (prod)", "--x--") == [
        "ci-deployer",
        "nightly-reports-prod",
        "x",
    ]


def test_accents_and_ligatures_fold_to_ascii():
    assert named("Café", "Straße", "ﬁle") == ["cafe", "strasse", "file"]


def test_a_key_with_no_usable_name_is_named_after_its_id():
    assert named(None, "", "日本", "☕☕") == ["key-0", "key-1", "key-2", "key-3"]


def test_repeats_are_numbered_in_order_around_names_already_taken():
    assert named("a", "a", "a-2", "a") == ["a", "a-2", "a-2-2", "a-3"]


def test_a_long_name_is_cut_at_the_limit_without_a_trailing_hyphen():
    [long] = named("word " * 40)
    assert len(long) <= RESOURCE_NAME_MAX
    assert long.startswith("word-word-")
    assert not long.endswith("-")


def test_every_resource_name_keeps_to_lower_case_letters_digits_and_hyphens():
    names = named("Ünïcode & <html> \"quotes\" 'n' \\slashes/ \n newline", "UPPER", "x_y.z")
    assert names == ["unicode-html-quotes-n-slashes-newline", "upper", "x-y-z"]


def test_variables_are_snake_case_identifiers():
    assert variable_names(["ci-deployer", "ci-deployer-2"]) == ["ci_deployer", "ci_deployer_2"]


def test_a_variable_never_starts_with_a_digit_nor_shadows_a_keyword_builtin_or_pulumi():
    variables = variable_names(["9-lives", "import", "list", "pulumi", "match", "id"])
    assert variables == ["key_9_lives", "import_key", "list_key", "pulumi_key", "match_key", "id_key"]
    assert all(v.isidentifier() and not keyword.iskeyword(v) for v in variables)


def test_variables_stay_unique_when_their_adjustments_collide():
    assert variable_names(["list", "list-key"]) == ["list_key", "list_key_2"]
