//! An operation's parameters: declared ones (shared by the path item or the operation's
//! own), path parameters nobody declared, and those the body repeats
//! (`x-param-from-body`).

use openapiv3::{Parameter, ParameterSchemaOrContent};
use serde_json::Value;

use super::read::parse;
use crate::diag::{Diagnostic, Location};
use crate::ir::{
    Body, BodyKind, Constraints, Docs, FormStyle, Param, ParamLocation, Primitive, TypeRef,
    fields_of,
};
use crate::lower::names::{self, Scope};
use crate::lower::schema::Types;

/// Reads `x-param-from-body: {<parameter>: <body member>}`: each parameter's value is the
/// body member's, so that the caller names it once. The member must be a required,
/// non-nullable member of the required JSON body, of the parameter's type.
pub(super) fn params_from_body(
    types: &Types<'_>,
    map: &Value,
    params: &mut [Param],
    body: Option<&Body>,
) -> Result<(), String> {
    let Value::Object(map) = map else {
        return Err("expected a map from parameter names to body member names".into());
    };
    let Some(body) = body.filter(|b| b.required && b.kind == BodyKind::Json) else {
        return Err("the operation has no required JSON body to take parameters from".into());
    };
    let Some(fields) = fields_of(&types.defs, &body.ty) else {
        return Err("the body is not an object".into());
    };
    for (wire, member) in map {
        let Some(member) = member.as_str() else {
            return Err(format!("`{wire}`: expected the name of a body member"));
        };
        let Some(param) = params.iter_mut().find(|p| &p.wire == wire) else {
            return Err(format!("the operation has no parameter `{wire}`"));
        };
        let Some(field) = fields.iter().find(|f| f.wire == member && !f.flatten) else {
            return Err(format!("`{wire}`: the body has no member `{member}`"));
        };
        if !field.required || field.nullable {
            return Err(format!(
                "`{wire}`: the body member `{member}` must be required and not nullable"
            ));
        }
        if field.ty != param.ty {
            return Err(format!(
                "`{wire}`: the body member `{member}` is not of the parameter's type"
            ));
        }
        param.from_body = Some(field.name.clone());
    }
    Ok(())
}

/// Appends the parameters listed at `list` to `out`, named in `scope`; types defined for
/// their inline schemas are named after the operation `op`.
pub(super) fn lower_params(
    types: &mut Types<'_>,
    list: &Location,
    op: &str,
    scope: &mut Scope,
    out: &mut Vec<Param>,
) {
    let Some(Value::Array(items)) = types.sources().get(list) else {
        return;
    };
    for i in 0..items.len() {
        let loc = list.join(i);
        let Ok(at) = types
            .sources()
            .follow(&loc)
            .map_err(|d| types.diags.push(d))
        else {
            continue;
        };
        let Some(p) = parse::<Parameter>(types, &at, "a parameter") else {
            continue;
        };
        let location = match &p {
            Parameter::Path { .. } => ParamLocation::Path,
            Parameter::Query { .. } => ParamLocation::Query,
            Parameter::Header { .. } => ParamLocation::Header,
            Parameter::Cookie { .. } => ParamLocation::Cookie,
        };
        let data = p.parameter_data_ref();
        // OpenAPI has these three headers ignored: the media types and the security schemes
        // say what goes in them.
        if location == ParamLocation::Header
            && ["accept", "content-type", "authorization"]
                .iter()
                .any(|h| data.name.eq_ignore_ascii_case(h))
        {
            continue;
        }
        let style = match &p {
            Parameter::Query { style, .. } => query_style(style, data.explode),
            _ => None,
        };
        let hint = format!("{op}{}", names::pascal(&data.name, "", "Param"));
        let ty = match &data.format {
            ParameterSchemaOrContent::Schema(_) => types.lower_at(&at.join("schema"), &hint),
            ParameterSchemaOrContent::Content(_) => TypeRef::Any,
        };
        let ty = match ty {
            TypeRef::Nullable(inner) => *inner,
            other => other,
        };
        // An operation's parameter replaces a path item's one of the same name and place.
        if let Some(existing) = out
            .iter_mut()
            .find(|x| x.wire == data.name && x.location == location)
        {
            existing.ty = ty;
            existing.required = data.required || location == ParamLocation::Path;
            existing.docs = types.docs_at(&at);
            existing.default = types.default_at(&at.join("schema"));
            existing.style = style;
            existing.constraints = types.constraints(&at.join("schema"));
            continue;
        }
        out.push(Param {
            from_body: None,
            wire: data.name.clone(),
            name: scope.claim(names::snake(&data.name, "param")),
            location,
            ty,
            required: data.required || location == ParamLocation::Path,
            docs: types.docs_at(&at),
            default: types.default_at(&at.join("schema")),
            style,
            constraints: types.constraints(&at.join("schema")),
        });
    }
}

/// The `{name}`s of `path` that no parameter declares: each a required string, with a
/// warning (the document is wrong, but the request can still be made).
pub(super) fn undeclared_path_params(
    path: &str,
    op_loc: &Location,
    scope: &mut Scope,
    params: &mut Vec<Param>,
    diags: &mut Vec<Diagnostic>,
) {
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| c + open) else {
            return;
        };
        let wire = &rest[open + 1..close];
        rest = &rest[close + 1..];
        let declared = params
            .iter()
            .any(|p| p.location == ParamLocation::Path && p.wire == wire);
        if declared || wire.is_empty() {
            continue;
        }
        diags.push(Diagnostic::warning(
            &op_loc.join("parameters"),
            format!("the path uses `{{{wire}}}` but declares no such parameter; it is taken as a required string"),
        ));
        params.push(Param {
            from_body: None,
            wire: wire.to_owned(),
            name: scope.claim(names::snake(wire, "param")),
            location: ParamLocation::Path,
            ty: TypeRef::Primitive(Primitive::String),
            required: true,
            docs: Docs::default(),
            default: None,
            style: None,
            constraints: Constraints::default(),
        });
    }
}

/// A query parameter's `style` and `explode`, unless they are the default (`form`,
/// exploded); exploded, the delimited styles repeat the field as `form` does.
fn query_style(style: &openapiv3::QueryStyle, explode: Option<bool>) -> Option<FormStyle> {
    use openapiv3::QueryStyle;
    let exploded = explode.unwrap_or(matches!(style, QueryStyle::Form));
    match style {
        QueryStyle::DeepObject => Some(FormStyle::DeepObject),
        _ if exploded => None,
        QueryStyle::Form => Some(FormStyle::Comma),
        QueryStyle::SpaceDelimited => Some(FormStyle::Space),
        QueryStyle::PipeDelimited => Some(FormStyle::Pipe),
    }
}
