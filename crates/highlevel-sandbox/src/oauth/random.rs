//! Codes and tokens: 32 bytes from the operating system's random source, hex-encoded, so that
//! nobody can guess one from another or from the client secret.

/// A new secret such as `sbx_at_3f9a…` (64 hex digits after the prefix), or `None` when the
/// system's random source fails (the caller answers 500 then).
pub(crate) fn secret(prefix: &str) -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).ok()?;
    let mut text = String::with_capacity(prefix.len() + 64);
    text.push_str(prefix);
    for byte in bytes {
        text.push(char::from(HEX[usize::from(byte >> 4)]));
        text.push(char::from(HEX[usize::from(byte & 0x0f)]));
    }
    Some(text)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

#[cfg(test)]
mod tests {
    #[test]
    fn secrets_are_long_and_differ() {
        let a = super::secret("sbx_at_").unwrap();
        let b = super::secret("sbx_at_").unwrap();
        assert_eq!(a.len(), 7 + 64);
        assert!(a[7..].bytes().all(|c| c.is_ascii_hexdigit()), "{a}");
        assert_ne!(a, b);
    }
}
