"""Configuration parsing (classifiers.config, jobs.config) and the detector registry."""

import re

import pytest

from classifiers import registry
from classifiers.config import DetectionConfig, Scoring, parse_detection
from classifiers.detector import Detector, Pattern, Sensitivity
from classifiers.detectors import contact
from classifiers.errors import ConfigError, UnknownDetectorError
from jobs.config import DEFAULT_CONFIG, Reading, Sampling, load_config, parse_config

ENTITY_TYPES = [d.entity_type for d in registry.all_detectors()]  # the list itself: test_detectors.py
REGISTERED = ", ".join(ENTITY_TYPES)


def entity_types(config: DetectionConfig) -> list[str]:
    return [detector.entity_type for detector in config.detectors]


def raises(error: type[Exception], message: str):
    return pytest.raises(error, match=f"^{re.escape(message)}$")


# --- classifiers.config.parse_detection -------------------------------------------------------------------------


@pytest.mark.parametrize("raw", [None, {}, {"EMAIL_ADDRESS": None}, {"EMAIL_ADDRESS": {}}])
def test_defaults_enable_every_registered_detector(raw):
    config = parse_detection(raw)
    assert config == DetectionConfig.default()
    assert entity_types(config) == ENTITY_TYPES
    assert config.scoring == Scoring(
        min_confidence=0.5, context_boost=0.3, validator_boost=0.2, full_evidence_ratio=0.5, max_samples=3
    )


def test_unknown_detector_lists_every_registered_name():
    with raises(UnknownDetectorError, f"unknown detector 'NOPE'; registered detectors are: {REGISTERED}"):
        parse_detection({"EMAIL_ADDRESS": {}, "NOPE": {}})


def test_unknown_detector_key_names_the_valid_keys():
    message = (
        "detectors.EMAIL_ADDRESS: unknown key(s) 'bogus', 'colour'; "
        "valid keys are: enabled, extra_column_hints, extra_keywords, options, sensitivity"
    )
    with raises(ConfigError, message):
        parse_detection({"EMAIL_ADDRESS": {"colour": 1, "bogus": 2, "enabled": True}})


def test_unknown_scoring_key_names_the_valid_keys():
    message = (
        "scoring: unknown key(s) 'bogus'; "
        "valid keys are: auto_tag_confidence, context_boost, full_evidence_ratio, max_samples, min_confidence, "
        "presidio_weight, "
        "validator_boost"
    )
    with raises(ConfigError, message):
        parse_detection(None, {"bogus": 1})


def test_enabled_false_removes_only_that_detector():
    config = parse_detection({"CREDIT_CARD": {"enabled": False}, "US_SSN": {"enabled": True}})
    assert entity_types(config) == [name for name in ENTITY_TYPES if name != "CREDIT_CARD"]
    with raises(ConfigError, "detector 'CREDIT_CARD' is not enabled"):
        config.detector("CREDIT_CARD")


def test_all_disabled_raises():
    with raises(ConfigError, "no detector is enabled; enable at least one under 'detectors'"):
        parse_detection({name: {"enabled": False} for name in ENTITY_TYPES})


def test_non_boolean_enabled_is_rejected():
    with pytest.raises(ConfigError):
        parse_detection({"CREDIT_CARD": {"enabled": "false"}})


@pytest.mark.parametrize(("value", "expected"), [("low", Sensitivity.LOW), ("high", Sensitivity.HIGH)])
def test_sensitivity_override(value, expected):
    config = parse_detection({"EMAIL_ADDRESS": {"sensitivity": value}})
    assert config.detector("EMAIL_ADDRESS").sensitivity is expected
    assert config.detector("PHONE_NUMBER").sensitivity is Sensitivity.MEDIUM


@pytest.mark.parametrize("value", ["extreme", "HIGH"])
def test_invalid_sensitivity_lists_the_valid_values(value):
    with raises(ConfigError, f"detectors.EMAIL_ADDRESS.sensitivity: {value!r} is not one of low, medium, high"):
        parse_detection({"EMAIL_ADDRESS": {"sensitivity": value}})


def test_options_override_merges_with_the_defaults():
    config = parse_detection({"PHONE_NUMBER": {"options": {"regions": ["GB"]}}})
    assert config.detector("PHONE_NUMBER").options == {"regions": ["GB"]}
    assert contact.PHONE_NUMBER.options == {"regions": ("US", "GB", "DE", "FR")}


