//! The two signature headers, picked out of whatever the web framework holds.

use crate::scheme::Scheme;

/// The signature headers of one delivery, borrowed from the request.
///
/// Made from an [`http::HeaderMap`] (axum, hyper, reqwest) or from any `(name, value)` pairs
/// (actix-web's map, a test's array). Names match without regard to case. A header sent twice
/// is kept as [`SignatureHeader::Repeated`] and refused: a delivery carries one signature per
/// scheme.
///
/// ```
/// use highlevel_webhooks::SignatureHeaders;
///
/// let headers = SignatureHeaders::from_pairs([("X-GHL-Signature", "c2ln")]);
/// assert!(headers.ed25519().is_present());
/// assert!(!headers.rsa().is_present());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SignatureHeaders<'a> {
    ed25519: SignatureHeader<'a>,
    rsa: SignatureHeader<'a>,
}

/// One scheme's header: absent, sent once, or sent more than once.
///
/// ```
/// use highlevel_webhooks::{SignatureHeader, SignatureHeaders};
///
/// let headers = SignatureHeaders::from_pairs([("x-wh-signature", "YQ=="), ("x-wh-signature", "Yg==")]);
/// assert_eq!(headers.rsa(), SignatureHeader::Repeated);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureHeader<'a> {
    /// Not sent.
    #[default]
    Absent,
    /// Sent once, with this value.
    Once(&'a [u8]),
    /// Sent more than once.
    Repeated,
}

impl SignatureHeader<'_> {
    /// Whether the header was sent at all.
    ///
    /// ```
    /// assert!(!highlevel_webhooks::SignatureHeader::Absent.is_present());
    /// ```
    pub fn is_present(&self) -> bool {
        !matches!(self, SignatureHeader::Absent)
    }

    fn add<'a>(self, value: &'a [u8]) -> SignatureHeader<'a>
    where
        Self: 'a,
    {
        match self {
            SignatureHeader::Absent => SignatureHeader::Once(value),
            _ => SignatureHeader::Repeated,
        }
    }
}

impl<'a> SignatureHeaders<'a> {
    /// The signature headers among `(name, value)` pairs.
    ///
    /// ```
    /// use highlevel_webhooks::{SignatureHeader, SignatureHeaders};
    ///
    /// let pairs = vec![("content-type".to_string(), b"application/json".to_vec())];
    /// let headers = SignatureHeaders::from_pairs(pairs.iter().map(|(n, v)| (n.as_str(), v.as_slice())));
    /// assert_eq!(headers.ed25519(), SignatureHeader::Absent);
    /// ```
    pub fn from_pairs<N, V, I>(pairs: I) -> SignatureHeaders<'a>
    where
        I: IntoIterator<Item = (N, &'a V)>,
        N: AsRef<str>,
        V: AsRef<[u8]> + ?Sized + 'a,
    {
        let mut headers = SignatureHeaders::default();
        for (name, value) in pairs {
            let name = name.as_ref();
            if name.eq_ignore_ascii_case(Scheme::Ed25519.header()) {
                headers.ed25519 = headers.ed25519.add(value.as_ref());
            } else if name.eq_ignore_ascii_case(Scheme::Rsa.header()) {
                headers.rsa = headers.rsa.add(value.as_ref());
            }
        }
        headers
    }

    /// The `x-ghl-signature` header (Ed25519).
    ///
    /// ```
    /// use highlevel_webhooks::SignatureHeaders;
    ///
    /// assert!(!SignatureHeaders::default().ed25519().is_present());
    /// ```
    pub fn ed25519(&self) -> SignatureHeader<'a> {
        self.ed25519
    }

    /// The `x-wh-signature` header (RSA).
    ///
    /// ```
    /// use highlevel_webhooks::SignatureHeaders;
    ///
    /// assert!(!SignatureHeaders::default().rsa().is_present());
    /// ```
    pub fn rsa(&self) -> SignatureHeader<'a> {
        self.rsa
    }

    pub(crate) fn get(&self, scheme: Scheme) -> SignatureHeader<'a> {
        match scheme {
            Scheme::Ed25519 => self.ed25519,
            Scheme::Rsa => self.rsa,
        }
    }
}

impl<'a> From<&'a http::HeaderMap> for SignatureHeaders<'a> {
    fn from(map: &'a http::HeaderMap) -> SignatureHeaders<'a> {
        let pick = |scheme: Scheme| {
            let mut values = map.get_all(scheme.header()).iter();
            match (values.next(), values.next()) {
                (None, _) => SignatureHeader::Absent,
                (Some(value), None) => SignatureHeader::Once(value.as_bytes()),
                (Some(_), Some(_)) => SignatureHeader::Repeated,
            }
        };
        SignatureHeaders {
            ed25519: pick(Scheme::Ed25519),
            rsa: pick(Scheme::Rsa),
        }
    }
}
