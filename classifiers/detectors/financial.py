"""Financial identifiers: payment card numbers, IBANs and US bank routing numbers."""

from __future__ import annotations

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

CREDIT_CARD = register(
    Detector(
        entity_type="CREDIT_CARD",
        patterns=(
            Pattern("separated_4x4", r"\b\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}\b", 0.6),
            Pattern("separated_amex_diners", r"\b3\d{3}[ -]\d{6}[ -]\d{4,5}\b", 0.6),
            Pattern("bare_digits", r"\b\d{13,19}\b", 0.4),
        ),
        keywords=("card", "credit", "debit", "visa", "mastercard", "amex", "cc", "pan", "tarjeta", "carte", "karte"),
        column_hints=(
            r"(^|_)(card|cc|pan|credit_card)(_num(ber)?)?(_|$)",
            r"(^|_)(tarjeta|carte|karte|kreditkarte)(_|$)",
        ),
        validate=validators.credit_card,
        mask=masking.mask_card,
        sensitivity=Sensitivity.HIGH,
        frameworks=("PCI_DSS", "GLBA", "GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("4111111111111111", column="card_number"),
            Example("Paid with 5555 5555 5555 4444 yesterday"),
            Example("2223003122003222"),
            Example("Amex 3782-822463-10005 on file"),
            Example("6011111111111117", column="pan"),
            Example("Diners 3056 930902 5904"),
        ),
        negatives=(
            Example("4111111111111112", column="card_number"),
            Example("Order id 1234567812345678 confirmed"),
            Example("0000-0000-0000-0000", column="card_number"),
            Example("9999999999999995", column="order_id"),
            Example("Shipment ref 1234567812345670"),
        ),
    )
)

IBAN_CODE = register(
    Detector(
        entity_type="IBAN_CODE",
        patterns=(Pattern("iban", r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", 0.8),),
        keywords=("iban", "account", "bank", "sepa", "konto", "compte", "cuenta"),
        column_hints=(r"(^|_)(iban)(_|$)", r"(^|_)(iban_code|bank_account|account_iban)(_|$)"),
        validate=validators.iban,
        mask=masking.mask_iban,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GDPR", "GLBA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("GB82WEST12345698765432", column="iban"),
            Example("IBAN: DE89 3704 0044 0532 0130 00"),
            Example("FR1420041010050500013M02606"),
            Example("Pay to NL91 ABNA 0417 1643 00 by Friday"),
            Example("MT84MALT011000012345MTLCAST001S", column="beneficiary_account"),
        ),
        negatives=(
            Example("GB83WEST12345698765432", column="iban"),
            Example("DE89 3704 0044 0532 0130 01"),
            Example("XX82WEST12345698765432"),
            Example("GB82WEST1234569876543"),
            Example("DE8937 0400 4405 3201 3000"),
        ),
    )
)

ABA_ROUTING_NUMBER = register(
    Detector(
        entity_type="ABA_ROUTING_NUMBER",
        patterns=(Pattern("aba_9_digits", r"\b\d{9}\b", 0.3),),
        keywords=("routing", "aba", "rtn", "transit", "ach", "wire"),
        column_hints=(r"(^|_)(routing|aba|routing_number)(_|$)", r"(^|_)(rtn|aba_number|transit_number)(_|$)"),
        validate=validators.aba_routing,
        mask=masking.mask_aba_routing,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GLBA",),
        jurisdiction="US",
        positives=(
            Example("021000021", column="routing_number"),
            Example("ABA 011000015"),
            Example("Wire via routing 026009593"),
            Example("122105155", column="aba"),
        ),
        negatives=(
            Example("Invoice 123456789", column="invoice_no"),
            Example("987654321"),
            Example("021000022", column="routing_number"),
            Example("000000000"),
            Example("Invoice 400000010 paid"),
        ),
    )
)
