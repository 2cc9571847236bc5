"""Financial identifiers: payment card data, IBANs, BIC/SWIFT codes and bank account and routing numbers."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

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
            r"(^|_)(kreditkarten|karten)nummer(_|$)",
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

# ISO 3166-1 alpha-2 country codes (all 249 assigned ones) plus XK, which SWIFT uses for Kosovo.
ISO_3166_ALPHA2: frozenset[str] = frozenset({
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
    "XK",
})  # fmt: skip


def _country_alternation(codes: frozenset[str]) -> str:
    """An RE2/re alternation matching exactly ``codes``, one character class per first letter (``A[DEFG...]``)."""
    seconds: dict[str, str] = {}
    for code in sorted(codes):
        seconds[code[0]] = seconds.get(code[0], "") + code[1]
    return "(?:" + "|".join(f"{first}[{rest}]" for first, rest in seconds.items()) + ")"


_BIC_COUNTRY = _country_alternation(ISO_3166_ALPHA2)
# Location and branch layout of the ISO 20022 BICIdentifier type: the location code never starts with 0 or 1
# and its second character is never the letter O; a second character 0 marks a test BIC.
_BIC_RE = re.compile(r"[A-Z]{4}([A-Z]{2})([A-Z2-9][A-NP-Z0-9])([A-Z0-9]{3})?")
_VOWELS = frozenset("AEIOUY")
_UK_SORT_CODE_RE = re.compile(r"\d{2}-\d{2}-\d{2}")
_CARD_EXPIRY_RE = re.compile(r"(0[1-9]|1[0-2])/(20\d{2}|\d{2})")


def bic_iso9362(token: str, options: Mapping[str, Any]) -> bool:
    """True for an ISO 9362 BIC (8 or 11 characters) with a real country code and a valid location code.

    An all-letter code must also have a location code without vowels or with a doubled letter (``FF``, ``PP``,
    ``ZH``, ``MM``): words in capitals (``DATABASE``, ``HOSPITAL``) end in vowel syllables far more often.
    """
    match = _BIC_RE.fullmatch(token)
    if match is None or match.group(1) not in ISO_3166_ALPHA2:
        return False
    location = match.group(2)
    if token.isalpha():
        return location[0] == location[1] or not _VOWELS.intersection(location)
    return True


def uk_sort_code_format(token: str, options: Mapping[str, Any]) -> bool:
    """True for exactly three dash-separated pairs of digits (``40-47-84``), not a longer dashed run."""
    return _UK_SORT_CODE_RE.fullmatch(token) is not None


def card_expiry_month_year(token: str, options: Mapping[str, Any]) -> bool:
    """True for ``MM/YY`` or ``MM/YYYY`` with month 01-12 and year 2000-2099; full dates (two slashes) fail."""
    return _CARD_EXPIRY_RE.fullmatch(token) is not None


def mask_bic(value: str) -> str:
    """Keep only the country code: ``DEUTDEFF500`` -> ``****DE*****``."""
    if len(value) not in (8, 11):
        return "*" * len(value)
    return "****" + value[4:6] + "*" * (len(value) - 6)


SWIFT_CODE = register(
    Detector(
        entity_type="SWIFT_CODE",
        patterns=(
            # A digit in the location or branch code sets a BIC apart from a word in capitals.
            Pattern(
                "bic_with_digit",
                rf"\b[A-Z]{{4}}{_BIC_COUNTRY}(?:(?:[2-9][A-Z0-9]|[A-Z][0-9])(?:[A-Z0-9]{{3}})?"
                r"|[A-Z]{2}(?:[0-9][A-Z0-9]{2}|[A-Z][0-9][A-Z0-9]|[A-Z]{2}[0-9]))\b",
                0.3,
            ),
            # All-letter BICs (DEUTDEFF) read like capitalised words, so alone (with the validator boost) they
            # stay below the reporting threshold; a keyword or column hint is what makes them a finding.
            Pattern("bic_letters_only", rf"\b[A-Z]{{4}}{_BIC_COUNTRY}[A-Z]{{2}}(?:[A-Z]{{3}})?\b", 0.25),
        ),
        keywords=("swift", "bic", "swift code", "bank identifier", "code swift", "código swift"),
        column_hints=(r"(^|_)(swift|bic)(_code)?(_|$)", r"(^|_)(swift_bic|bic_swift|bank_identifier_code)(_|$)"),
        validate=bic_iso9362,
        column_profile=True,  # a column passing the checksum throughout is identified by content
        mask=mask_bic,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GLBA",),
        jurisdiction="GLOBAL",
        positives=(
            Example("DEUTDEFF", column="swift_code"),
            Example("SWIFT: BARCGB22"),
            Example("Beneficiary bank BIC NWBKGB2L, London"),
            Example("CHASUS33XXX", column="bic"),
            Example("Wire via DEUTDEFF500 today"),
            Example("Sandbox test BIC DEUTDEF0"),
        ),
        negatives=(
            Example("DATABASE", column="component"),
            Example("ABSTRACT"),
            Example("HOSPITAL", column="facility_type"),
            Example("Status: DATABASE HOSPITAL ABSTRACT"),
            Example("DEUTXXFF", column="swift_code"),
            Example("deutdeff", column="bic"),
            Example("DEUTDE0F", column="bic"),
            Example("SERVER01", column="hostname"),
        ),
    )
)

US_BANK_NUMBER = register(
    Detector(
        entity_type="US_BANK_NUMBER",
        patterns=(Pattern("digits_8_to_17", r"\b\d{8,17}\b", 0.2),),
        # Bare "checking"/"savings" are left out: they are common verbs/nouns in logs next to long ids.
        keywords=(
            "account number",
            "account no",
            "acct",
            "acct no",
            "bank account",
            "checking account",
            "checking acct",
            "savings account",
            "savings acct",
            "dda",
        ),
        column_hints=(
            r"(^|_)(bank_)?account_(number|no|num)(_|$)",
            r"(^|_)(acct|acct_(no|num|number)|bank_acct|checking_account|savings_account|dda_account)(_|$)",
        ),
        # No validator: US account numbers have no checksum or bank-independent structure.
        mask=masking.mask_keep_last(4),
        requires_context=True,
        keyword_distance=32,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GLBA",),
        jurisdiction="US",
        positives=(
            Example("000123456789", column="account_number"),
            Example("Checking account 4099999992 at First National"),
            Example("Acct: 12345678"),
            Example("Bank account number 98765432101234"),
            Example("12345678901234567", column="acct_no"),
        ),
        negatives=(
            Example("Order 12345678 shipped"),
            Example("1234567", column="account_number"),
            Example("123456789012345678", column="account_number"),
            Example("4155550187", column="phone"),
            Example("Checking for updates, build 20240601123"),
            Example("Tracking 1Z999AA10123456784"),
            Example("Order 12345678 paid, account number on file"),
        ),
    )
)

UK_SORT_CODE = register(
    Detector(
        entity_type="UK_SORT_CODE",
        # Leading and trailing dashed digit groups are taken into the match so that longer runs (phone
        # numbers, ids like 01-23-45-67) fail the validator as a whole instead of yielding a sort code.
        patterns=(Pattern("dashed_pairs", r"\b(?:\d+-)*\d{2}-\d{2}-\d{2}(?:-\d+)*\b", 0.3),),
        keywords=("sort code", "sortcode", "sort-code"),
        column_hints=(r"(^|_)(sort_?code|sort_cd)(_|$)", r"(^|_)(bank_sort_code|uk_sort_code)(_|$)"),
        validate=uk_sort_code_format,
        mask=masking.mask_keep_last(2),
        requires_context=True,
        keyword_distance=32,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GLBA",),
        jurisdiction="GB",
        positives=(
            Example("40-47-84", column="sort_code"),
            Example("Sort code: 20-00-00"),
            Example("sortcode 60-16-13 account 31926819"),
            Example("Pay to sort code 30-94-57 by Friday"),
        ),
        negatives=(
            Example("Meeting on 12-03-24"),
            Example("12-03-24", column="created_at"),
            Example("Sort code 40-47-8"),
            Example("Sort code line 01-40-47-84-12"),
            Example("40-47-84", column="version"),
        ),
    )
)

UK_BANK_ACCOUNT = register(
    Detector(
        entity_type="UK_BANK_ACCOUNT",
        patterns=(Pattern("digits_8", r"\b\d{8}\b", 0.2),),
        keywords=("account number", "account no", "acc no", "a/c no", "sort code", "sortcode"),
        column_hints=(r"(^|_)(uk_)?(bank_)?account_(number|no)(_|$)", r"(^|_)(acc_no|acct_no|uk_account)(_|$)"),
        # No validator: UK modulus checking depends on the sort code and Vocalink's weight tables.
        mask=masking.mask_keep_last(4),
        requires_context=True,
        keyword_distance=32,
        sensitivity=Sensitivity.HIGH,
        frameworks=("GLBA",),
        jurisdiction="GB",
        positives=(
            Example("31926819", column="account_number"),
            Example("Account number: 31926819"),
            Example("sort code 60-16-13, acc no 31926819"),
            Example("Account no 12345678 (Barclays)"),
        ),
        negatives=(
            Example("Order 31926819 dispatched"),
            Example("20240115", column="created_date"),
            Example("Account number: 3192681"),
            Example("Account number 319268191"),
            Example("31926819", column="order_id"),
        ),
    )
)

CARD_EXPIRY = register(
    Detector(
        entity_type="CARD_EXPIRY",
        # Leading and trailing slash groups are taken into the match so that full dates (12/25/2024,
        # 3/12/25) fail the validator as a whole instead of yielding an MM/YY inside them.
        patterns=(Pattern("month_year", r"\b(?:\d{1,4}/)?(?:0[1-9]|1[0-2])/(?:20\d{2}|\d{2})(?:/\d{1,4})?\b", 0.3),),
        keywords=(
            "exp",
            "expiry",
            "expiration",
            "expires",
            "valid thru",
            "valid through",
            "card expiry",
            "good thru",
            "ablaufdatum",
            "gültig bis",
            "caducidad",
            "vencimiento",
            "date d'expiration",
        ),
        column_hints=(
            r"(^|_)(card_|cc_)?exp(iry)?(_date)?(_|$)",
            r"(^|_)(card_|cc_)expiration(_date)?(_|$)",
            r"(^|_)(valid_thru|exp_month_year|expiry_mm_yy)(_|$)",
        ),
        validate=card_expiry_month_year,
        mask=masking.mask_date,
        requires_context=True,
        keyword_distance=24,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("PCI_DSS",),
        jurisdiction="GLOBAL",
        positives=(
            Example("Exp 09/27"),
            Example("Card expiry: 12/2026"),
            Example("VALID THRU 01/30"),
            Example("05/28", column="card_expiry"),
            Example("Visa ending 1111, expires 11/2029"),
        ),
        negatives=(
            Example("12/25", column="created_at"),
            Example("Renewal scheduled for 01/2030"),
            Example("expiry 13/25"),
            Example("Card expires 12/25/2026"),
            Example("exp 00/25"),
            Example("Exp 12/1999"),
        ),
    )
)

CARD_CVV = register(
    Detector(
        entity_type="CARD_CVV",
        patterns=(Pattern("digits_3_4", r"\b\d{3,4}\b", 0.2),),
        keywords=("cvv", "cvc", "cvv2", "cvc2", "cvn", "card verification", "security code"),
        column_hints=(
            r"(^|_)(cvv2?|cvc2?|cvn)(_code)?(_|$)",
            r"(^|_)(card_verification(_code|_value)?|card_security_code)(_|$)",
        ),
        # No validator: a verification code is any 3 (4 for Amex) digits.
        mask=masking.mask_keep_last(0),
        requires_context=True,
        keyword_distance=20,
        sensitivity=Sensitivity.HIGH,
        frameworks=("PCI_DSS",),
        jurisdiction="GLOBAL",
        positives=(
            Example("CVV: 123"),
            Example("cvc2 4567"),
            Example("737", column="cvv"),
            Example("Security code 0421"),
            Example("1234", column="card_verification_value"),
        ),
        negatives=(
            Example("123", column="count"),
            Example("2024", column="year"),
            Example("Room 123 on floor 4"),
            Example("CVV: 12345"),
            Example("cvv 12"),
            Example("Order 1234 shipped", column="notes"),
            Example("Order 1234: CVV check failed"),
        ),
    )
)

_BASE58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32_ALPHABET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
# BIP-350: witness version 0 addresses end in a bech32 checksum (constant 1), versions 1-16 in bech32m.
_BECH32M_CONSTANT = 0x2BC830A3
# Base58Check version bytes of mainnet pay-to-pubkey-hash (addresses 1...) and pay-to-script-hash (3...).
_BITCOIN_VERSIONS = frozenset({0x00, 0x05})


def _base58_decode(text: str) -> bytes | None:
    """The bytes a Base58 string encodes (each leading ``1`` is a zero byte), or None for a non-Base58 character."""
    number = 0
    for char in text:
        index = _BASE58_ALPHABET.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    return b"\x00" * zeros + number.to_bytes((number.bit_length() + 7) // 8, "big")


def _base58check_address(token: str) -> bool:
    payload = _base58_decode(token)
    if payload is None or len(payload) != 25 or payload[0] not in _BITCOIN_VERSIONS:
        return False
    return hashlib.sha256(hashlib.sha256(payload[:21]).digest()).digest()[:4] == payload[21:]


def _bech32_polymod(values: list[int]) -> int:
    checksum = 1
    for value in values:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit, generator in enumerate(_BECH32_GENERATOR):
            if top >> bit & 1:
                checksum ^= generator
    return checksum


def _five_to_eight_bits(values: list[int]) -> bytes | None:
    """Regroup 5-bit values into bytes; None when more than 4 padding bits remain or they are not zero (BIP-173)."""
    accumulator, bits, result = 0, 0, bytearray()
    for value in values:
        accumulator = (accumulator << 5 | value) & 0xFFF
        bits += 5
        if bits >= 8:
            bits -= 8
            result.append(accumulator >> bits & 0xFF)
    if bits >= 5 or accumulator << (8 - bits) & 0xFF:
        return None
    return bytes(result)


def _segwit_address(token: str) -> bool:
    if token not in (token.lower(), token.upper()):  # mixed case is invalid
        return False
    hrp, _separator, data_part = token.lower().rpartition("1")
    if hrp != "bc" or not 8 <= len(data_part) <= 87:
        return False
    data = [_BECH32_ALPHABET.find(char) for char in data_part]
    if -1 in data or data[0] > 16:
        return False
    expanded = [ord(char) >> 5 for char in hrp] + [0] + [ord(char) & 31 for char in hrp]
    if _bech32_polymod(expanded + data) != (1 if data[0] == 0 else _BECH32M_CONSTANT):
        return False
    program = _five_to_eight_bits(data[1:-6])
    if program is None or not 2 <= len(program) <= 40:
        return False
    return data[0] != 0 or len(program) in (20, 32)


def bitcoin_address_checksum(token: str, options: Mapping[str, Any]) -> bool:
    """True for a mainnet Bitcoin address with a valid checksum.

    Legacy (``1...``) and P2SH (``3...``) addresses: 25 Base58Check bytes, version 0 or 5, the first 4 bytes of
    the double SHA-256 of the rest at the end. SegWit (``bc1...``): bech32 (v0) or bech32m (v1+) checksum and
    a witness program of a valid length (BIP-173, BIP-350).
    """
    if not token.isascii():
        return False
    if token[:3].lower() == "bc1":
        return _segwit_address(token)
    return token[:1] in ("1", "3") and _base58check_address(token)


def mask_crypto_wallet(value: str) -> str:
    """Keep the address type prefix and the last four characters: ``1A1zP1...DivfNa`` -> ``1*****...vfNa``."""
    prefix = value[:3] if value[:3].lower() == "bc1" else value[:1]
    if len(value) <= len(prefix) + 8:
        return "*" * len(value)
    return prefix + "*" * (len(value) - len(prefix) - 4) + value[-4:]


CRYPTO_WALLET = register(
    Detector(
        entity_type="CRYPTO_WALLET",
        patterns=(
            # Base58 without 0, O, I and l; 25 to 34 characters. The 32-bit checksum does the real work.
            Pattern("base58check", r"\b[13][1-9A-HJ-NP-Za-km-z]{24,33}\b", 0.7),
            # bech32 is all lower or all upper case; 14 to 74 characters for a witness program of 2 to 40 bytes.
            Pattern("bech32", r"\b(?:bc1[02-9ac-hj-np-z]{11,71}|BC1[02-9AC-HJ-NP-Z]{11,71})\b", 0.8),
        ),
        keywords=(
            "bitcoin",
            "btc",
            "wallet",
            "crypto",
            "cryptocurrency",
            "wallet address",
            "payout address",
            "deposit address",
            "monedero",
            "billetera",
            "portefeuille",
            "krypto",
        ),
        column_hints=(
            r"(^|_)(btc|bitcoin|crypto|cryptocurrency)(_wallet)?(_address|_addr)?(_|$)",
            r"(^|_)(wallet(_address|_addr)?|payout_address|deposit_address|withdrawal_address)(_|$)",
            r"(^|_)(monedero|billetera|portefeuille|adresse_bitcoin|direcci(o|_)n_bitcoin)(_|$)",
        ),
        validate=bitcoin_address_checksum,
        mask=mask_crypto_wallet,
        sensitivity=Sensitivity.MEDIUM,
        frameworks=("GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            # The genesis block's address, a P2SH address, and BIP-173/BIP-350 test vectors.
            Example("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", column="btc_address"),
            Example("Send the refund to 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy please"),
            Example("payout: BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            Example("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", column="wallet"),
            Example("1NEDqZPvTWRaoho48qXuLLsrYomMXPABfD"),
        ),
        negatives=(
            Example("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb", column="btc_address"),
            # bech32 checksum on a version 1 program (must be bech32m), and bech32m on version 0.
            Example("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd"),
            Example("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh"),
            Example("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7"),
            Example("request 3f2a9c1e8b7d4a6f5e3c2b1a9d8e7f6a done"),
            Example("tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq"),
        ),
    )
)
