//! The audit log's text fields and their bounds. Actions, entity kinds and ids are written by
//! the server (`<entity>.<verb>`, a static kind, a typed id); summaries are cut to their bound.

/// Longest action, `<entity>.<verb>` (`user.password_change`).
pub const MAX_ACTION_CHARS: usize = 64;
/// Longest entity kind (`organization`).
pub const MAX_ENTITY_TYPE_CHARS: usize = 32;
/// Longest entity id: the text form of a typed id.
pub const MAX_ENTITY_ID_CHARS: usize = crate::ids::ID_CHARS;
/// Longest summary shown; longer ones are cut.
pub const MAX_SUMMARY_CHARS: usize = 1000;
