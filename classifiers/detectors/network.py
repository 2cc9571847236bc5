"""Network identifiers: IPv4 and IPv6 addresses, MAC addresses."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from classifiers import masking, validators
from classifiers.detector import Detector, Example, Pattern, Sensitivity
from classifiers.registry import register

IP_ADDRESS = register(
    Detector(
        entity_type="IP_ADDRESS",
        patterns=(
            # Matches the whole dotted run (1.2.3.4.5 too) so that version strings fail validation as one token.
            Pattern("ipv4", r"\b\d{1,3}(?:\.\d{1,3}){3,}\b", 0.5),
            # IPv6 is either all eight groups or compressed with '::'. Requiring one of the two keeps clock
            # times (10:30:00) and MAC addresses out of the candidates, which matters for log throughput.
            Pattern("ipv6", r"\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){7}\b", 0.7),
            Pattern(
                "ipv6_compressed",
                r"(?:\b[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6})?::(?:[0-9A-Fa-f]{1,4}(?::[0-9A-Fa-f]{1,4}){0,6}\b)?",
                0.7,
            ),
        ),
        keywords=("ip", "ip address", "ipv4", "ipv6", "host", "client", "remote"),
        column_hints=(
            r"(^|_)(ip|ip_addr(ess)?|client_ip|remote_addr)(_|$)",
            r"(^|_)(ipv4|ipv6|source_ip|src_ip|dst_ip|host_ip)(_|$)",
        ),
        # Four-part version numbers are valid IPv4 addresses; in a version or build column they are versions.
        column_exclusions=(r"(^|_)(version|ver|build|release|firmware|sw_version|os_build|build_number)(_|$)",),
        exclusion_keywords=("version", "ver", "build", "release", "firmware", "revision", "rev"),
        validate=validators.ip_address,
        mask=masking.mask_ip_address,
        sensitivity=Sensitivity.LOW,
        frameworks=("GDPR", "CCPA"),
        jurisdiction="GLOBAL",
        positives=(
            Example("192.168.10.25", column="client_ip"),
            Example("GET /index.html from 203.0.113.7 at 10:30"),
            Example("2001:db8::8a2e:370:7334", column="ip"),
            Example("Connected to fe80::1ff:fe23:4567:890a via eth0"),
            Example("127.0.0.1"),
            Example("::1", column="remote_addr"),
            Example("2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
        ),
        negatives=(
            Example("Version 1.2.3.4.5 released"),
            Example("10.0.19045.1234", column="os_build"),
            Example("01.02.03.04"),
            Example("0.0.0.0"),
            Example("255.255.255.255"),
            Example("Meeting at 12:30:45"),
            Example("MAC 00:1a:2b:3c:4d:5e"),
            Example("256.1.1.1"),
            Example("2024-06-01T10:00:00Z request took 12ms"),
            Example("std::string name"),
        ),
    )
)

# Validation only (Python re): the back-reference makes the separator consistent across all five positions.
_MAC_RE = re.compile(r"[0-9A-Fa-f]{2}([:-])[0-9A-Fa-f]{2}(?:\1[0-9A-Fa-f]{2}){4}|[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2}")
_HEX_DIGIT_RE = re.compile(r"[0-9A-Fa-f]")


def mac_address(token: str, options: Mapping[str, Any]) -> bool:
    """True for a MAC-48 address: six hex pairs split by one kind of ``:``/``-``, or Cisco ``xxxx.xxxx.xxxx``.

    The all-zero and broadcast addresses are rejected, and so are all-digit dotted forms, which are far more
    often build or version numbers (``2024.0601.1030``) than MAC addresses.
    """
    if _MAC_RE.fullmatch(token) is None:
        return False
    compact = re.sub(r"[:.-]", "", token).lower()
    if "." in token and compact.isdigit():
        return False
    return compact not in ("000000000000", "ffffffffffff")


def mask_mac_address(value: str) -> str:
    """Keep the last two hex digits and the separators: ``00:1a:2b:3c:4d:5e`` -> ``**:**:**:**:**:5e``."""
    hex_positions = [index for index, char in enumerate(value) if _HEX_DIGIT_RE.fullmatch(char)]
    hidden = set(hex_positions[:-2]) if len(hex_positions) > 2 else set(hex_positions)
    return "".join("*" if index in hidden else char for index, char in enumerate(value))


MAC_ADDRESS = register(
    Detector(
        entity_type="MAC_ADDRESS",
        patterns=(
            # Longer runs of the same groups are taken into the match so that they fail the validator as a whole
            # (IPv6 written with two-digit groups, dotted build numbers) instead of yielding a MAC inside them.
            Pattern("colon_pairs", r"\b[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){5,}\b", 0.6),
            Pattern("dash_pairs", r"\b[0-9A-Fa-f]{2}(?:-[0-9A-Fa-f]{2}){5,}\b", 0.6),
            Pattern("cisco_dotted", r"\b[0-9A-Fa-f]{4}(?:\.[0-9A-Fa-f]{4}){2,}\b", 0.6),
        ),
        keywords=(
            "mac",
            "mac address",
            "mac-address",
            "hwaddr",
            "hw address",
            "hardware address",
            "physical address",
            "ether",
            "bssid",
            "adresse mac",
            "dirección mac",
        ),
        column_hints=(
            r"(^|_)(mac|mac_addr(ess)?|hw_?addr(ess)?|bssid|ether(net)?_addr(ess)?)(_|$)",
            r"(^|_)(device_mac|client_mac|wifi_mac|physical_address|hardware_address)(_|$)",
        ),
        validate=mac_address,
        mask=mask_mac_address,
        sensitivity=Sensitivity.LOW,
        frameworks=(),
        jurisdiction="GLOBAL",
        positives=(
            Example("00:1a:2b:3c:4d:5e", column="mac_address"),
            Example("Device 3C-22-FB-9A-10-7E joined the network"),
            Example("Switch port learned 0050.5612.34ab"),
            Example("link/ether 08:00:27:4e:66:a1 brd ff:ff:ff:ff:ff:ff"),
            Example("AC:DE:48:00:11:22", column="client"),
        ),
        negatives=(
            Example("Version 1.2.3.4 released"),
            Example("Build 2024.0601.1030", column="build"),
            Example("2024-06-01T10:00:00Z request took 12ms"),
            Example("Timer 10:20:30:40:50"),
            Example("00:00:00:00:00:00", column="mac"),
            Example("FF:FF:FF:FF:FF:FF"),
            Example("00:1a-2b:3c:4d:5e", column="mac"),
            Example("20:01:0d:b8:00:00:00:01"),
        ),
    )
)