@pytest.mark.parametrize("options", [None, {}])
def test_empty_options_keep_the_defaults(options):
    config = parse_detection({"PHONE_NUMBER": {"options": options}})
    assert config.detector("PHONE_NUMBER").options == {"regions": ("US", "GB", "DE", "FR")}


@pytest.mark.parametrize(
    ("entity_type", "valid"),
    [("PHONE_NUMBER", "regions"), ("EMAIL_ADDRESS", "(none)")],
)
def test_unknown_option_key_raises(entity_type, valid):
    message = f"detectors.{entity_type}.options: unknown key(s) 'nope'; valid keys are: {valid}"
    with raises(ConfigError, message):
        parse_detection({entity_type: {"options": {"nope": 1}}})


def test_extra_keywords_and_column_hints_are_appended():
    config = parse_detection(
        {"EMAIL_ADDRESS": {"extra_keywords": ["adresse"], "extra_column_hints": ["^contact$", "(^|_)mel(_|$)"]}}
    )
    email = config.detector("EMAIL_ADDRESS")
    assert email.keywords == (*contact.EMAIL_ADDRESS.keywords, "adresse")
    assert email.column_hints == (*contact.EMAIL_ADDRESS.column_hints, "^contact$", "(^|_)mel(_|$)")
    assert email.patterns == contact.EMAIL_ADDRESS.patterns


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"extra_column_hints": ["("]},
            "detectors.EMAIL_ADDRESS.extra_column_hints: '(' is not a valid regex: "
            "missing ), unterminated subpattern at position 0",
        ),
        (
            {"extra_column_hints": "email"},
            "detectors.EMAIL_ADDRESS.extra_column_hints must be a list of non-empty strings, got 'email'",
        ),
        (
            {"extra_keywords": [1]},
            "detectors.EMAIL_ADDRESS.extra_keywords must be a list of non-empty strings, got [1]",
        ),
    ],
    ids=["bad-regex", "hints-not-a-list", "keyword-not-a-string"],
)
def test_invalid_detector_settings_raise(settings, message):
    with raises(ConfigError, message):
        parse_detection({"EMAIL_ADDRESS": settings})


def test_options_that_are_not_a_mapping_raise_config_error():
    with pytest.raises(ConfigError):
        parse_detection({"PHONE_NUMBER": {"options": ["regions"]}})


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (["EMAIL_ADDRESS"], "'detectors' must be a mapping of entity type to settings, got list"),
        ({"EMAIL_ADDRESS": True}, "detectors.EMAIL_ADDRESS must be a mapping, got True"),
    ],
)
def test_detectors_section_must_be_a_mapping(raw, message):
    with raises(ConfigError, message):
        parse_detection(raw)


@pytest.mark.parametrize(
    ("scoring", "message"),
    [
        ({"min_confidence": 1.5}, "scoring.min_confidence must be between 0 and 1, got 1.5"),
        ({"context_boost": -0.1}, "scoring.context_boost must be between 0 and 1, got -0.1"),
        ({"validator_boost": 2}, "scoring.validator_boost must be between 0 and 1, got 2"),
        ({"full_evidence_ratio": 0}, "scoring.full_evidence_ratio must be in (0, 1], got 0"),
        ({"full_evidence_ratio": 1.01}, "scoring.full_evidence_ratio must be in (0, 1], got 1.01"),
        ({"max_samples": -1}, "scoring.max_samples must be between 0 and 10, got -1"),
        ({"max_samples": 11}, "scoring.max_samples must be between 0 and 10, got 11"),
        (
            {"min_confidence": "high"},
            "invalid scoring section: '<=' not supported between instances of 'float' and 'str'",
        ),
    ],
)
def test_scoring_out_of_bounds_raises(scoring, message):
    with raises(ConfigError, message):
        parse_detection(None, scoring)


@pytest.mark.parametrize(
    "scoring",
    [
        {"min_confidence": 0.0, "context_boost": 0.0, "validator_boost": 0.0, "full_evidence_ratio": 1.0},
        {
            "min_confidence": 1.0,
            "auto_tag_confidence": 1.0,
            "context_boost": 1.0,
            "validator_boost": 1.0,
            "max_samples": 0,
        },
        {"full_evidence_ratio": 0.01, "max_samples": 10},
    ],
)
def test_scoring_bounds_are_inclusive(scoring):
    assert parse_detection(None, scoring).scoring == Scoring(**scoring)


