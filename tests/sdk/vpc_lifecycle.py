"""Drives `conform mock --schemas` with the official Huawei Cloud Python SDK (huaweicloudsdkvpc v2).

One VPC's lifecycle as a user of the SDK runs it: create, show, update, show, list, delete,
show (404), show an unknown id (404), list (gone); before the VPC goes, a subnet in it, which
the SDK updates and deletes under its VPC (`/vpcs/{vpc_id}/subnets/{subnet_id}`) but reads at
`/subnets/{subnet_id}`. Every answer goes through the SDK's own
deserialisation and error handling, so a body the SDK cannot read, a read that misses what was
written or an error the SDK cannot parse fails here. One line a step on stdout; any mismatch
exits 1 with the step and what was seen.

Usage: python3 vpc_lifecycle.py http://127.0.0.1:PORT PROJECT_ID
"""

import re
import sys
import uuid
import warnings

from dateutil.parser import isoparse

from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.exceptions import exceptions
from huaweicloudsdkcore.http.http_config import HttpConfig
from huaweicloudsdkvpc import v2
from huaweicloudsdkvpc.v2 import (
    CreateSubnetOption,
    CreateSubnetRequest,
    CreateSubnetRequestBody,
    CreateVpcOption,
    CreateVpcRequest,
    CreateVpcRequestBody,
    DeleteSubnetRequest,
    DeleteVpcRequest,
    ListVpcsRequest,
    ShowSubnetRequest,
    ShowVpcRequest,
    UpdateSubnetOption,
    UpdateSubnetRequest,
    UpdateSubnetRequestBody,
    UpdateVpcOption,
    UpdateVpcRequest,
    UpdateVpcRequestBody,
    VpcClient,
)


# The SDK coerces what it cannot read into something else and only warns (a number where a
# string belongs becomes its text, a bad date stays a string): here every such warning fails.
warnings.simplefilter("error")


def fail(step, message):
    print(f"FAIL {step}: {message}")
    sys.exit(1)


def mismatches(value, kind, where, out):
    """Where the raw JSON `value` is not what the SDK's model type `kind` (its `openapi_types`
    notation: 'str', 'list[Route]', 'Vpc', ...) holds, as the stricter SDKs (Go, Java) would
    refuse it; the Python SDK would pass most of these through silently."""
    if value is None:
        return out
    m = re.fullmatch(r"list\[(.*)\]", kind)
    if m:
        if not isinstance(value, list):
            out.append(f"{where}: {value!r} is not a list")
        else:
            for i, item in enumerate(value):
                mismatches(item, m.group(1), f"{where}/{i}", out)
        return out
    if kind.startswith("dict("):
        if not isinstance(value, dict):
            out.append(f"{where}: {value!r} is not an object")
        return out
    simple = {"str": str, "bool": bool, "object": object}
    if kind in simple:
        if not isinstance(value, simple[kind]):
            out.append(f"{where}: {value!r} is not a {kind}")
    elif kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            out.append(f"{where}: {value!r} is not an int")
    elif kind == "float":
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            out.append(f"{where}: {value!r} is not a number")
    elif kind in ("datetime", "date"):
        try:
            isoparse(value)
        except (TypeError, ValueError):
            out.append(f"{where}: {value!r} is not an ISO 8601 {kind}")
    else:
        model = getattr(v2, kind)
        if not isinstance(value, dict):
            out.append(f"{where}: {value!r} is not a {kind} object")
            return out
        wire = {json_name: attr for attr, json_name in model.attribute_map.items()}
        for key, item in value.items():
            # A field the SDK does not know is dropped by every SDK: not an error.
            if key in wire:
                mismatches(item, model.openapi_types[wire[key]], f"{where}/{key}", out)
    return out


def call(step, fn):
    """Runs one SDK call; any exception (a 4xx/5xx, a body the SDK cannot read, a coercion
    warning) fails the step, and so does a field whose JSON type is not the SDK model's."""
    try:
        answer = fn()
    except (exceptions.SdkException, Warning) as e:
        fail(step, f"{type(e).__name__}: {e}")
    raw = answer.to_json_object() if answer.raw_content else None
    if raw is not None:
        wrong = mismatches(raw, type(answer).__name__, "", [])
        if wrong:
            fail(step, "the SDK's model does not hold the answer: " + "; ".join(wrong))
    return answer


def expect_404(step, fn):
    """The call must raise the SDK's client error with status 404 and an error code read from the
    body (the SDK falls back to the bare status when the body does not parse)."""
    try:
        answer = fn()
    except exceptions.ClientRequestException as e:
        if e.status_code != 404:
            fail(step, f"status {e.status_code}, not 404: {e.error_code} {e.error_msg}")
        if not e.error_code or e.error_code == "404":
            fail(step, f"the 404's body names no error code the SDK can read: {e.error_msg!r}")
        print(f"ok {step}: 404 {e.error_code}")
        return
    except (exceptions.SdkException, Warning) as e:
        fail(step, f"{type(e).__name__}: {e}")
    fail(step, f"no error, answered {answer}")


def listed_ids(step, client):
    answer = call(step, lambda: client.list_vpcs(ListVpcsRequest(limit=2000)))
    return [v.id for v in (answer.vpcs or [])]


