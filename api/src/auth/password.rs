//! Password hashing with argon2id (the argon2 crate's defaults, OWASP's recommendation).

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes a password into a PHC string (algorithm, parameters and salt included).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing the password failed: {e}"))
}

/// Checks a password against a stored hash; a malformed hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A hash of a random password, checked when the email is unknown so that a login for an
/// unknown account takes as long as one for a known account.
pub fn decoy() -> &'static str {
    static DECOY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DECOY.get_or_init(|| hash("decoy password that matches nothing").expect("hashing works"))
}

/// Rules for new passwords.
pub fn check_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < 12 {
        return Err("the password must be at least 12 characters long".into());
    }
    if password.len() > 1024 {
        return Err("the password must be at most 1024 bytes long".into());
    }
    Ok(())
}
