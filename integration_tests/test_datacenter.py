"""The connector on Confluence Data Center, over real HTTP against the double's Data Center mode.

The contract test serves one generated site as Cloud and as Data Center and requires every stream to
yield the same records, apart from the flavour differences listed in
docs/integrations/sources/confluence.md ("Cloud and Data Center differences"); each difference is one
rule below, named after its line in the docs.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from airbyte_cdk.models import Status
from airbyte_cdk.test.entrypoint_wrapper import read
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from confluence_double import ConfluenceDouble, DataCenterDouble, DataCenterSettings, SiteSpec, user_key
from integration_tests.conftest import ALL_STREAMS, catalog, final_state, records_by_stream
from source_confluence import SourceConfluence
from source_confluence.timestamps import format_timestamp

pytestmark = pytest.mark.integration

SPEC = SiteSpec(spaces=3, pages=400, blog_posts=40, footer_comments=240, inline_comments=80, tasks=120,
                attachments=80, labels=20, users=12, seed=21, body_bytes=900)
TINY = SiteSpec(spaces=2, pages=120, blog_posts=20, footer_comments=60, inline_comments=20, tasks=40,
                attachments=20, labels=10, users=8, seed=11, body_bytes=800)
URL_FIELDS = ("web_url", "download_url", "profile_url")


def sync(config: Mapping[str, Any], streams=ALL_STREAMS, state=None, expect_failure=False, **options: Any):
    return read(SourceConfluence(), {**config, **options}, catalog(streams), state, expecting_exception=expect_failure)


def check(config: Mapping[str, Any]):
    return SourceConfluence().check(logging.getLogger("test"), config)


# ---- the documented flavour differences, as rules --------------------------------------------------
class Flavours:
    """Turns a Cloud sync's records into what the same site yields on Data Center."""

    def __init__(self, site, cloud: dict[str, dict[str, Mapping[str, Any]]]) -> None:
        self.site = site
        self.cloud = cloud
        self.accounts = {user_key(account_id): account_id for account_id in site.users}

    def current(self, container_id: str | None) -> bool:
        container = self.site.pages.get(container_id or "") or self.site.blog_posts.get(container_id or "")
        return container is not None and container.status == "current"

    def as_cloud(self, record: Mapping[str, Any]) -> dict[str, Any]:
        """A Data Center record with user keys read as the account ids they stand for (the ids differ
        by design: "users are identified by user key"), and without the URLs ("web links")."""
        out: dict[str, Any] = {}
        for field, value in record.items():
            if field in URL_FIELDS or value is None:
                continue
            if isinstance(value, str):
                value = self.accounts.get(value, value)
                value = re.sub(r'ri:userkey="([0-9a-f]{32})"', lambda m: f'ri:account-id="{self.accounts[m.group(1)]}"', value)
                value = re.sub(r"@([0-9a-f]{32})\b", lambda m: "@" + self.accounts.get(m.group(1), m.group(1)), value)
            out[field] = value
        return out

    @staticmethod
    def without(record: Mapping[str, Any], *fields: str) -> dict[str, Any]:
        return {k: v for k, v in record.items() if k not in fields and k not in URL_FIELDS and v is not None}

    def expected(self, stream: str) -> dict[str, dict[str, Any]]:
        cloud = self.cloud[stream]
        if stream == "spaces":  # "spaces: no author, no creation time"
            return {i: self.without(r, "author_id", "created_at") for i, r in cloud.items()}
        if stream in ("pages", "blog_posts"):
            # "only current content is listed" and "pages have no owner"
            return {i: self.without(r, "owner_id") for i, r in cloud.items() if r["status"] == "current"}
        if stream == "comments":
            # "what hangs off content in the trash is not listed"; "comments always have created_at"
            out = {}
            for i, r in cloud.items():
                if self.current(r["container_id"]):
                    created = r.get("created_at") or format_timestamp(self.site.comments[i].created_at)
                    out[i] = {**self.without(r), "created_at": created}
            return out
        if stream == "attachments":
            return {i: self.without(r) for i, r in cloud.items() if r["status"] == "current" and self.current(r["container_id"])}
        if stream == "tasks":
            # "tasks: id is <container id>-<local id>; no creator, completer or own times; updated_at is the
            # container's last change"
            containers = {**self.cloud["pages"], **self.cloud["blog_posts"]}
            return {f"{r['container_id']}-{r['local_id']}":
                    {**self.without(r, "created_by", "completed_by", "created_at", "completed_at"),
                     "id": f"{r['container_id']}-{r['local_id']}",
                     "updated_at": containers[r["container_id"]]["updated_at"]}
                    for r in cloud.values() if self.current(r["container_id"])}
        if stream == "users":
            # "users: the username as public_name; no email, account type or status"
            return {i: {**self.without(r, "email", "account_type", "account_status", "resolved_at"),
                        "public_name": None} for i, r in cloud.items()}
        if stream == "decisions":  # "decisions of current content only"
            return {i: self.without(r) for i, r in cloud.items() if self.current(r["container_id"])}
        if stream == "content_labels":  # "what hangs off content in the trash is not listed"
            return {i: self.without(r) for i, r in cloud.items() if r["content_type"] != "attachment"
                    or self.current(self.site.attachments[r["content_id"]].container_id)}
        return {i: self.without(r) for i, r in cloud.items()}


