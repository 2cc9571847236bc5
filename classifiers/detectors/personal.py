"""Personal attributes: dates of birth (only in a birth-date context, since any date matches the patterns)."""

from __future__ import annotations

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

_MONTH = r"[A-Za-z]{3,9}"

DATE_OF_BIRTH = register(
    Detector(
        entity_type="DATE_OF_BIRTH",
        patterns=(
            Pattern("year_first", r"\b(?:19|20)\d{2}[-/]\d{1,2}[-/]\d{1,2}\b", 0.4),
            Pattern("year_last", r"\b\d{1,2}[/.]\d{1,2}[/.](?:19|20)\d{2}\b", 0.4),
            Pattern("day_month_name", rf"\b\d{{1,2}} {_MONTH},? (?:19|20)\d{{2}}\b", 0.4),
            Pattern("month_name_day", rf"\b{_MONTH} \d{{1,2}},? (?:19|20)\d{{2}}\b", 0.4),
        ),
        keywords=(
            "born",
            "dob",
            "d.o.b",
            "date of birth",
            "birthday",
            "birth date",
            "birthdate",
            "geburtsdatum",
            "geboren",
            "fecha de nacimiento",
            "date de naissance",
        ),
        column_hints=(
            r"(^|_)(dob|birth_?date|date_of_birth|birthday|geburtsdatum|fecha_nacimiento|date_naissance)(_|$)",
            r"(^|_)(born(_on)?|fecha_de_nacimiento|date_de_naissance|data_nascita)(_|$)",
        ),
        validate=validators.date_of_birth,
        mask=masking.mask_date,
        requires_context=True,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "HIPAA", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("1985-03-12", column="date_of_birth"),
            Example("Patient born 12 March 1985 in Leeds"),
            Example("DOB: 03/12/1985"),
            Example("Geburtsdatum 12.03.1985"),
            Example("March 12, 1985", column="birthday"),
            Example("1990/07/04", column="dob"),
        ),
        negatives=(
            Example("2021-06-15", column="created_at"),
            Example("Order placed 12 March 2021"),
            Example("dob: 1985-02-30"),
            Example("born 2099-01-01"),
            Example("31/31/1990", column="birth_date"),
            Example("Date of birth: 12 Marc 1985"),
        ),
    )
)
