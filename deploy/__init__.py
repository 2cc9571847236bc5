"""Deployment: CloudFormation templates, the EMR Serverless run definition and the package builder."""