def subnet_lifecycle(client, vpc_id):
    option = CreateSubnetOption(name="conform-sdk-subnet", cidr="192.168.1.0/24", gateway_ip="192.168.1.1", vpc_id=vpc_id)
    made = call("create subnet", lambda: client.create_subnet(CreateSubnetRequest(body=CreateSubnetRequestBody(subnet=option))))
    subnet_id = made.subnet.id if made.subnet else None
    if not subnet_id or subnet_id == vpc_id:
        fail("create subnet", f"no subnet id of its own in {made}")
    print(f"ok create subnet: {subnet_id}")
    updated = call(
        "update subnet",
        lambda: client.update_subnet(
            UpdateSubnetRequest(
                vpc_id=vpc_id,
                subnet_id=subnet_id,
                body=UpdateSubnetRequestBody(subnet=UpdateSubnetOption(name="conform-sdk-subnet-renamed")),
            )
        ),
    ).subnet
    if updated is None or updated.id != subnet_id:
        fail("update subnet", f"answered the id of another resource: {updated}")
    shown = call("show updated subnet", lambda: client.show_subnet(ShowSubnetRequest(subnet_id=subnet_id))).subnet
    if shown is None or shown.name != "conform-sdk-subnet-renamed" or shown.vpc_id != vpc_id:
        fail("show updated subnet", f"expected the new name in VPC {vpc_id}, got {shown}")
    print(f"ok update subnet: {shown.name}")
    call("delete subnet", lambda: client.delete_subnet(DeleteSubnetRequest(vpc_id=vpc_id, subnet_id=subnet_id)))
    expect_404("show deleted subnet", lambda: client.show_subnet(ShowSubnetRequest(subnet_id=subnet_id)))


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        sys.exit(2)
    endpoint, project_id = sys.argv[1], sys.argv[2]
    config = HttpConfig.get_default_config()
    # Plain http on loopback: no TLS to verify, and no retries hiding a wrong answer.
    config.ignore_ssl_verification = True
    config.timeout = (5, 10)
    client = (
        VpcClient.new_builder()
        .with_http_config(config)
        # The mock runs without --auth: any AK/SK; the SDK signs anyway.
        .with_credentials(BasicCredentials("CONFORMSDKAK", "conform-sdk-sk", project_id))
        .with_endpoints([endpoint])
        .build()
    )

    name, cidr = f"conform-sdk-{uuid.uuid4().hex[:8]}", "192.168.0.0/16"
    created = call(
        "create",
        lambda: client.create_vpc(
            CreateVpcRequest(body=CreateVpcRequestBody(vpc=CreateVpcOption(name=name, cidr=cidr)))
        ),
    )
    if created.vpc is None or not created.vpc.id:
        fail("create", f"no vpc id in {created}")
    vpc_id = created.vpc.id
    if created.vpc.name != name or created.vpc.cidr != cidr:
        fail("create", f"answered name {created.vpc.name!r} cidr {created.vpc.cidr!r}, sent {name!r} {cidr!r}")
    print(f"ok create: {vpc_id}")

    shown = call("show", lambda: client.show_vpc(ShowVpcRequest(vpc_id=vpc_id))).vpc
    if shown is None or (shown.id, shown.name, shown.cidr) != (vpc_id, name, cidr):
        fail("show", f"expected {(vpc_id, name, cidr)}, got {shown}")
    print(f"ok show: {shown.name} {shown.cidr}")

    new_name = name + "-renamed"
    updated = call(
        "update",
        lambda: client.update_vpc(
            UpdateVpcRequest(vpc_id=vpc_id, body=UpdateVpcRequestBody(vpc=UpdateVpcOption(name=new_name)))
        ),
    ).vpc
    if updated is None or updated.id != vpc_id or updated.name != new_name:
        fail("update", f"expected {vpc_id} named {new_name!r}, got {updated}")
    print(f"ok update: {updated.name}")

    shown = call("show updated", lambda: client.show_vpc(ShowVpcRequest(vpc_id=vpc_id))).vpc
    if shown is None or shown.name != new_name or shown.cidr != cidr:
        fail("show updated", f"expected {new_name!r} {cidr!r}, got {shown}")
    print(f"ok show updated: {shown.name}")

    ids = listed_ids("list", client)
    if vpc_id not in ids:
        fail("list", f"{vpc_id} not among {ids}")
    print(f"ok list: {len(ids)} vpcs, the new one among them")

    subnet_lifecycle(client, vpc_id)

    call("delete", lambda: client.delete_vpc(DeleteVpcRequest(vpc_id=vpc_id)))
    print("ok delete")

    expect_404("show deleted", lambda: client.show_vpc(ShowVpcRequest(vpc_id=vpc_id)))
    expect_404("show unknown", lambda: client.show_vpc(ShowVpcRequest(vpc_id=str(uuid.uuid4()))))

    ids = listed_ids("list after delete", client)
    if vpc_id in ids:
        fail("list after delete", f"{vpc_id} still listed")
    print(f"ok list after delete: {len(ids)} vpcs, the deleted one gone")


if __name__ == "__main__":
    main()
