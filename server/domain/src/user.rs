//! Operator accounts: names, roles and the password policy.
//!
//! Owns what a valid user name and password are: [`check_new_password`] is the one password
//! policy, for every way a password is set. Hashing is IO-free but slow and configurable, so it
//! lives in the app; this module never sees a hash.

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

/// Least strength a new password needs, as zxcvbn estimates it: `Three` means at least about
/// 10^8 guesses, past the lists of common and breached passwords, words, names, dates, keyboard
/// patterns and their usual disguises that zxcvbn knows. A passphrase of a few words passes.
const MIN_PASSWORD_SCORE: zxcvbn::Score = zxcvbn::Score::Three;

/// Check a new password for the account `name` against the policy: 12 to 256 characters, and not
/// easy to guess (common or breached passwords, the user's own name, a word with a year…). The
/// refusal says why in English, from zxcvbn's feedback.
pub fn check_new_password(password: &str, name: &UserName) -> Result<(), Rejected> {
    let count = password.chars().count();
    if !(MIN_PASSWORD_CHARS..=MAX_PASSWORD_CHARS).contains(&count) {
        return Err(Rejected::new(
            "weak_password",
            "password",
            format!("a password needs {MIN_PASSWORD_CHARS} to {MAX_PASSWORD_CHARS} characters"),
        ));
    }
    let strength = zxcvbn::zxcvbn(password, &[name.as_str(), "opsroom"]);
    if strength.score() < MIN_PASSWORD_SCORE {
        let advice = strength.feedback().map_or_else(String::new, |feedback| feedback.to_string());
        return Err(Rejected::new(
            "weak_password",
            "password",
            format!("this password is too easy to guess. {}", advice.trim()).trim_end().to_owned(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_roles() {
        assert_eq!(UserName::parse(" Amira.S ").unwrap().as_str(), "amira.s");
        assert!(UserName::parse("a b").is_err());
        assert!(UserName::parse("").is_err());
        assert!(Role::Admin > Role::Supervisor && Role::Supervisor > Role::Operator);
    }

    fn check(password: &str, name: &str) -> Result<(), Rejected> {
        check_new_password(password, &UserName::parse(name).unwrap())
    }

    #[test]
    fn a_password_needs_12_to_256_characters() {
        let refusal = check("Xq7#vLm2", "amira").unwrap_err();
        assert_eq!((refusal.code, refusal.field.as_deref()), ("weak_password", Some("password")));
        assert!(refusal.message.contains("12 to 256 characters"), "{}", refusal.message);
        assert!(check(&"plum ".repeat(52), "amira").is_err());
    }

    #[test]
    fn common_and_guessable_passwords_are_refused_with_the_reason() {
        for (password, reason) in [
            ("password1234", "This is a very common password."),
            ("Password123!", "This is similar to a commonly used password."),
            ("qwertyuiop123", "This is a very common password."),
            ("aaaaaaaaaaaaaaa", "Repeats like \"aaa\" are easy to guess."),
            ("iloveyou2023", "This is similar to a commonly used password."),
            ("P@ssw0rd2023!", "Predictable substitutions"),
            ("abcdefghijklmnop", "Sequences like abc"),
        ] {
            let refusal = check(password, "amira").unwrap_err();
            assert_eq!((refusal.code, refusal.field.as_deref()), ("weak_password", Some("password")), "{password}");
            assert!(refusal.message.starts_with("this password is too easy to guess."), "{}", refusal.message);
            assert!(refusal.message.contains(reason), "{password}: {}", refusal.message);
        }
    }

    #[test]
    fn the_users_own_name_does_not_make_a_password() {
        // Strong for anyone else: zxcvbn does not know the name.
        assert_eq!(check("nafisa.osman1990", "amira"), Ok(()));
        assert!(check("nafisa.osman1990", "nafisa.osman").is_err());
        assert!(check("opsroomadmin1", "admin").is_err());
    }

    #[test]
    fn passphrases_and_random_passwords_pass() {
        for password in ["long enough password", "test admin password 2023", "amira's long password", "xK9#mQ2$vL7p"] {
            assert_eq!(check(password, "amira"), Ok(()), "{password}");
        }
    }
}
