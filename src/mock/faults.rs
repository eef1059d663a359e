//! Named fault modes: each makes the mock deviate from the documented behaviour in one realistic
//! way, so that a test can prove some case catches it.

use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

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

/// The active faults.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults(BTreeSet<Fault>);

impl Faults {
    /// From a list.
    pub fn new(faults: impl IntoIterator<Item = Fault>) -> Faults {
        Faults(faults.into_iter().collect())
    }

    /// Whether a fault is on.
    pub fn has(&self, f: Fault) -> bool {
        self.0.contains(&f)
    }

    /// Whether any fault is on.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
