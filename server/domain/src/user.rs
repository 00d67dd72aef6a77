//! Operator accounts: names, roles and the password policy.
//!
//! Owns what a valid user name and password are. Hashing is IO-free but slow and configurable,
//! so it lives in the app; this module never sees a hash.

use serde::{Deserialize, Serialize};

use crate::Rejected;

/// What a signed-in user may do. Ordered by power: an admin can do what a supervisor can.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Role {
    Operator,
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Operator => "operator",
            Role::Supervisor => "supervisor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Role::Operator, Role::Supervisor, Role::Admin].into_iter().find(|r| r.as_str() == s)
    }
}

/// A login name: 1 to 64 of `a-z 0-9 . _ -`, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserName(String);

impl UserName {
    pub fn parse(raw: &str) -> Result<Self, Rejected> {
        let name = raw.trim().to_ascii_lowercase();
        let valid_chars = name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
        if name.is_empty() || name.len() > 64 || !valid_chars {
            return Err(Rejected::new("invalid_user_name", "name", "use 1 to 64 of a-z, 0-9, '.', '_' and '-'"));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Shortest password accepted for an operator account.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password accepted: argon2 takes any length, but a megabyte password is an attack.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// Check a new password against the policy.
pub fn check_new_password(password: &str) -> Result<(), Rejected> {
    let count = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&count) {
        return Err(Rejected::new(
            "weak_password",
            "password",
            format!("a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_passwords() {
        assert_eq!(UserName::parse(" Amira.S ").unwrap().as_str(), "amira.s");
        assert!(UserName::parse("a b").is_err());
        assert!(UserName::parse("").is_err());
        assert!(check_new_password("short").is_err());
        assert!(check_new_password("long enough password").is_ok());
        assert!(Role::Admin > Role::Supervisor && Role::Supervisor > Role::Operator);
    }
}
