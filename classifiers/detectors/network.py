"""Network identifiers: IPv4 and IPv6 addresses."""

from __future__ import annotations

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
