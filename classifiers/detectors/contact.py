"""Contact details: e-mail addresses and phone numbers."""

from __future__ import annotations

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

EMAIL_ADDRESS = register(
    Detector(
        entity_type="EMAIL_ADDRESS",
        patterns=(Pattern("email", r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b", 0.9),),
        keywords=("email", "e-mail", "mail", "courriel", "correo"),
        column_hints=(
            r"(^|_)e?mail(_address)?(_|$)",
            r"(^|_)(courriel|correo(_electronico)?)(_|$)",
        ),
        validate=validators.email,
        mask=masking.mask_email,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("jane.doe@example.com", column="email"),
            Example("Contact: j.smith+billing@mail.example.co.uk for invoices"),
            Example("first_last@example.net", column="courriel"),
            Example("Reply to USER_42@sub.example-corp.io please"),
        ),
        negatives=(
            Example("jane..doe@example.com", column="email"),
            Example("admin@localhost"),
            Example("git clone ssh://git@github"),
            Example("@example.com"),
            Example("user@-example.com"),
        ),
    )
)

PHONE_NUMBER = register(
    Detector(
        entity_type="PHONE_NUMBER",
        patterns=(
            Pattern("international", r"\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{1,4}){1,5}\b", 0.6),
            Pattern("bracketed_area_code", r"\(\d{2,5}\)[ .-]?\d{2,4}(?:[ .-]?\d{2,4}){1,3}\b", 0.6),
            Pattern("international_00", r"\b00\d{1,3}[ .-]\d{1,4}(?:[ .-]?\d{1,4}){1,5}\b", 0.4),
            Pattern("nanp_separated", r"\b\d{3}[ .-]\d{3}[ .-]\d{4}\b", 0.4),
            Pattern("trunk_separated", r"\b0\d{1,4}[ -]\d{3,8}(?:[ -]\d{2,8}){0,3}\b", 0.4),
            Pattern("french_pairs", r"\b0\d(?:[ .-]\d{2}){4}\b", 0.4),
            Pattern("bare_digits", r"\b\d{10,11}\b", 0.2),
        ),
        keywords=("phone", "tel", "mobile", "cell", "fax", "telefon", "telefono", "telephone", "portable"),
        column_hints=(
            r"(^|_)(phone|tel|telephone|mobile|cell|fax)(_|$)",
            r"(^|_)(telefono|telefon|telefone|handy|portable|movil|cellulare)(_|$)",
            # German compounds are one word: Telefonnummer, Handynummer, Mobilnummer, Rufnummer
            r"(^|_)(telefon|handy|mobil|ruf|fax)nummer(_|$)",
        ),
        validate=validators.phone_number,
        mask=masking.mask_phone,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        options={"regions": ("US", "GB", "DE", "FR")},
        positives=(
            Example("Call us on +44 20 7946 0958"),
            Example("(212) 736-5000", column="phone"),
            Example("Tel. +49 30 901820"),
            Example("0044 20 7946 0958", column="telefono"),
            Example("Mobile: 06 12 34 56 78"),
            Example("212-736-5000", column="contact_phone"),
        ),
        negatives=(
            Example("1000234567", column="customer_id"),
            Example("Order 5000123456 shipped"),
            Example("05.06.1985", column="birth_date"),
            Example("2024-01-15", column="created_at"),
            Example("ISBN 978-3-16-148410-0"),
            Example("192.168.10.25", column="client_ip"),
        ),
    )
)
