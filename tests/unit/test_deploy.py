"""The deployment templates (deploy/): cfn-lint clean, least privilege, and job arguments our CLIs accept."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint_file
from cfnlint.decode import decode

from jobs import scan, tag

ROOT = Path(__file__).resolve().parents[2]
CFN = ROOT / "deploy" / "cloudformation"
TEMPLATES = sorted(CFN.glob("*.yaml"))
START_JOB_RUN = ROOT / "deploy" / "emr-serverless" / "start-job-run.json"
DEPLOY_DOC = ROOT / "docs" / "deploy.md"

# The only actions granted on "Resource": "*", each because AWS offers no narrower resource for it.
STAR_RESOURCE_EXCEPTIONS = {
    "s3:ListAllMyBuckets",  # s3://* discovery; the action has no resource type
    "cloudwatch:PutMetricData",  # no resource type; narrowed by the cloudwatch:namespace condition instead
    "lakeformation:GetResourceLFTags",  # the Lake Formation tag APIs have no resource-level permissions
    "lakeformation:GetLFTag",
    "lakeformation:CreateLFTag",
    "lakeformation:UpdateLFTag",
    "lakeformation:AddLFTagsToResource",
    "lakeformation:RemoveLFTagsFromResource",
}
SCANNED_PARAMETERS = {"ScannedBucketArns", "ScannedObjectArns"}
SCAN_READ_ACTIONS = {"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"}
TAG_ACTIONS = {
    "s3:GetObjectTagging",
    "s3:PutObjectTagging",
    "s3:DeleteObjectTagging",
    "s3:GetBucketTagging",
    "s3:PutBucketTagging",
    "glue:UpdateTable",
}
# DefaultArguments that AWS Glue itself consumes; every other key must be an option of our job's parser.
GLUE_ARGUMENTS = {
    "--job-language",
    "--job-bookmark-option",
    "--enable-metrics",
    "--enable-continuous-cloudwatch-log",
    "--additional-python-modules",
    "--extra-files",
    "--extra-jars",
}
EMR_PLACEHOLDERS = {
    "<APPLICATION_ID>",
    "<SCAN_ROLE_ARN>",
    "<ARTIFACTS_PATH>",
    "<SCANNED_BUCKET>",
    "<SCANNED_PREFIX>",
    "<FINDINGS_BUCKET>",
}


def load(name: str) -> dict[str, Any]:
    template, matches = decode(str(CFN / name))
    assert not matches, matches
    assert template is not None
    return dict(template)


def unconditional(item: Any) -> Any:
    """The value of an ``Fn::If [condition, value, AWS::NoValue]`` (or the item itself); None for NoValue."""
    if isinstance(item, dict) and "Fn::If" in item:
        _, value, otherwise = item["Fn::If"]
        assert otherwise == {"Ref": "AWS::NoValue"}
        return value
    return item


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for policy in role["Properties"]["Policies"]:
        for statement in policy["PolicyDocument"]["Statement"]:
            statement = unconditional(statement)
            if statement is not None:
                found.append(statement)
    return found


def refs(value: Any) -> set[str]:
    """Every name a value refers to (Ref, GetAtt and ${...} of Fn::Sub), at any depth."""
    if isinstance(value, dict):
        names: set[str] = set()
        for key, inner in value.items():
            if key == "Ref":
                names.add(str(inner))
            elif key == "Fn::Sub":
                template = inner if isinstance(inner, str) else inner[0]
                names |= set(re.findall(r"\$\{([^}.]+)", template))
                if not isinstance(inner, str):
                    names |= refs(inner[1])
            else:
                names |= refs(inner)
        return names
    if isinstance(value, list):
        return set().union(*(refs(v) for v in value)) if value else set()
    return set()


def roles() -> list[tuple[str, str, dict[str, Any]]]:
    found = []
    for path in TEMPLATES:
        for name, resource in load(path.name)["Resources"].items():
            if resource["Type"] == "AWS::IAM::Role":
                found.append((path.name, name, resource))
    return found


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: p.name)
def test_cfn_lint_reports_nothing(template: Path) -> None:
    matches = lint_file(template)
    assert [str(m) for m in matches] == []


def test_the_templates_are_all_there() -> None:
    assert {p.name for p in TEMPLATES} == {
        "findings.yaml",
        "scan-roles.yaml",
        "member-access.yaml",
        "glue-job.yaml",
        "emr-serverless.yaml",
    }


def test_no_wildcard_actions_and_no_star_resource_outside_the_exceptions() -> None:
    for template, name, role in roles():
        for statement in statements(role):
            assert statement["Effect"] == "Allow", (template, name)
            actions = as_list(statement["Action"])
            assert all("*" not in a for a in actions), (template, name, actions)
            if "*" in as_list(statement["Resource"]):
                assert set(actions) <= STAR_RESOURCE_EXCEPTIONS, (template, name, actions)
            if "cloudwatch:PutMetricData" in actions:
                assert statement["Condition"]["StringEquals"]["cloudwatch:namespace"] == {"Ref": "MetricsNamespace"}


def test_scan_role_only_reads_the_scanned_data_and_writes_only_the_findings_location() -> None:
    role = load("scan-roles.yaml")["Resources"]["ScanRole"]
    assert "Condition" not in role
    writes = set()
    for statement in statements(role):
        actions = set(as_list(statement["Action"]))
        names = refs(statement["Resource"])
        assert not any(a.startswith("s3:Put") for a in actions) or names == {
            "AWS::Partition",
            "FindingsBucketName",
            "FindingsPrefix",
        }
        if names & SCANNED_PARAMETERS:
            assert actions <= SCAN_READ_ACTIONS, statement
        if actions & {"s3:PutObject", "s3:DeleteObject"}:
            writes.add(statement["Resource"]["Fn::Sub"])
        assert not actions & TAG_ACTIONS, statement
        if "kms:Decrypt" in actions and names == {"ScannedKmsKeyArns"}:
            assert statement["Condition"]["StringLike"]["kms:ViaService"] == {"Fn::Sub": "s3.*.${AWS::URLSuffix}"}
        if "events:PutEvents" in actions:
            assert statement["Resource"] == {"Ref": "EventBusArn"}
        if "secretsmanager:GetSecretValue" in actions:
            assert statement["Resource"] == {"Ref": "SecretArns"}
    assert writes == {"arn:${AWS::Partition}:s3:::${FindingsBucketName}/${FindingsPrefix}/*"}


def test_the_tag_role_exists_only_when_tagging_is_enabled() -> None:
    template = load("scan-roles.yaml")
    assert template["Conditions"]["TaggingEnabled"] == {"Fn::Equals": [{"Ref": "EnableTagging"}, "true"]}
    assert template["Parameters"]["EnableTagging"]["Default"] == "false"
    role = template["Resources"]["TagRole"]
    assert role["Condition"] == "TaggingEnabled"
    assert template["Outputs"]["TagRoleArn"]["Condition"] == "TaggingEnabled"
    granted = set().union(*(set(as_list(s["Action"])) for s in statements(role)))
    assert granted >= TAG_ACTIONS


def test_job_roles_trust_only_glue_and_emr_serverless_of_this_account() -> None:
    template = load("scan-roles.yaml")
    for name in ("ScanRole", "TagRole"):
        (trust,) = template["Resources"][name]["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert set(trust["Principal"]["Service"]) == {"glue.amazonaws.com", "emr-serverless.amazonaws.com"}
        assert trust["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_member_account_role_is_read_only_and_trusts_the_central_scan_role() -> None:
    role = load("member-access.yaml")["Resources"]["ScanAccessRole"]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Ref": "CentralScanRoleArn"}}
    granted = set().union(*(set(as_list(s["Action"])) for s in statements(role)))
    assert granted == SCAN_READ_ACTIONS | {
        "s3:ListAllMyBuckets",
        "kms:Decrypt",
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetTables",
        "glue:GetPartitions",
    }


def test_findings_bucket_is_private_tls_only_and_kms_encrypted() -> None:
    resources = load("findings.yaml")["Resources"]
    bucket = resources["FindingsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    (rule,) = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"] == {
        "SSEAlgorithm": "aws:kms",
        "KMSMasterKeyID": {"Fn::GetAtt": ["FindingsKey", "Arn"]},
    }
    assert rule["BucketKeyEnabled"] is True
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    prefixes = [r.get("Prefix") for r in bucket["LifecycleConfiguration"]["Rules"]]
    assert {"Fn::Sub": "${FindingsPrefix}/reports/"} in prefixes
    assert resources["FindingsKey"]["Properties"]["EnableKeyRotation"] is True

    policy = resources["FindingsBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (tls,) = [s for s in policy if "aws:SecureTransport" in s.get("Condition", {}).get("Bool", {})]
    assert tls["Effect"] == "Deny" and tls["Action"] == "s3:*" and tls["Principal"] == "*"
    assert tls["Condition"]["Bool"]["aws:SecureTransport"] == "false"
    assert tls["Resource"] == [{"Fn::GetAtt": ["FindingsBucket", "Arn"]}, {"Fn::Sub": "${FindingsBucket.Arn}/*"}]

    workgroup = resources["WorkGroup"]["Properties"]["WorkGroupConfiguration"]
    assert workgroup["EnforceWorkGroupConfiguration"] is True
    results = workgroup["ResultConfiguration"]
    assert results["OutputLocation"] == {"Fn::Sub": "s3://${FindingsBucket}/athena-results/"}
    assert results["EncryptionConfiguration"] == {
        "EncryptionOption": "SSE_KMS",
        "KmsKey": {"Fn::GetAtt": ["FindingsKey", "Arn"]},
    }
    assert resources["Database"]["Type"] == "AWS::Glue::Database"


def job_argv(arguments: dict[str, Any], values: dict[str, str]) -> list[str]:
    """The job's own arguments as Glue passes them (``--key value``), parameters replaced by sample values."""
    argv = ["--JOB_NAME", "piiscan-scan"]
    for key, value in arguments.items():
        if key in GLUE_ARGUMENTS:
            continue
        argv += [key, values[value["Ref"]] if isinstance(value, dict) else value]
    return argv


