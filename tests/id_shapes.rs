//! Ids the create answers in another shape than the requests take them, end to end from
//! synthetic pages:
//!
//! - an alarm service (shaped like AOM's threshold rules) whose create answers `alarmId` as an
//!   integer, while the read and the delete name `{alarm_id}` in the path and the delete's body
//!   repeats `alarm_id` as a string: the new id is captured as text, so every request names it
//!   as the string the contract documents;
//! - a certificate service (shaped like SCM's) whose create answers `certificate_id`, while the
//!   read shows the certificate's own `id` and the list shows each item's `id`: the lifecycle
//!   looks for the new one in the list by `id`; its update names the field it changes
//!   (`modify_key: NAME` with `modify_value`), and the read checks that field.
//!
//! The suites pass against the contract tier, and the faults they can see fail them.

mod common;

use std::path::Path;

use common::{derive_service, page, run_against, standalone, text, DerivedService};

/// Runs the derived suite against the contract tier, then under `fault`: the clean run exits 0
/// with `case` passed, the faulty one exits 1 with `case` failed. Returns the clean verdicts.
fn clean_then_caught(dir: &Path, fault: &str, case: &str) -> Vec<(String, String, String)> {
    let mock = standalone(dir, &["--schemas", "schemas"]);
    let (out, report) = run_against(dir, &mock, &[]);
    let all = common::verdicts(&report);
    assert_eq!(out.status.code(), Some(0), "{all:?}\n{}", text(&out.stderr));
    assert_eq!(common::verdict_of(&report, case), "passed", "{all:?}");
    let mock = standalone(dir, &["--schemas", "schemas", "--fault", fault]);
    let (out, faulty) = run_against(dir, &mock, &[]);
    let caught = common::verdicts(&faulty);
    assert_eq!(out.status.code(), Some(1), "{fault}: {caught:?}");
    assert_eq!(common::verdict_of(&faulty, case), "failed", "{fault}");
    all
}

