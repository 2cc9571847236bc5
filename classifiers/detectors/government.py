"""Government-issued personal identifiers: US Social Security and UK National Insurance numbers."""

from __future__ import annotations

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

US_SSN = register(
    Detector(
        entity_type="US_SSN",
        patterns=(
            Pattern("separated", r"\b\d{3}[- ]\d{2}[- ]\d{4}\b", 0.6),
            Pattern("bare_digits", r"\b\d{9}\b", 0.2),
        ),
        keywords=("ssn", "social security", "social_security", "ssa", "taxpayer", "tin"),
        column_hints=(r"(^|_)(ssn|social_security(_number)?)(_|$)", r"(^|_)(us_ssn|ss_num|taxpayer_id)(_|$)"),
        validate=validators.us_ssn,
        mask=masking.mask_ssn,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GLBA", "HIPAA", "CCPA"),
        jurisdiction="US",
        positives=(
            Example("536-90-4399", column="ssn"),
            Example("SSN: 536 90 4399"),
            Example("Employee social security number 219-09-9998 on file"),
            Example("536904399", column="social_security_number"),
        ),
        negatives=(
            Example("078-05-1120", column="ssn"),
            Example("123-45-6789"),
            Example("666-12-3456"),
            Example("536-00-4399"),
            Example("536-90 4399", column="ssn"),
            Example("901-12-3456"),
        ),
    )
)

UK_NINO = register(
    Detector(
        entity_type="UK_NINO",
        patterns=(Pattern("nino", r"\b[A-Z]{2} ?\d{2} ?\d{2} ?\d{2} ?[A-D]\b", 0.7),),
        keywords=("national insurance", "nino", "ni number", "ni no", "nat ins"),
        column_hints=(r"(^|_)(nino|ni_number|national_insurance)(_|$)", r"(^|_)(ni_no|national_insurance_number)(_|$)"),
        validate=validators.uk_nino,
        mask=masking.mask_nino,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR",),
        jurisdiction="GB",
        positives=(
            Example("JG103759A", column="nino"),
            Example("National Insurance number: JG 10 37 59 A"),
            Example("AB123456C"),
            Example("ni_number TW 55 66 77 D"),
        ),
        negatives=(
            Example("QQ123456C", column="nino"),
            Example("GB123456A"),
            Example("DA123456A"),
            Example("AO123456B"),
            Example("JG103759E"),
            Example("ZZ 12 34 56 A"),
        ),
    )
)