def test_glue_jobs_pass_only_arguments_our_clis_accept() -> None:
    template = load("glue-job.yaml")
    resources = template["Resources"]
    samples = {"Source": "s3://data-lake/raw/", "Output": "s3://findings/piiscan"}
    for name, parse, config in (("ScanJob", scan.parse_args, "scan.yaml"), ("TagJob", tag.parse_args, "tag.yaml")):
        job = resources[name]["Properties"]
        assert job["GlueVersion"] == "5.0"
        arguments = job["DefaultArguments"]
        assert arguments["--job-bookmark-option"] == "job-bookmark-disable"
        assert arguments["--additional-python-modules"] == {"Ref": "AdditionalPythonModules"}
        assert set(arguments) - GLUE_ARGUMENTS, name
        args = parse(job_argv(arguments, samples))  # exits (SystemExit) on any argument it does not accept
        assert args.output == "s3://findings/piiscan"
        assert args.config == config
        assert arguments["--extra-files"]["Ref"].endswith("ConfigLocation")  # puts the config in the working dir
    assert scan.parse_args(job_argv(resources["ScanJob"]["Properties"]["DefaultArguments"], samples)).source == [
        "s3://data-lake/raw/"
    ]
    assert resources["ScanJob"]["Properties"]["DefaultArguments"]["--extra-jars"] == {
        "Fn::If": ["HasExtraJars", {"Ref": "ExtraJars"}, {"Ref": "AWS::NoValue"}]
    }


