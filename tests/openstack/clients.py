"""Drives the conform mock with python-cinderclient (v3) and python-novaclient (2.1).

Usage: clients.py BASE_URL TOKEN PROJECT_ID SNAPSHOT_ID SERVER_ID
Prints one line per operation; exits non-zero on the first failure.
"""
import sys

from keystoneauth1 import session
from keystoneauth1.token_endpoint import Token
from cinderclient import client as cinder_client
from novaclient import client as nova_client


def main():
    base, token, project, snapshot_id, server_id = sys.argv[1:6]
    volume = cinder_client.Client(
        "3.0",
        session=session.Session(auth=Token(f"{base}/v3/{project}", token)),
    )
    compute = nova_client.Client(
        "2.1",
        session=session.Session(auth=Token(f"{base}/v2.1/{project}", token)),
    )

    listed = volume.volume_snapshots.list()
    assert snapshot_id in [s.id for s in listed], "list"
    print(f"cinder list: {len(listed)} snapshots")
    snapshot = volume.volume_snapshots.get(snapshot_id)
    old_name = snapshot.name
    print(f"cinder get: {snapshot.name}")
    volume.volume_snapshots.update(snapshot_id, name="renamed-by-cinderclient")
    assert volume.volume_snapshots.get(snapshot_id).name == "renamed-by-cinderclient", "update"
    volume.volume_snapshots.update(snapshot_id, name=old_name)
    print("cinder update: ok")
    volume.volume_snapshots.set_metadata(snapshot_id, {"from_cinderclient": "yes"})
    assert volume.volume_snapshots.get(snapshot_id).metadata.get("from_cinderclient") == "yes", "set"
    print("cinder set metadata: ok")
    volume.volume_snapshots.delete_metadata(snapshot_id, ["from_cinderclient"])
    assert "from_cinderclient" not in volume.volume_snapshots.get(snapshot_id).metadata, "unset"
    print("cinder delete metadata: ok")
    volume.volume_snapshots.update_all_metadata(snapshot_id, {"only": "this"})
    assert volume.volume_snapshots.get(snapshot_id).metadata == {"only": "this"}, "update all"
    volume.volume_snapshots.update_all_metadata(snapshot_id, {})
    assert volume.volume_snapshots.get(snapshot_id).metadata == {}, "update all back"
    print("cinder update all metadata: ok")

    server = compute.servers.get(server_id)
    print(f"nova get: {server.name} {server.status}")
    compute.servers.set_meta(server_id, {"from_novaclient": "yes"})
    assert compute.servers.get(server_id).metadata.get("from_novaclient") == "yes", "nova set"
    compute.servers.set_meta_item(server_id, "from_novaclient", "again")
    assert compute.servers.get(server_id).metadata.get("from_novaclient") == "again", "nova item"
    print("nova set metadata: ok")
    compute.servers.delete_meta(server_id, ["from_novaclient"])
    assert "from_novaclient" not in compute.servers.get(server_id).metadata, "nova delete"
    print("nova delete metadata: ok")


if __name__ == "__main__":
    main()