def test_auto_tag_threshold_cannot_be_below_the_reporting_threshold():
    message = "scoring.auto_tag_confidence (0.6) must not be below scoring.min_confidence (0.7)"
    with raises(ConfigError, message):
        parse_detection(None, {"min_confidence": 0.7, "auto_tag_confidence": 0.6})


# --- jobs.config ------------------------------------------------------------------------------------------------


def test_shipped_config():
    config = load_config()
    assert config.sampling == Sampling(
        full_scan=False, rows_per_object=10_000, bytes_per_object=67_108_864, objects_per_dataset=20
    )
    assert config.reading == Reading(batch_rows=65536, max_objects_per_task=16)
    assert config.detection.scoring == Scoring()
    assert entity_types(config.detection) == ENTITY_TYPES
    assert config.detection.detector("IP_ADDRESS").sensitivity is Sensitivity.LOW
    assert config.detection.detector("PHONE_NUMBER").options == {"regions": ["US", "GB", "DE", "FR"]}
    assert config.sampling.describe() == (
        "rows_per_object=10000;bytes_per_object=67108864;objects_per_dataset=20;row_groups_per_object=4"
    )
    assert config.with_full_scan().sampling.describe() == "full"
    assert config.with_full_scan().sampling == Sampling(full_scan=True)
    assert config.sampling.full_scan is False  # with_full_scan() returns a copy


def test_load_config_defaults_to_the_shipped_file():
    assert load_config(DEFAULT_CONFIG) == load_config() == load_config(str(DEFAULT_CONFIG))


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "absent.yaml"
    with raises(ConfigError, f"cannot read configuration file '{path}': No such file or directory"):
        load_config(path)


def test_invalid_yaml_names_the_path(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("sampling: [1, 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=f"^configuration file '{re.escape(str(path))}' is not valid YAML: "):
        load_config(path)


def test_empty_file_gives_the_defaults(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing\n", encoding="utf-8")
    config = load_config(path)
    assert (config.detection, config.sampling, config.reading) == (DetectionConfig.default(), Sampling(), Reading())


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            {"sampling": {}, "detector": {}},
            "unknown configuration section(s) ['detector']; "
            "valid sections are: ['accounts', 'allow_list', 'custom_identifiers', 'detectors', 'events', 'filters', "
            "'fingerprints', 'inventory', 'jdbc', 'metrics', 'presidio', 'read', 'sampling', 'scoring', 'unload']",
        ),
        (["sampling"], "the configuration must be a mapping of sections, got list"),
        ({"sampling": [1]}, "section 'sampling' must be a mapping, got [1]"),
        (
            {"sampling": {"rows": 1}},
            "sampling: unknown key(s) ['rows']; "
            "valid keys are: ['bytes_per_object', 'full_scan', 'objects_per_dataset', 'row_groups_per_object', "
            "'rows_per_object', 'rows_per_row_group']",
        ),
        (
            {"read": {"batch": 1}},
            "read: unknown key(s) ['batch']; valid keys are: ['batch_rows', 'max_objects_per_task']",
        ),
    ],
)
def test_invalid_sections_raise(raw, message):
    with raises(ConfigError, message):
        parse_config(raw)


@pytest.mark.parametrize("value", [0, -1, "10", True, 1.5, None])
@pytest.mark.parametrize(
    ("section", "key"),
    [
        ("sampling", "rows_per_object"),
        ("sampling", "bytes_per_object"),
        ("sampling", "objects_per_dataset"),
        ("read", "batch_rows"),
        ("read", "max_objects_per_task"),
    ],
)
def test_bad_positive_integers_raise(section, key, value):
    with raises(ConfigError, f"{section}.{key} must be a positive integer, got {value!r}"):
        parse_config({section: {key: value}})


def test_non_boolean_full_scan_is_rejected():
    with pytest.raises(ConfigError):
        parse_config({"sampling": {"full_scan": "false"}})


