"""The compose init job, run before the other services start (and again on every upgrade; each step is
idempotent): the buckets with object versioning, the lake's tables, Airflow's metadata migration, and the
dashboards' first admin user.

    python docker/init.py
"""

from __future__ import annotations

import os
import subprocess

from safelake.settings import get_settings
from warehouse.publish import ObjectStore


def buckets(urls: list[str]) -> set[str]:
    return {url.removeprefix("s3://").partition("/")[0] for url in urls if url.startswith("s3://")}


def main() -> None:
    settings = get_settings()
    for bucket in sorted(buckets([settings.data_path, settings.warehouse_url or ""])):
        client = ObjectStore(settings, f"s3://{bucket}/").client
        if bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
            client.create_bucket(Bucket=bucket)
        # every overwritten or deleted object keeps its earlier versions: the backups' other half (docs/deploy.md)
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        print(f"bucket {bucket}: versioning enabled")
    subprocess.run(["safelake", "init"], check=True)
    subprocess.run(["airflow", "db", "migrate"], check=True)
    admin = os.environ["SAFELAKE_ADMIN_USER"]
    listed = subprocess.run(["safelake", "users", "list"], check=True, capture_output=True, text=True).stdout
    if admin not in listed.split():
        subprocess.run(["safelake", "users", "add", admin, "--role", "admin"], check=True)  # SAFELAKE_NEW_PASSWORD
        print(f"dashboards: user {admin} created")


if __name__ == "__main__":
    main()
