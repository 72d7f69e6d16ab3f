"""Receipt storage: sealed files on local disk, or in a private bucket of a real S3 server."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.test import Client, override_settings
from moto.server import ThreadedMotoServer

from rabatt.claims.tests.factories import claim_factory
from rabatt.core.config import storages_from_env
from rabatt.receipts.models import ReceiptFile
from rabatt.receipts.services import receipt_delete, receipt_read
from rabatt.review.tests.factories import verified_client

BUCKET = "rabatt-receipts"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3() -> Iterator[Any]:
    """A moto S3 server on localhost, speaking HTTP, with Rabatt's storage pointed at it."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per Python process: start every test from an empty server.
    urllib.request.urlopen(urllib.request.Request(  # noqa: S310
        f"{endpoint}/moto-api/reset", method="POST")).close()
    client = boto3.client("s3", endpoint_url=endpoint, region_name="eu-north-1",
                          aws_access_key_id="rabatt", aws_secret_access_key="secret")
    client.create_bucket(Bucket=BUCKET,
                         CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    storages = storages_from_env({
        "RABATT_S3_BUCKET": BUCKET, "RABATT_S3_ENDPOINT_URL": endpoint,
        "RABATT_S3_REGION": "eu-north-1", "RABATT_S3_ACCESS_KEY_ID": "rabatt",
        "RABATT_S3_SECRET_ACCESS_KEY": "secret", "RABATT_S3_PREFIX": "prod",
    })
    try:
        with override_settings(STORAGES=storages):
            yield client
    finally:
        server.stop()


def _keys(client: Any) -> list[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def test_local_disk_is_the_default(campaign):
    claim = claim_factory(campaign)
    receipt = ReceiptFile.objects.get(claim=claim)
    path = settings.MEDIA_ROOT / "receipts" / str(receipt.id)[:2] / f"{receipt.id}.sealed"
    assert path.is_file()
    assert path.stat().st_mode & 0o777 == 0o600
    assert not path.read_bytes().startswith(b"\xff\xd8")  # sealed, not the JPEG
    assert receipt_read(receipt=receipt).startswith(b"\xff\xd8")
    receipt_delete(receipt=receipt)
    assert not path.exists()


def test_receipts_are_sealed_in_a_private_bucket(s3, campaign):
    claim = claim_factory(campaign)
    receipt = ReceiptFile.objects.get(claim=claim)
    key = f"prod/receipts/{str(receipt.id)[:2]}/{receipt.id}.sealed"
    assert _keys(s3) == [key]
    stored = s3.get_object(Bucket=BUCKET, Key=key)
    assert stored["CacheControl"] == "private, no-store"
    assert not stored["Body"].read().startswith(b"\xff\xd8")
    # Only the owner may read it: no grant to everyone or to any authenticated AWS user.
    grants = s3.get_object_acl(Bucket=BUCKET, Key=key)["Grants"]
    assert [g["Permission"] for g in grants] == ["FULL_CONTROL"]
    assert all("URI" not in g["Grantee"] for g in grants)
    # A URL handed out is signed and lives one minute.
    url = default_storage.url(f"receipts/{str(receipt.id)[:2]}/{receipt.id}.sealed")
    assert "X-Amz-Signature=" in url
    assert "X-Amz-Expires=60" in url
    assert receipt_read(receipt=receipt).startswith(b"\xff\xd8")
    receipt_delete(receipt=receipt)
    assert _keys(s3) == []


def test_the_desk_serves_a_receipt_from_the_bucket(s3, campaign, agent):
    claim = claim_factory(campaign)
    receipt = ReceiptFile.objects.get(claim=claim)
    # Through the application, after its permission checks: never a link to the bucket.
    response = verified_client(agent).get(
        f"/staff/claims/{claim.reference}/files/{receipt.id}/1/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response.content.startswith(b"\xff\xd8")
    assert Client().get(f"/staff/claims/{claim.reference}/files/{receipt.id}/1/").status_code \
        in {302, 403}


def test_the_readiness_probe_writes_to_the_bucket(s3, client, db):
    assert client.get("/readyz").json()["checks"]["storage"] == "ok"
    assert _keys(s3) == []  # the probe cleans up after itself


def test_a_bucket_that_is_gone_makes_the_node_unready(s3, client, db):
    s3.delete_bucket(Bucket=BUCKET)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "down"


def test_no_public_access_to_the_object_url(s3, campaign):
    claim = claim_factory(campaign)
    receipt = ReceiptFile.objects.get(claim=claim)
    endpoint = s3.meta.endpoint_url
    key = f"prod/receipts/{str(receipt.id)[:2]}/{receipt.id}.sealed"
    request = urllib.request.Request(f"{endpoint}/{BUCKET}/{key}")  # noqa: S310
    try:
        with urllib.request.urlopen(request) as response:  # noqa: S310
            status, body = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, body = exc.code, b""
    # Refused, or (a server that answers anonymous reads) only ever the sealed bytes.
    assert status == 403 or not body.startswith(b"\xff\xd8")