def test_cloud_and_data_center_yield_the_same_records_apart_from_the_documented_differences():
    with ConfluenceDouble(SPEC) as cloud_double, DataCenterDouble(SPEC) as dc:
        cloud_output, dc_output = sync(cloud_double.config()), sync(dc.config())
        assert not cloud_output.errors and not dc_output.errors
        cloud, datacenter = records_by_stream(cloud_output), records_by_stream(dc_output)
        rules = Flavours(cloud_double.site, cloud)
        for stream in ("spaces", "pages", "blog_posts", "comments", "tasks", "content_labels", "attachments",
                       "decisions"):
            expected = rules.expected(stream)
            got = {i: rules.as_cloud(r) for i, r in datacenter[stream].items()}
            assert set(got) == set(expected), stream
            mismatched = [i for i in expected if got[i] != expected[i]]
            assert not mismatched, (stream, expected[mismatched[0]], got[mismatched[0]])
            assert len(expected) >= (SPEC.spaces if stream == "spaces" else 10), stream
        # Users: the accounts the Data Center records name (no space authors or page owners there).
        users = {rules.accounts[key]: rules.as_cloud(r) for key, r in datacenter["users"].items()}
        expected_users = rules.expected("users")
        assert set(users) <= set(expected_users) and len(users) >= 5
        for account_id, record in users.items():
            assert {**Flavours.without(record, "resolved_at"), "public_name": None} == {
                **expected_users[account_id], "account_id": account_id}
            assert datacenter["users"][user_key(account_id)]["public_name"] == dc.usernames[account_id]
        # Web links point at Data Center's own pages.
        page = next(iter(datacenter["pages"].values()))
        assert page["web_url"].startswith(dc.base_url + "/display/")
        user = next(iter(datacenter["users"].values()))
        assert user["profile_url"] == f"{dc.base_url}/display/~{user['public_name']}"


def test_an_edit_in_the_cursors_minute_is_never_missed():
    """The server compares to the minute in its own zone (UTC+05:45 here): the connector asks from the
    cursor's local minute and settles that minute by the ids and versions it already emitted."""
    with DataCenterDouble(TINY, DataCenterSettings(time_zone="Asia/Kathmandu")) as dc:
        site = dc.site
        state = final_state(sync(dc.config(), ["pages"]))
        space = max(site.spaces.values(), key=lambda s: sum(p.space_id == s.id for p in site.pages.values()))
        pages = [p for p in site.pages.values() if p.space_id == space.id and p.status == "current"]
        t0 = datetime(2026, 9, 1, 12, 0, 30, 250_000, tzinfo=UTC)
        site.edit_page(pages[0].id, at=t0)
        state = final_state(sync(dc.config(), ["pages"], state))
        cursor = next(s["cursor"] for s in state[0].stream.stream_state.__dict__["states"]
                      if s["partition"]["space_id"] == space.id)
        assert cursor["updated_at"] == "2026-09-01T12:00:30.250Z"

        same_instant, earlier, later, next_minute, again = pages[1], pages[2], pages[3], pages[4], pages[0]
        site.edit_page(same_instant.id, at=t0)                           # the cursor's very millisecond
        site.edit_page(earlier.id, at=t0 - timedelta(seconds=25))        # same minute, before the cursor
        site.edit_page(later.id, at=t0 + timedelta(seconds=20))          # same minute, after it
        site.edit_page(next_minute.id, at=t0 + timedelta(seconds=95))    # the next minute
        site.edit_page(again.id, at=t0 + timedelta(seconds=5), title="Edited twice in a minute")
        dc.reset_requests()
        output = sync(dc.config(), ["pages"], state)
        changed = records_by_stream(output)["pages"]
        assert set(changed) == {same_instant.id, earlier.id, later.id, next_minute.id, again.id}
        assert changed[again.id]["title"] == "Edited twice in a minute"
        # The walk asked from the cursor's minute in the server's zone, 12:00Z = 17:45 in Kathmandu.
        bounds = {re.search(r'lastmodified >= "([^"]+)"', q.query["cql"][0]).group(1)
                  for q in dc.requests if q.path.endswith("/content/search") and "lastmodified >=" in q.query["cql"][0]
                  and f'space = "{space.key}"' in q.query["cql"][0]}
        assert "2026-09-01 17:45" in bounds
        assert final_state(output) and records_by_stream(sync(dc.config(), ["pages"], final_state(output))) == {}


