"""Drives the conform mock with openstacksdk through `openstack.connect`.

Usage: sdk.py BASE_URL TOKEN PROJECT_ID SNAPSHOT_ID SERVER_ID
Prints one line per operation (never the token); any client error ends the script with it.

Connecting: `auth_type="admin_token"` takes one endpoint and no service catalog, so each API gets
its own connection whose endpoint is that API's project URL (`/v3/{project_id}`,
`/v2/{project_id}`, `/v2.1/{project_id}`), as a Cinder or Nova catalog entry reads. keystoneauth
discovers the version from it (it asks `/v3`, `/v2.1` for their version documents and negotiates
the microversion), so no `*_endpoint_override` and no version override is needed: the single
admin_token endpoint pointing at the mock's root would not do, since the SDK appends its paths
to that endpoint as is and Cinder's and Nova's paths carry the project id.
"""
import sys

import openstack


def connect(base, token, path, **kwargs):
    return openstack.connect(
        auth_type="admin_token",
        auth={"endpoint": f"{base}/{path}", "token": token},
        **kwargs,
    )


def block_storage(conn, label, project, snapshot_id):
    bs = conn.block_storage
    snap = bs.get_snapshot(snapshot_id)
    old_name, old_description = snap.name, snap.description
    print(f"{label} get snapshot: {snap.name}")

    bs.update_snapshot(snapshot_id, name=f"renamed-by-sdk-{label}", description="by sdk")
    again = bs.get_snapshot(snapshot_id)
    assert (again.name, again.description) == (f"renamed-by-sdk-{label}", "by sdk"), "update"
    bs.update_snapshot(snapshot_id, name=old_name, description=old_description)
    print(f"{label} update snapshot: ok")

    old_meta = dict(bs.get_snapshot_metadata(snapshot_id).metadata or {})
    bs.set_snapshot_metadata(snapshot_id, from_sdk="yes", second="2")
    meta = bs.get_snapshot_metadata(snapshot_id).metadata
    assert meta == {**old_meta, "from_sdk": "yes", "second": "2"}, f"set: {meta}"
    print(f"{label} set snapshot metadata: ok")

    replaced = bs.get_snapshot(snapshot_id).replace_metadata(bs, {"only": "this"})
    assert replaced.metadata == {"only": "this"}, f"replace answer: {replaced.metadata}"
    assert bs.get_snapshot(snapshot_id).metadata == {"only": "this"}, "replace"
    print(f"{label} replace snapshot metadata: ok")

    bs.delete_snapshot_metadata(snapshot_id, keys=["only"])
    assert bs.get_snapshot(snapshot_id).metadata == {}, "delete"
    if old_meta:
        bs.get_snapshot(snapshot_id).replace_metadata(bs, old_meta)
    print(f"{label} delete snapshot metadata: ok")

    # Every snapshot of the project, two a page: the pages follow the next links, and on v3
    # each item is a whole detail item (the reserved attributes only the detail list carries;
    # the SDK's v2 Snapshot keeps none of them, so there only the pages are compared).
    paged = list(bs.snapshots(details=True, limit=2))
    whole = list(bs.snapshots(details=True))
    assert len(whole) > 2, f"too few snapshots to page: {len(whole)}"
    assert [s.id for s in paged] == [s.id for s in whole], "pages"
    if label.endswith("v3"):
        for s in paged:
            assert s.progress is not None and s.project_id == project, f"not a detail item: {s.id}"
            assert s.user_id is not None, f"no user_id: {s.id}"
    print(f"{label} snapshots(details=True, limit=2): {len(paged)} detail items")


def compute(conn, server_id):
    server = conn.compute.get_server(server_id)
    assert server.id == server_id and server.flavor is not None and server.created_at, "server"
    old_meta = dict(server.metadata or {})
    print(f"compute get server: {server.name} {server.status}")

    conn.compute.set_server_metadata(server_id, from_sdk="yes")
    meta = conn.compute.get_server_metadata(server_id).metadata
    assert meta == {**old_meta, "from_sdk": "yes"}, f"set: {meta}"
    print("compute set server metadata: ok")

    replaced = conn.compute.get_server(server_id).replace_metadata(conn.compute, {"only": "this"})
    assert replaced.metadata == {"only": "this"}, f"replace answer: {replaced.metadata}"
    assert conn.compute.get_server(server_id).metadata == {"only": "this"}, "replace"
    print("compute replace server metadata: ok")

    conn.compute.delete_server_metadata(server_id, keys=["only"])
    assert conn.compute.get_server(server_id).metadata == {}, "delete"
    conn.compute.set_server_metadata(server_id, **old_meta)
    assert conn.compute.get_server(server_id).metadata == old_meta, "restore"
    print("compute delete server metadata: ok")


def main():
    base, token, project, snapshot_id, server_id = sys.argv[1:6]
    for version, path in (("2", "v2"), ("3", "v3")):
        conn = connect(base, token, f"{path}/{project}", block_storage_api_version=version)
        block_storage(conn, f"block-storage v{version}", project, snapshot_id)
    compute(connect(base, token, f"v2.1/{project}"), server_id)


if __name__ == "__main__":
    main()
