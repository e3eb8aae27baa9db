//! Security schemes: how a client proves who it is.

use openapiv3::{APIKeyLocation, SecurityScheme as OaScheme};

use crate::ir::{AuthKind, ParamLocation, SecurityScheme};

pub(super) fn security_scheme(key: &str, s: &OaScheme) -> SecurityScheme {
    let (kind, description) = match s {
        OaScheme::APIKey {
            location,
            name,
            description,
            ..
        } => (
            AuthKind::ApiKey {
                location: match location {
                    APIKeyLocation::Header => ParamLocation::Header,
                    APIKeyLocation::Query => ParamLocation::Query,
                    APIKeyLocation::Cookie => ParamLocation::Cookie,
                },
                name: name.clone(),
            },
            description.clone(),
        ),
        OaScheme::HTTP {
            scheme,
            description,
            ..
        } => (
            match scheme.to_ascii_lowercase().as_str() {
                "bearer" => AuthKind::Bearer,
                "basic" => AuthKind::Basic,
                other => AuthKind::Other(format!("http {other}")),
            },
            description.clone(),
        ),
        OaScheme::OAuth2 { description, .. } => {
            (AuthKind::Other("oauth2".into()), description.clone())
        }
        OaScheme::OpenIDConnect { description, .. } => {
            (AuthKind::Other("openIdConnect".into()), description.clone())
        }
    };
    SecurityScheme {
        key: key.to_owned(),
        kind,
        description,
    }
}
