//! Named fault modes: each makes the mock deviate from the documented behaviour in one realistic
//! way, so that a test can prove some case catches it.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

/// One fault mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fault {
    /// Success responses use 201 instead of 200.
    WrongSuccessStatus,
    /// Snapshot bodies omit `updated_at`.
    MissingField,
    /// Snapshot `size` is sent as a string.
    WrongFieldType,
    /// Updates are acknowledged but not applied (snapshots, and every kind of the contract tier).
    IgnoreUpdate,
    /// v2: `display_name` wins over `name`.
    DisplayNameWins,
    /// No length limit is enforced.
    NoLengthCheck,
    /// EVS byte limits are counted in characters.
    CharsNotBytes,
    /// Errors are `{"message", "code"}` without the kind wrapper.
    FlatErrorEnvelope,
    /// Every error is answered with status 500.
    ErrorAs500,
    /// Metadata writes are answered but not stored.
    MetadataNotPersisted,
    /// The server vm_state precondition is not enforced.
    IgnoreVmState,
    /// A body key that differs from the URI key is accepted.
    UriKeyMismatchAccepted,
    /// Resources are found whatever project the path names (both tiers).
    CrossProjectLeak,
    /// Authentication is not enforced.
    AuthBypass,
    /// Responses are labelled `text/plain`.
    TextContentType,
    /// Snapshot bodies carry an undocumented field.
    ExtraField,
    /// Responses are delayed past any sensible client timeout.
    Slow,
    /// The connection is dropped before the body is complete.
    DropConnection,
    /// v2: the byte limits of `display_name` and `display_description` are not enforced.
    NoDisplayNameLimit,
    /// A server in vm_state `paused` is refused, though the docs allow it.
    PausedRefused,
    /// A request without any credential is accepted (a wrong one is still refused).
    MissingTokenAccepted,
    /// Contract tier: a delete answers success and the resource stays.
    DeleteKeeps,
    /// Contract tier: lists omit what was created.
    ListMisses,
    /// Contract tier: an unknown id is answered with success and a made-up body.
    UnknownIdOk,
}

/// The faults of the seed operations' emulation, which the project's own suite must catch.
pub const EMULATION: &[Fault] = &[
    Fault::WrongSuccessStatus,
    Fault::MissingField,
    Fault::WrongFieldType,
    Fault::IgnoreUpdate,
    Fault::DisplayNameWins,
    Fault::NoLengthCheck,
    Fault::CharsNotBytes,
    Fault::FlatErrorEnvelope,
    Fault::ErrorAs500,
    Fault::MetadataNotPersisted,
    Fault::IgnoreVmState,
    Fault::UriKeyMismatchAccepted,
    Fault::CrossProjectLeak,
    Fault::AuthBypass,
    Fault::TextContentType,
    Fault::ExtraField,
    Fault::Slow,
    Fault::DropConnection,
    Fault::NoDisplayNameLimit,
    Fault::PausedRefused,
    Fault::MissingTokenAccepted,
];

/// The faults only the contract tier's stateful kinds (and the emulation's snapshots) have,
/// which the generated stateful checkers catch.
pub const CONTRACT_TIER: &[Fault] = &[Fault::DeleteKeeps, Fault::ListMisses, Fault::UnknownIdOk];

/// Every fault, in documentation order: the emulation's, then the contract tier's.
pub fn all() -> impl Iterator<Item = Fault> {
    EMULATION.iter().chain(CONTRACT_TIER).copied()
}

impl Fault {
    /// The kebab-case name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Fault::WrongSuccessStatus => "wrong-success-status",
            Fault::MissingField => "missing-field",
            Fault::WrongFieldType => "wrong-field-type",
            Fault::IgnoreUpdate => "ignore-update",
            Fault::DisplayNameWins => "display-name-wins",
            Fault::NoLengthCheck => "no-length-check",
            Fault::CharsNotBytes => "chars-not-bytes",
            Fault::FlatErrorEnvelope => "flat-error-envelope",
            Fault::ErrorAs500 => "error-as-500",
            Fault::MetadataNotPersisted => "metadata-not-persisted",
            Fault::IgnoreVmState => "ignore-vm-state",
            Fault::UriKeyMismatchAccepted => "uri-key-mismatch-accepted",
            Fault::CrossProjectLeak => "cross-project-leak",
            Fault::AuthBypass => "auth-bypass",
            Fault::TextContentType => "text-content-type",
            Fault::ExtraField => "extra-field",
            Fault::Slow => "slow",
            Fault::DropConnection => "drop-connection",
            Fault::NoDisplayNameLimit => "no-display-name-limit",
            Fault::PausedRefused => "paused-refused",
            Fault::MissingTokenAccepted => "missing-token-accepted",
            Fault::DeleteKeeps => "delete-keeps",
            Fault::ListMisses => "list-misses",
            Fault::UnknownIdOk => "unknown-id-ok",
        }
    }

    /// Another name the fault answers to: the contract tier's names for two emulation faults.
    pub fn alias(self) -> Option<&'static str> {
        match self {
            Fault::IgnoreUpdate => Some("update-ignored"),
            Fault::CrossProjectLeak => Some("cross-project"),
            _ => None,
        }
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Fault {
    type Err = String;

    fn from_str(s: &str) -> Result<Fault, String> {
        all()
            .find(|f| f.name() == s || f.alias() == Some(s))
            .ok_or_else(|| {
                let names: Vec<&str> = all().map(Fault::name).collect();
                format!("unknown fault '{s}' (known: {})", names.join(", "))
            })
    }
}