def test_digest_is_stable_for_equal_configs():
    assert load_config().digest == load_config().digest
    raw = {"sampling": {"rows_per_object": 5}, "scoring": {"max_samples": 2}}
    assert parse_config(raw).digest == parse_config(dict(raw)).digest
    assert re.fullmatch(r"[0-9a-f]{64}", parse_config(raw).digest)
    # sampling and read are hashed as effective values, so a spelled-out default does not change the digest
    assert parse_config({"sampling": {"rows_per_object": 10_000}, "read": {}}).digest == parse_config({}).digest


@pytest.mark.parametrize(
    "raw",
    [
        {"sampling": {"rows_per_object": 5}},
        {"read": {"batch_rows": 100}},
        {"scoring": {"min_confidence": 0.6}},
        {"detectors": {"IP_ADDRESS": {"enabled": False}}},
    ],
)
def test_digest_changes_when_a_value_changes(raw):
    assert parse_config(raw).digest != parse_config({}).digest


def test_digest_ignores_defaults_spelled_out():
    assert parse_config({"scoring": {"min_confidence": 0.5}}).digest == parse_config({}).digest


def test_digest_changes_with_full_scan():
    config = parse_config({})
    assert config.with_full_scan().digest != config.digest


# --- classifiers.registry ---------------------------------------------------------------------------------------


def test_registry_get_unknown_raises():
    with raises(UnknownDetectorError, f"unknown detector 'NOPE'; registered detectors are: {REGISTERED}") as raised:
        registry.get("NOPE")
    assert raised.value.name == "NOPE"


def test_registry_get_known():
    assert registry.get("EMAIL_ADDRESS") is contact.EMAIL_ADDRESS


def test_all_detectors_are_the_ten_entity_types_sorted():
    assert [detector.entity_type for detector in registry.all_detectors()] == ENTITY_TYPES


def test_registering_a_duplicate_entity_type_raises_and_keeps_the_original():
    duplicate = Detector(entity_type="EMAIL_ADDRESS", patterns=(Pattern("any", r"x", 0.5),), mask=str)
    with raises(ValueError, "detector EMAIL_ADDRESS is registered twice"):
        registry.register(duplicate)
    assert registry.get("EMAIL_ADDRESS") is contact.EMAIL_ADDRESS
    assert len(registry.all_detectors()) == len(ENTITY_TYPES)


def test_with_section_changes_the_parsed_and_the_raw_configuration():
    from classifiers.text_analysis import TextAnalysisSettings

    config = load_config().with_full_scan()
    changed = config.with_section("presidio", {"nlp_model": "my_model", "max_values": 10})
    assert changed.detection.text == TextAnalysisSettings(True, "my_model", "en", 10)
    assert changed.raw["presidio"] == {"enabled": True, "nlp_model": "my_model", "language": "en", "max_values": 10}
    assert changed.sampling.full_scan is True
    assert parse_config(changed.raw).detection.text == changed.detection.text  # what Spark tasks rebuild
    with raises(ConfigError, "presidio: unknown key(s) 'model'; valid keys are: enabled, language, max_values, "
                "nlp_model"):  # fmt: skip
        config.with_section("presidio", {"model": "x"})


def test_unload_section_defaults_and_read_options():
    from jobs.config import Unload

    config = load_config()
    assert config.unload == Unload()
    changed = config.with_section("unload", {"delimiter": ",", "columns": {"s3://b/u/venue_": ["id", "email"]}})
    assert changed.unload.read_options("s3://b/u/venue_", None) == {
        "delimiter": ",", "escape": None, "addquotes": None, "header": None, "null_as": "", "columns": ["id", "email"],
    }  # fmt: skip
    assert changed.unload.read_options("s3://b/u/venue_", ["a"])["columns"] == ["a"]  # the manifest wins


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"delimiter": "||"}, "unload.delimiter must be one character or null, got '||'"),
        ({"escape": "yes"}, "unload.escape must be true, false or null, got 'yes'"),
        ({"null_as": None}, "unload.null_as must be a string, got None"),
        ({"columns": {"s3://b/u/": "id"}}, "unload.columns must map UNLOAD prefixes to lists of column names"),
        ({"quote": "'"}, "unload: unknown key(s) ['quote']; valid keys are: ['addquotes', 'columns', 'delimiter', "
                         "'escape', 'header', 'null_as']"),
    ],
)  # fmt: skip
def test_bad_unload_settings_fail_naming_the_key(values, message):
    with raises(ConfigError, message):
        parse_config({"unload": values})