def test_glue_scan_is_scheduled_and_tagging_follows_only_when_enabled() -> None:
    resources = load("glue-job.yaml")["Resources"]
    schedule = resources["ScanSchedule"]["Properties"]
    assert schedule["Type"] == "SCHEDULED" and schedule["Schedule"] == {"Ref": "Schedule"}
    assert schedule["Actions"] == [{"JobName": {"Ref": "ScanJob"}}]
    for name in ("TagJob", "TagAfterScan"):
        assert resources[name]["Condition"] == "TaggingEnabled"
    after = resources["TagAfterScan"]["Properties"]
    assert after["Type"] == "CONDITIONAL"
    assert after["Predicate"]["Conditions"] == [
        {"LogicalOperator": "EQUALS", "JobName": {"Ref": "ScanJob"}, "State": "SUCCEEDED"}
    ]
    assert after["Actions"] == [{"JobName": {"Ref": "TagJob"}}]


def test_emr_serverless_application_is_bounded_and_stops_when_idle() -> None:
    template = load("emr-serverless.yaml")
    assert template["Parameters"]["ReleaseLabel"]["Default"].startswith("emr-7.")
    application = template["Resources"]["Application"]["Properties"]
    assert application["Type"] == "SPARK"
    assert application["AutoStopConfiguration"]["Enabled"] is True
    assert set(application["MaximumCapacity"]) == {"Cpu", "Memory"}
    assert {c["Key"] for c in application["InitialCapacity"]} == {"Driver", "Executor"}


def test_start_job_run_document_has_the_documented_placeholders_and_arguments_our_cli_accepts() -> None:
    text = START_JOB_RUN.read_text(encoding="utf-8")
    document = json.loads(text)
    assert set(re.findall(r"<[A-Z_]+>", text)) == EMR_PLACEHOLDERS
    documented = DEPLOY_DOC.read_text(encoding="utf-8")
    assert all(f"`{p}`" in documented for p in EMR_PLACEHOLDERS)

    submit = document["jobDriver"]["sparkSubmit"]
    assert submit["entryPoint"] == "s3://<ARTIFACTS_PATH>/scan.py"
    args = scan.parse_args(submit["entryPointArguments"])
    assert args.source == ["s3://<SCANNED_BUCKET>/<SCANNED_PREFIX>/"]
    assert args.output == "s3://<FINDINGS_BUCKET>/piiscan"
    conf = dict(c.split("=", 1) for c in re.findall(r"--conf (\S+)", submit["sparkSubmitParameters"]))
    assert conf["spark.archives"] == "s3://<ARTIFACTS_PATH>/piiscan-env.tar.gz#environment"
    assert conf["spark.emr-serverless.driverEnv.PYSPARK_PYTHON"] == "./environment/bin/python"
    assert conf["spark.executorEnv.PYSPARK_PYTHON"] == "./environment/bin/python"
    assert conf["spark.files"].endswith("/" + args.config)
    assert document["applicationId"] == "<APPLICATION_ID>"
    assert document["executionRoleArn"] == "<SCAN_ROLE_ARN>"