def test_incremental_reads_only_changes_and_trashed_pages_become_tombstones():
    with DataCenterDouble(TINY) as dc:
        site = dc.site
        state = final_state(sync(dc.config(), ["pages", "blog_posts", "comments", "tasks"]))
        current = [p for p in site.pages.values() if p.status == "current" and not site.children.get(p.id)]
        edited = current[3]
        site.edit_page(edited.id, title="Edited on Data Center")
        trashed = current[7]
        site.trash_page(trashed.id)
        comment = site.add_comment(current[9].id, "<p>New remark</p>")
        inline = next(c for c in site.comments.values() if c.comment_type == "inline" and c.status == "current"
                      and c.resolution_status == "open" and c.parent_comment_id is None
                      and (site.pages.get(c.container_id) or site.blog_posts[c.container_id]).status == "current")
        site.resolve_inline_comment(inline.id)
        task = next(t for t in site.tasks.values() if t.status == "incomplete" and site.pages.get(t.container_id)
                    and site.pages[t.container_id].status == "current")
        site.complete_task(task.id)
        output = sync(dc.config(), ["pages", "blog_posts", "comments", "tasks"], state, deletion_check_interval_hours=0)
        assert not output.errors
        changed = records_by_stream(output)
        assert changed["pages"][edited.id]["title"] == "Edited on Data Center"
        # Search does not list the trash: the deletion check finds the page gone.
        assert changed["pages"][trashed.id]["status"] == "deleted" and changed["pages"][trashed.id]["deleted_at"]
        assert set(changed["pages"]) == {edited.id, trashed.id, task.container_id}
        assert comment.id in changed["comments"] and changed["comments"][comment.id]["comment_type"] == "footer"
        # Resolving creates no version: the deletion check's id scan finds it and re-reads the page's comments.
        assert changed["comments"][inline.id]["resolution_status"] == "resolved"
        assert changed["comments"][inline.id]["comment_type"] == "inline"
        assert changed["tasks"][f"{task.container_id}-{task.local_id}"]["status"] == "complete"
        assert not changed.get("blog_posts")


def test_check_fails_clearly_when_an_invalid_token_is_taken_as_anonymous():
    with DataCenterDouble(TINY) as dc:
        assert check(dc.config()).status == Status.SUCCEEDED
        assert check(dc.basic_config()).status == Status.SUCCEEDED
        bad_token = {**dc.config(), "credentials": {**dc.config()["credentials"], "personal_access_token": "pat-Zq81-stale"}}
        status = check(bad_token)
        assert status.status == Status.FAILED
        assert "anonymous" in status.message and "credentials.personal_access_token" in status.message
        assert "pat-Zq81-stale" not in status.message
        wrong_password = {**dc.basic_config(), "credentials": {**dc.basic_config()["credentials"], "password": "nope"}}
        status = check(wrong_password)
        assert status.status == Status.FAILED and "HTTP 401" in status.message and "credentials.password" in status.message
        wrong_context = {**dc.config(), "site_url": dc.url + "/wiki"}
        status = check(wrong_context)
        assert status.status == Status.FAILED and "context path" in status.message


def test_basic_auth_sync_and_a_server_before_7_18_without_the_scan_endpoint():
    with DataCenterDouble(TINY, DataCenterSettings(scan_endpoint=False, version="7.13.0")) as old:
        records = records_by_stream(sync(old.basic_config(), ["pages", "content_labels", "users"],
                                         deletion_check_interval_hours=0))
        assert set(records["pages"]) == {p.id for p in old.site.pages.values() if p.status == "current"}
        paths = {q.path for q in old.requests}
        assert old.base_url.removeprefix(old.url) + "/rest/api/content/scan" in paths  # tried once
        assert sum(q.path.endswith("/content/scan") for q in old.requests) == 1
        labelled = {r["content_id"] for r in records["content_labels"].values() if r["content_type"] == "page"}
        assert labelled == {i for i, ids in old.site.labels_by_content.items()
                            if ids and i in old.site.pages and old.site.pages[i].status == "current"}


