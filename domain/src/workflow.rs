//! State machines (DESIGN: Workflows), declared as transition tables. Each machine gets a
//! state enum, an action enum and `apply`, which answers an illegal action with
//! `DomainError::InvalidTransition` naming the current state and the actions allowed in it.

/// Longest state or action name.
pub const MAX_NAME_CHARS: usize = 32;
/// Most actions one state machine has (so most a state allows).
pub const MAX_ACTIONS: usize = 8;

/// A state machine's state enum, as the generic transition use case sees it.
pub trait Workflow: Copy + std::fmt::Debug {
    /// The actions that move it.
    type Action: Copy + std::fmt::Debug;
    /// The object's kind, e.g. `grant`.
    const ENTITY: &'static str;
    /// The state after `action`, or `InvalidTransition` naming the allowed actions.
    fn next(self, action: Self::Action) -> Result<Self, crate::DomainError>;
    /// The wire and storage name of the state.
    fn name(self) -> &'static str;
    /// The wire name of an action.
    fn action_name(action: Self::Action) -> &'static str;
}

/// Declares a state machine:
///
/// ```ignore
/// state_machine! {
///     /// Doc.
///     entity "grant", GrantStatus, GrantAction;
///     states { Active = "active", Suspended = "suspended" }
///     actions { Suspend = "suspend", Resume = "resume" }
///     transitions { (Active, Suspend) => Suspended, (Suspended, Resume) => Active }
/// }
/// ```
#[macro_export]
macro_rules! state_machine {
    (
        $(#[$doc:meta])*
        entity $entity:literal, $state:ident, $action:ident;
        states { $($s:ident = $sname:literal),+ $(,)? }
        actions { $($a:ident = $aname:literal),+ $(,)? }
        transitions { $(($from:ident, $act:ident) => $to:ident),+ $(,)? }
    ) => {
        // The contract bounds state and action names and lists of allowed actions by these.
        const _: () = {
            $(assert!($sname.len() <= $crate::workflow::MAX_NAME_CHARS);)+
            $(assert!($aname.len() <= $crate::workflow::MAX_NAME_CHARS);)+
            assert!([$($aname),+].len() <= $crate::workflow::MAX_ACTIONS);
        };

        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $state { $(#[doc = $sname] $s),+ }

        /// An action that moves the state machine.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $action { $(#[doc = $aname] $a),+ }

        impl $state {
            /// Every state.
            pub const ALL: &'static [Self] = &[$(Self::$s),+];
            /// Every allowed `(from, action, to)`.
            pub const TRANSITIONS: &'static [(Self, $action, Self)] = &[$((Self::$from, $action::$act, Self::$to)),+];

            /// The wire and storage name.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$s => $sname),+ }
            }

            /// Parses a stored or wire name.
            pub fn parse(raw: &str) -> Result<Self, $crate::DomainError> {
                Self::ALL.iter().copied().find(|s| s.as_str() == raw).ok_or_else(|| {
                    $crate::FieldError::new("", "one_of", format!("{raw:?} is not a {} state", $entity)).into()
                })
            }

            /// The actions allowed in this state, in declaration order.
            pub fn allowed_actions(self) -> Vec<&'static str> {
                Self::TRANSITIONS.iter().filter(|(f, _, _)| *f == self).map(|(_, a, _)| a.as_str()).collect()
            }

            /// The state after `action`, or `InvalidTransition` (409).
            pub fn apply(self, action: $action) -> Result<Self, $crate::DomainError> {
                Self::TRANSITIONS
                    .iter()
                    .find(|(f, a, _)| *f == self && *a == action)
                    .map(|(_, _, to)| *to)
                    .ok_or_else(|| $crate::DomainError::InvalidTransition {
                        entity: $entity,
                        action: action.as_str(),
                        from: self.as_str(),
                        allowed: self.allowed_actions(),
                    })
            }

            /// Whether no action leaves this state.
            pub fn is_final(self) -> bool {
                self.allowed_actions().is_empty()
            }
        }

        impl $crate::workflow::Workflow for $state {
            type Action = $action;
            const ENTITY: &'static str = $entity;
            fn next(self, action: $action) -> Result<Self, $crate::DomainError> {
                self.apply(action)
            }
            fn name(self) -> &'static str {
                self.as_str()
            }
            fn action_name(action: $action) -> &'static str {
                action.as_str()
            }
        }

        impl $action {
            /// Every action.
            pub const ALL: &'static [Self] = &[$(Self::$a),+];

            /// The wire name.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$a => $aname),+ }
            }
        }
    };
}

/// Checks a machine against the complete list of edges a test expects: every listed edge is
/// allowed and leads where listed, every other (state, action) pair is refused with the current
/// state and its allowed actions.
#[cfg(test)]
pub(crate) fn assert_exactly<S, A>(
    states: &[S],
    actions: &[A],
    expected: &[(&str, &str, &str)],
    apply: impl Fn(S, A) -> Result<S, crate::DomainError>,
    name: impl Fn(S) -> &'static str,
    action_name: impl Fn(A) -> &'static str,
) where
    S: Copy + std::fmt::Debug,
    A: Copy + std::fmt::Debug,
{
    for &s in states {
        for &a in actions {
            let edge = expected
                .iter()
                .find(|(f, act, _)| *f == name(s) && *act == action_name(a));
            match (apply(s, a), edge) {
                (Ok(to), Some((_, _, want))) => assert_eq!(name(to), *want, "{s:?} --{a:?}-->"),
                (Err(crate::DomainError::InvalidTransition { from, allowed, .. }), None) => {
                    assert_eq!(from, name(s));
                    let want: Vec<&str> = expected
                        .iter()
                        .filter(|(f, _, _)| *f == name(s))
                        .map(|(_, act, _)| *act)
                        .collect();
                    assert_eq!(allowed, want, "allowed actions in {s:?}");
                }
                (got, want) => panic!("{s:?} --{a:?}--> gave {got:?}, expected {want:?}"),
            }
        }
    }
}

/// Declares an enum of names with its wire and storage names, `ALL`, `as_str` and `parse`
/// (one definition for every such enum of the domain; `$what` names a value with its article,
/// as the refusal says "… is not a meeting kind").
#[macro_export]
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident, $what:literal { $($(#[$vdoc:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($(#[$vdoc])* #[doc = $text] $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The wire and storage name.
            pub const fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }

            /// Parses a stored or wire name.
            pub fn parse(raw: &str) -> Result<Self, $crate::error::DomainError> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw).ok_or_else(|| {
                    $crate::error::FieldError::new("", "one_of", format!("{raw:?} is not {}", $what))
                        .into()
                })
            }
        }
    };
}
