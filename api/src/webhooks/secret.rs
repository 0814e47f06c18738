//! Standard Webhooks secrets and signatures (standardwebhooks.com): a secret is `whsec_` and
//! the base64 of random bytes; a signature is `v1,` and the base64 of HMAC-SHA256 with those
//! bytes over `<webhook-id>.<webhook-timestamp>.<body>`. While a rotated-out secret is still
//! valid, the `webhook-signature` header carries a signature with each, space-separated, as the
//! specification allows, so receivers can switch secrets at their own pace.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

const PREFIX: &str = "whsec_";
/// 192 bits: within the specification's 24 to 64 bytes.
const BYTES: usize = 24;

/// A new secret from the operating system's random source.
pub fn generate() -> anyhow::Result<String> {
    let mut bytes = [0u8; BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| anyhow::anyhow!("no random source for a webhook secret: {e}"))?;
    Ok(format!("{PREFIX}{}", STANDARD.encode(bytes)))
}

/// The `webhook-signature` header for a message, signed with each secret.
pub fn sign(secrets: &[&str], id: &str, timestamp: i64, body: &[u8]) -> String {
    secrets
        .iter()
        .filter_map(|s| STANDARD.decode(s.trim_start_matches(PREFIX)).ok())
        .map(|key| {
            // HMAC takes a key of any length.
            let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC accepts any key");
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_example_signs_the_same() {
        // The example of the Standard Webhooks specification (and its reference libraries'
        // tests): this secret, id, timestamp and body give this signature.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = br#"{"test": 2432232314}"#;
        assert_eq!(
            sign(&[secret], "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn secrets_are_random_and_both_sign_during_rotation() {
        let (a, b) = (generate().unwrap(), generate().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("whsec_"));
        assert_eq!(STANDARD.decode(&a[6..]).unwrap().len(), BYTES);
        let both = sign(&[&a, &b], "id", 1, b"{}");
        let parts: Vec<&str> = both.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&[&a], "id", 1, b"{}"));
        assert_eq!(parts[1], sign(&[&b], "id", 1, b"{}"));
    }
}
