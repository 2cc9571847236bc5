"""Credentials: cloud access key identifiers."""

from __future__ import annotations

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

AWS_ACCESS_KEY = register(
    Detector(
        entity_type="AWS_ACCESS_KEY",
        patterns=(
            Pattern(
                "access_key_id",
                r"\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AIPA|ANPA|ANVA|AROA|APKA|ASCA)[A-Z2-7]{16}\b",
                0.9,
            ),
        ),
        keywords=("aws_access_key_id", "access key", "access_key", "aws", "akia"),
        column_hints=(r"(^|_)(aws_)?access_key(_id)?(_|$)", r"(^|_)(aws_key|key_id)(_|$)"),
        validate=validators.aws_access_key,
        mask=masking.mask_aws_access_key,
        sensitivity=Sensitivity.HIGH,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("AKIAIOSFODNN7EXAMPLE", column="aws_access_key_id"),
            Example("aws_access_key_id = AKIAZ3MHXQ4K2LWPDT7N"),
            Example("export AWS_ACCESS_KEY_ID=ASIAY34FZKBOKMUTVV7A"),
            Example("role AROAJQABLZS4A3QDU576"),
        ),
        negatives=(
            Example("AKIAiosfodnn7example", column="aws_access_key_id"),
            Example("AKIAAAAAAAAAAAAAAAAA"),
            Example("AKIA1234567890123456"),
            Example("AKIAIOSFODNN7EXAMPLEX"),
            Example("XKIAIOSFODNN7EXAMPLE"),
        ),
    )
)
