//! `steady_report` and `steady_finding`: the outcome of a check.

use crate::error::{steady_error, steady_result};
use crate::handle::{
    as_ref, free_box, to_borrowed_ptr, try_out, try_ref, write_out, Castable, OwnershipBox,
    OwnershipRef,
};
use crate::strings::{to_cstring, to_owned_ptr};
use std::ffi::{c_char, CString};
use steady_core::rules::{Finding, Report};

/// The findings of a check, most severe first.
///
/// Immutable: it may be read from any number of threads at once; `steady_report_free` must be
/// called once, after every other call on it (and on its findings) has returned.
pub struct steady_report {
    _private: [u8; 0],
}

/// One finding of a report, borrowed from it: valid until the report is freed; never freed on
/// its own. The strings it returns live as long as the report.
pub struct steady_finding {
    _private: [u8; 0],
}

/// A finding's fields as C strings.
pub(crate) struct FindingView {
    rule: CString,
    severity: CString,
    key: CString,
    message: CString,
    recommended: Option<(CString, CString)>,
    source: CString,
}

/// The Rust side of `steady_report`: the report and its findings as C strings.
pub(crate) struct ReportView {
    report: Report,
    findings: Vec<FindingView>,
}

impl ReportView {
    /// Prepares the C strings of every finding of `report`.
    pub(crate) fn new(report: Report) -> Self {
        let findings = report.findings.iter().map(FindingView::new).collect();
        ReportView { report, findings }
    }
}

impl FindingView {
    fn new(f: &Finding) -> Self {
        FindingView {
            rule: to_cstring(f.rule),
            severity: to_cstring(f.severity.as_str()),
            key: to_cstring(f.key.as_str()),
            message: to_cstring(f.message.as_str()),
            recommended: f
                .recommendation
                .as_ref()
                .map(|r| (to_cstring(r.key.as_str()), to_cstring(r.value.as_str()))),
            source: to_cstring(f.source),
        }
    }
}

impl Castable for steady_report {
    type Rust = ReportView;
    type Ownership = OwnershipBox;
}

impl Castable for steady_finding {
    type Rust = FindingView;
    type Ownership = OwnershipRef;
}

/// How many findings `report` holds; 0 when `report` is NULL.
#[no_mangle]
pub extern "C" fn steady_report_count(report: *const steady_report) -> usize {
    ffi_panic_boundary! {
        as_ref(report).map_or(0, |r| r.findings.len())
    }
}

/// The finding at `index` (0 is the most severe), borrowed from `report`; NULL when `report`
/// is NULL or `index` ≥ `steady_report_count(report)`.
#[no_mangle]
pub extern "C" fn steady_report_finding(
    report: *const steady_report,
    index: usize,
) -> *const steady_finding {
    ffi_panic_boundary! {
        as_ref(report)
            .and_then(|r| r.findings.get(index))
            .map_or(std::ptr::null(), to_borrowed_ptr::<steady_finding>)
    }
}

/// The report as JSON (`{"findings":[…],"summary":{…},"broker":…}`), written to `*json_out`
/// as an owned string for `steady_string_free`. Errors: NULL_PARAMETER.
#[no_mangle]
pub extern "C" fn steady_report_to_json(
    report: *const steady_report,
    json_out: *mut *mut c_char,
    err_out: *mut *mut steady_error,
) -> steady_result {
    ffi_panic_boundary! { err_out =>
        let report = try_ref(report, "report")?;
        let out = try_out(json_out, "json_out")?;
        write_out(out, to_owned_ptr(report.report.to_json()));
        Ok(())
    }
}

/// Releases `report` and its findings. NULL is fine.
#[no_mangle]
pub extern "C" fn steady_report_free(report: *mut steady_report) {
    ffi_panic_boundary! {
        free_box(report)
    }
}

/// Reads one C string of a finding; NULL when `finding` is NULL.
fn field(finding: *const steady_finding, pick: impl Fn(&FindingView) -> &CString) -> *const c_char {
    as_ref(finding).map_or(std::ptr::null(), |f| pick(f).as_ptr())
}

/// The rule id, such as "ST006". NULL when `finding` is NULL.
#[no_mangle]
pub extern "C" fn steady_finding_rule(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! { field(finding, |f| &f.rule) }
}

/// "error", "warning" or "info". NULL when `finding` is NULL.
#[no_mangle]
pub extern "C" fn steady_finding_severity(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! { field(finding, |f| &f.severity) }
}

/// The setting concerned (or "broker", "client", "group"). NULL when `finding` is NULL.
#[no_mangle]
pub extern "C" fn steady_finding_key(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! { field(finding, |f| &f.key) }
}

/// What is wrong and why, for a person. NULL when `finding` is NULL.
#[no_mangle]
pub extern "C" fn steady_finding_message(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! { field(finding, |f| &f.message) }
}

/// Where the rule comes from (KIP, FAQ, source). NULL when `finding` is NULL.
#[no_mangle]
pub extern "C" fn steady_finding_source(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! { field(finding, |f| &f.source) }
}

/// The key the finding recommends setting; NULL when it recommends no setting (or `finding` is
/// NULL).
#[no_mangle]
pub extern "C" fn steady_finding_recommended_key(finding: *const steady_finding) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(finding)
            .and_then(|f| f.recommended.as_ref())
            .map_or(std::ptr::null(), |(key, _)| key.as_ptr())
    }
}

/// The value the finding recommends for `steady_finding_recommended_key`; NULL when it
/// recommends no setting (or `finding` is NULL).
#[no_mangle]
pub extern "C" fn steady_finding_recommended_value(
    finding: *const steady_finding,
) -> *const c_char {
    ffi_panic_boundary! {
        as_ref(finding)
            .and_then(|f| f.recommended.as_ref())
            .map_or(std::ptr::null(), |(_, value)| value.as_ptr())
    }
}
