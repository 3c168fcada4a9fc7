//! Authentication: argon2id password hashes, HS256 access tokens, rotating refresh tokens, and
//! the extractor that turns a bearer token into the signed-in user.

pub mod extractor;
pub mod jwt;
pub mod password;
pub mod refresh;
pub mod throttle;

pub use extractor::{Caller, MaybeCaller};
pub use jwt::JwtKeys;