/// The active faults, and how often each took effect: changed what the mock answered or kept
/// ([`Faults::fire`]). The count is shared by every clone (the tier's memories, each other
/// project's), so `GET /__mock/faults` and the mock's exit line tell a fault that no request
/// gave a chance to act (nothing in the contract to delete) from one a suite let through.
#[derive(Debug, Clone, Default)]
pub struct Faults {
    on: BTreeSet<Fault>,
    fired: Arc<Mutex<BTreeMap<Fault, u64>>>,
}

impl PartialEq for Faults {
    fn eq(&self, other: &Faults) -> bool {
        self.on == other.on
    }
}

impl Eq for Faults {}

impl Faults {
    /// From a list.
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Faults {
        Faults {
            on: faults.into_iter().collect(),
            fired: Arc::default(),
        }
    }

    /// Whether a fault is on (a setting; [`Faults::fire`] where the fault's branch is taken).
    pub fn has(&self, f: Fault) -> bool {
        self.on.contains(&f)
    }

    /// Whether a fault is on, counting one effect when it is: call it where the faulty branch
    /// is taken instead of the documented one, last in a condition, so that it counts only
    /// what the fault changed.
    pub fn fire(&self, f: Fault) -> bool {
        if !self.has(f) {
            return false;
        }
        *self.lock().entry(f).or_default() += 1;
        true
    }

    /// Each fault that is on, with how often it took effect since the start or the last reset.
    pub fn fired(&self) -> Vec<(Fault, u64)> {
        let counts = self.lock();
        self.on
            .iter()
            .map(|f| (*f, counts.get(f).copied().unwrap_or(0)))
            .collect()
    }

    /// Starts the counts again (`POST /__mock/reset`).
    pub fn clear_fired(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<Fault, u64>> {
        self.fired.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether any fault is on.
    pub fn is_empty(&self) -> bool {
        self.on.is_empty()
    }
}

/// The line a mock prints of a fault when it stops: how often it took effect, and what a
/// count of zero means.
pub fn fired_line(fault: Fault, count: u64) -> String {
    match count {
        0 => format!(
            "fault {fault} took effect 0 times: no request gave it anything to change, so a suite \
             that passed has not shown it would catch it"
        ),
        1 => format!("fault {fault} took effect once"),
        n => format!("fault {fault} took effect {n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_fault_that_is_on_counts_and_every_clone_shares_the_count() {
        let faults = Faults::new([Fault::DeleteKeeps]);
        let clone = faults.clone();
        assert!(!clone.fire(Fault::ListMisses), "off: no effect, no count");
        assert!(clone.fire(Fault::DeleteKeeps));
        assert!(clone.fire(Fault::DeleteKeeps));
        assert_eq!(faults.fired(), vec![(Fault::DeleteKeeps, 2)]);
        assert_eq!(
            faults,
            Faults::new([Fault::DeleteKeeps]),
            "counts are no setting"
        );
        faults.clear_fired();
        assert_eq!(clone.fired(), vec![(Fault::DeleteKeeps, 0)]);
    }

    #[test]
    fn a_fault_that_never_took_effect_is_said_to_prove_nothing() {
        let none = fired_line(Fault::DeleteKeeps, 0);
        assert!(
            none.starts_with("fault delete-keeps took effect 0 times"),
            "{none}"
        );
        assert!(none.contains("not shown it would catch it"), "{none}");
        assert_eq!(
            fired_line(Fault::ListMisses, 1),
            "fault list-misses took effect once"
        );
        assert_eq!(
            fired_line(Fault::ListMisses, 3),
            "fault list-misses took effect 3 times"
        );
    }
}