/// Writes the alarm service's pages.
fn alarm_pages(dir: &Path) {
    let body = "|alarmName|是|String|名称。|\n|metricName|是|String|指标。|";
    let shown = "|id|是|String|ID。|\n|alarmName|是|String|名称。|\n|metricName|是|String|指标。|";
    let pages = [
        (
            "create.md",
            page(
                "添加告警",
                "POST /v1/\\{project\\_id\\}/ams/alarms",
                &[("表 2 请求Body参数", body)],
                &[("表 3 响应Body参数", "|alarmId|是|Integer|告警ID。|")],
                200,
            ),
        ),
        (
            "read.md",
            page(
                "查询告警",
                "GET /v1/\\{project\\_id\\}/ams/alarms/\\{alarm\\_id\\}",
                &[],
                &[
                    (
                        "表 2 响应Body参数",
                        "|alarms|是|Array of Alarm objects|告警。|",
                    ),
                    ("表 3 Alarm", shown),
                ],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除告警",
                "DELETE /v1/\\{project\\_id\\}/ams/alarms/\\{alarm\\_id\\}",
                &[("表 2 请求Body参数", "|alarm_id|是|String|告警ID。|")],
                &[],
                200,
            ),
        ),
        (
            "list.md",
            page(
                "查询告警列表",
                "GET /v1/\\{project\\_id\\}/ams/alarms",
                &[],
                &[
                    (
                        "表 2 响应Body参数",
                        "|alarms|是|Array of Alarm objects|告警。|",
                    ),
                    ("表 3 Alarm", shown),
                ],
                200,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// The create's integer `alarmId` is the kind's created id; every case that needs an alarm
/// captures it as text and names it as a string in the delete's body.
#[test]
fn an_integer_id_is_captured_as_text_for_requests_that_take_a_string() {
    let dir: DerivedService = derive_service("aom", alarm_pages, true);
    let kind = common::kind(dir.path(), "alarms");
    assert_eq!(kind["created_id"], "/alarmId", "{kind}");
    let lifecycle = std::fs::read_to_string(
        dir.path()
            .join("cases/aom/create_ams_alarm_v1/lifecycle.yaml"),
    )
    .unwrap();
    for wanted in [
        r#"capture: {"alarm_id": {text: "/alarmId"}}"#,
        r#"params: {"alarm_id":"${alarm_id}"}"#,
        r#"body: {"alarm_id":"${alarm_id}"}"#,
    ] {
        assert!(lifecycle.contains(wanted), "{wanted} in\n{lifecycle}");
    }
    let all = clean_then_caught(
        dir.path(),
        "delete-keeps",
        "aom/create_ams_alarm_v1/lifecycle",
    );
    for id in [
        "aom/create_ams_alarm_v1/lifecycle",
        "aom/delete_ams_alarm_v1/success",
        "aom/show_ams_alarm_v1/success",
    ] {
        assert!(
            all.iter()
                .any(|(case, verdict, _)| case == id && verdict == "passed"),
            "{id}: {all:?}"
        );
    }
    // Nothing waits for an alarm the target would have to name.
    assert!(
        !all.iter().any(|(_, _, why)| why.contains("alarm_id")),
        "{all:?}"
    );
}

/// Writes the certificate service's pages.
fn certificate_pages(dir: &Path) {
    let item = "|id|是|String|证书ID。|\n|name|是|String|证书名称。|";
    let pages = [
        (
            "import.md",
            page(
                "导入证书",
                "POST /v3/scm/certificates/import",
                &[(
                    "表 2 请求Body参数",
                    "|name|是|String|证书名称。|\n|certificate|是|String|证书内容。|",
                )],
                &[("表 3 响应Body参数", "|certificate_id|是|String|证书ID。|")],
                200,
            ),
        ),
        (
            "show.md",
            page(
                "获取证书详情",
                "GET /v3/scm/certificates/\\{certificate\\_id\\}",
                &[],
                &[("表 2 响应Body参数", item)],
                200,
            ),
        ),
        (
            "delete.md",
            page(
                "删除证书",
                "DELETE /v3/scm/certificates/\\{certificate\\_id\\}",
                &[],
                &[],
                204,
            ),
        ),
        (
            "update.md",
            page(
                "修改证书",
                "PUT /v3/scm/certificates/\\{certificate\\_id\\}",
                &[(
                    "表 2 请求Body参数",
                    "|modify_key|是|String|修改项，取值为NAME或DESCRIPTION。|\n|modify_value|是|String|新值。|",
                )],
                &[],
                204,
            ),
        ),
        (
            "list.md",
            page(
                "获取证书列表",
                "GET /v3/scm/certificates",
                &[],
                &[
                    (
                        "表 2 响应Body参数",
                        "|certificates|是|Array of CertificateDetail objects|证书列表。|\n|total_count|是|Integer|总数。|",
                    ),
                    ("表 3 CertificateDetail", item),
                ],
                200,
            ),
        ),
    ];
    common::write_pages(dir, &pages);
}

/// The list of certificates shows each one's `id` (the read's own id), not the create's
/// `certificate_id`: the lifecycle looks for the new one by `id`, passes against the contract
/// tier and fails where the list misses it.
#[test]
fn a_list_showing_the_own_id_is_searched_by_id() {
    let dir = derive_service("scm", certificate_pages, true);
    let lifecycle = std::fs::read_to_string(
        dir.path()
            .join("cases/scm/create_scm_certificates_import_v3/lifecycle.yaml"),
    )
    .unwrap();
    for wanted in [
        r#"{"includes":{"id":"${certificate_id}"},"pointer":"/certificates"}"#,
        r#"{"excludes":{"id":"${certificate_id}"},"pointer":"/certificates"}"#,
    ] {
        assert!(lifecycle.contains(wanted), "{wanted} in\n{lifecycle}");
    }
    clean_then_caught(
        dir.path(),
        "list-misses",
        "scm/create_scm_certificates_import_v3/lifecycle",
    );
}

/// The certificate update names the field it changes (`modify_key`/`modify_value`): the
/// lifecycle sets the name that way and reads it back; the contract tier stores it as the
/// name, and ignoring the update fails the lifecycle.
#[test]
fn an_update_naming_its_field_by_key_and_value_is_read_back() {
    let dir = derive_service("scm", certificate_pages, true);
    let lifecycle = std::fs::read_to_string(
        dir.path()
            .join("cases/scm/create_scm_certificates_import_v3/lifecycle.yaml"),
    )
    .unwrap();
    for wanted in [
        r#"body: {"modify_key":"NAME","modify_value":"conform-updated"}"#,
        r#"{"equals":"conform-updated","pointer":"/name"}"#,
    ] {
        assert!(lifecycle.contains(wanted), "{wanted} in\n{lifecycle}");
    }
    clean_then_caught(
        dir.path(),
        "update-ignored",
        "scm/create_scm_certificates_import_v3/lifecycle",
    );
}