def test_an_interrupted_first_sync_resumes_from_its_last_checkpoint():
    with DataCenterDouble(TINY) as dc:
        full = sync(dc.config(), ["pages"], page_size=20)
        kept, state, seen_states = set(), None, 0
        for message in full.records_and_state_messages:
            if message.type.value == "STATE":
                seen_states += 1
                state = message.state
                if seen_states == 3:
                    break
            else:
                kept.add(message.record.data["id"])
        resumed = set(records_by_stream(sync(dc.config(), ["pages"], [state], page_size=20))["pages"])
        truth = {p.id for p in dc.site.pages.values() if p.status == "current"}
        assert kept | resumed == truth
        assert len(resumed) <= len(truth) - len(kept) + 2 * 20 and len(kept) >= 40


def tls_context(tmp_path) -> tuple[str, ssl.SSLContext]:
    """A corporate-style CA and a server certificate it signed for 127.0.0.1: (CA PEM, server context)."""
    now = datetime.now(UTC)
    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Example Corp Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
          .not_valid_after(now + timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
          .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True, content_commitment=False,
                                       key_encipherment=False, data_encipherment=False, key_agreement=False,
                                       encipher_only=False, decipher_only=False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    server = (x509.CertificateBuilder()
              .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
              .issuer_name(ca_name).public_key(server_key.public_key()).serial_number(x509.random_serial_number())
              .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=1))
              .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                             critical=False)
              .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
              .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
              .sign(ca_key, hashes.SHA256()))
    cert_file, key_file = tmp_path / "server.pem", tmp_path / "server.key"
    cert_file.write_bytes(server.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(server_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                  serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return ca.public_bytes(serialization.Encoding.PEM).decode(), context


def test_tls_stays_verified_and_a_corporate_ca_can_be_added(tmp_path):
    ca_pem, context = tls_context(tmp_path)
    with DataCenterDouble(TINY, tls=context) as dc:
        assert dc.base_url.startswith("https://127.0.0.1:")
        refused = check(dc.config())
        assert refused.status == Status.FAILED and "TLS verification failed" in refused.message
        trusted = {**dc.config(), "credentials": {**dc.config()["credentials"], "ca_certificate": ca_pem}}
        assert check(trusted).status == Status.SUCCEEDED
        pages = records_by_stream(sync(trusted, ["pages"]))["pages"]
        assert set(pages) == {p.id for p in dc.site.pages.values() if p.status == "current"}


def test_selection_options_on_data_center():
    with DataCenterDouble(TINY) as dc:
        site = dc.site
        space = next(iter(site.spaces.values()))
        records = records_by_stream(sync(dc.config(), ["spaces", "pages", "comments", "attachments"],
                                         space_keys=[space.key]))
        assert set(records["spaces"]) == {space.id}
        assert set(records["pages"]) == {p.id for p in site.pages.values()
                                         if p.space_id == space.id and p.status == "current"}
        assert {r["space_id"] for r in records["comments"].values()} == {space.id}

        root = next(p for p in site.pages.values() if p.parent_id and len(site.children.get(p.id, ())) >= 2
                    and p.status == "current")
        subtree, stack = set(), [root.id]
        while stack:
            page_id = stack.pop()
            subtree.add(page_id)
            stack.extend(site.children.get(page_id, ()))
        tree = records_by_stream(sync(dc.config(), ["pages"], page_tree_roots=[root.id]))["pages"]
        assert set(tree) == {p for p in subtree if site.pages[p].status == "current"} and len(tree) >= 2

        label = max(site.labels.values(), key=lambda lb: len(site.content_by_label.get(lb.id, {})))
        labelled = records_by_stream(sync(dc.config(), ["pages", "blog_posts"], labels=[label.name]))
        got = set(labelled["pages"]) | set(labelled.get("blog_posts", {}))
        assert got == {c for c in site.content_by_label[label.id]
                       if (site.pages.get(c) or site.blog_posts.get(c)) is not None
                       and (site.pages.get(c) or site.blog_posts[c]).status == "current"} and got
