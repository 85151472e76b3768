//! Values made from the team API's own OpenAPI document: the smallest body each schema
//! accepts, and the same body with one constrained value set at, or just past, the
//! limit the document declares for it.

use serde_json::{json, Map, Value};
use std::collections::HashMap;

/// Where a constrained value sits in a body: property names, and `0` for a list's first
/// entry.
pub type Path = Vec<Step>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Step {
    Field(String),
    First,
}

/// Makes values from `document`'s schemas. Integers are 999 999 (an id nothing has, so
/// calls find nothing rather than change the caller's own account) unless `ids` names a
/// real one for the schema (`"ConversationId"` …); the `n`th entry of a list adds `n`, so
/// entries differ.
pub struct Examples<'a> {
    pub document: &'a Value,
    pub ids: HashMap<String, i64>,
}

impl Examples<'_> {
    fn resolve<'s>(&'s self, schema: &'s Value) -> (&'s Value, Option<&'s str>) {
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"))
        {
            Some(name) => (&self.document["components"]["schemas"][name], Some(name)),
            None => (schema, None),
        }
    }

    /// The schema itself, or the first choice of a union that is not `null`.
    fn chosen<'s>(&'s self, schema: &'s Value) -> &'s Value {
        for union in ["oneOf", "anyOf", "allOf"] {
            if let Some(choices) = schema.get(union).and_then(Value::as_array) {
                if let Some(choice) = choices
                    .iter()
                    .find(|c| c.get("type") != Some(&json!("null")))
                    .or(choices.first())
                {
                    return choice;
                }
            }
        }
        schema
    }

    fn kind(schema: &Value) -> String {
        match schema.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .find(|t| *t != "null")
                .unwrap_or("null")
                .to_owned(),
            _ if schema.get("properties").is_some() => "object".into(),
            _ => "null".into(),
        }
    }

    /// The smallest value `schema` accepts (the `seed`th of its kind).
    pub fn value(&self, schema: &Value, seed: i64, depth: usize) -> Value {
        self.with(schema, &[], &Value::Null, seed, depth)
    }

    /// Like [`Self::value`], with `set` at `path` (any field on the way is added).
    pub fn with(
        &self,
        schema: &Value,
        path: &[Step],
        set: &Value,
        seed: i64,
        depth: usize,
    ) -> Value {
        if depth > 16 {
            return Value::Null;
        }
        let (schema, name) = self.resolve(schema);
        if let Some(name) = name {
            let real = self.ids.get(name).filter(|_| seed == 0 && path.is_empty());
            if let (Some(id), true) = (real, set.is_null()) {
                return json!(id);
            }
            return self.with(schema, path, set, seed, depth + 1);
        }
        if path.is_empty() && !set.is_null() {
            return set.clone();
        }
        if let Some(value) = schema.get("const") {
            return value.clone();
        }
        if let Some(first) = schema
            .get("enum")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
        {
            return first.clone();
        }
        let chosen = self.chosen(schema);
        if !std::ptr::eq(chosen, schema) {
            return self.with(chosen, path, set, seed, depth + 1);
        }
        let number = |key: &str| schema.get(key).and_then(Value::as_i64);
        match Self::kind(schema).as_str() {
            "object" => {
                let mut out = Map::new();
                for name in schema["required"].as_array().into_iter().flatten() {
                    if let Some(name) = name.as_str() {
                        let property = &schema["properties"][name];
                        out.insert(name.to_owned(), self.value(property, seed, depth + 1));
                    }
                }
                if let Some((Step::Field(name), rest)) = path.split_first() {
                    let property = &schema["properties"][name.as_str()];
                    out.insert(
                        name.clone(),
                        self.with(property, rest, set, seed, depth + 1),
                    );
                }
                Value::Object(out)
            }
            "array" => {
                let least = number("minItems")
                    .unwrap_or(0)
                    .max(i64::from(matches!(path.first(), Some(Step::First))));
                Value::Array(
                    (0..least)
                        .map(|n| match (n, path.split_first()) {
                            (0, Some((Step::First, rest))) => {
                                self.with(&schema["items"], rest, set, seed, depth + 1)
                            }
                            _ => self.value(&schema["items"], seed + n, depth + 1),
                        })
                        .collect(),
                )
            }
            "string" => {
                let least = number("minLength").unwrap_or(1).max(1);
                let most = number("maxLength").unwrap_or(i64::MAX);
                let length = usize::try_from(7.clamp(least, most.max(least))).unwrap_or(7);
                Value::String("example".repeat(length / 7 + 1)[..length].to_owned())
            }
            "integer" => {
                let least = number("minimum").unwrap_or(i64::MIN);
                let most = number("maximum").unwrap_or(i64::MAX);
                json!(999_999_i64.saturating_add(seed).clamp(least, most))
            }
            "number" => json!(1.0),
            "boolean" => json!(false),
            _ => Value::Null,
        }
    }

    /// Every value of `schema` (a request body) that carries a declared limit, with its
    /// path and its schema.
    pub fn limited(&self, schema: &Value) -> Vec<(Path, Value)> {
        let mut out = Vec::new();
        self.collect(schema, &mut Vec::new(), &mut out, 0);
        out
    }

    fn collect(&self, schema: &Value, path: &mut Path, out: &mut Vec<(Path, Value)>, depth: usize) {
        if depth > 12 {
            return;
        }
        let (schema, _) = self.resolve(schema);
        let schema = self.chosen(schema);
        let limits = [
            "maxLength",
            "minLength",
            "maxItems",
            "minItems",
            "maximum",
            "minimum",
        ];
        if limits.iter().any(|k| schema.get(*k).is_some()) {
            out.push((path.clone(), schema.clone()));
        }
        match Self::kind(schema).as_str() {
            "object" => {
                for (name, property) in schema["properties"].as_object().into_iter().flatten() {
                    path.push(Step::Field(name.clone()));
                    self.collect(property, path, out, depth + 1);
                    path.pop();
                }
            }
            "array" => {
                path.push(Step::First);
                self.collect(&schema["items"], path, out, depth + 1);
                path.pop();
            }
            _ => {}
        }
    }
}
