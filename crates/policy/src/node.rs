//! A parsed profile document, held compactly: the JSON data model, with an object's fields
//! as a list of pairs (profile objects have a handful, so a list is a fraction of a tree
//! map's size). JSON and YAML both deserialize into it, so both formats have one reader.

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// One value of a document.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Node {
    Null,
    Bool(bool),
    /// Integers beyond 64 bits are floats here, as serde_json reads them.
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    /// Fields in document order; of a repeated key the last counts, as Go's encoding/json
    /// (Docker's and runc's reader) has it.
    Object(Vec<(String, Node)>),
}

impl Node {
    /// Field `key` of an object (the last of repeated ones).
    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Object(fields) => fields.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Takes field `key` out of an object (the last of repeated ones).
    pub fn take(&mut self, key: &str) -> Option<Node> {
        match self {
            Node::Object(fields) => take(fields, key),
            _ => None,
        }
    }
}

/// Takes field `key` out of a field list (the last of repeated ones).
pub(crate) fn take(fields: &mut Vec<(String, Node)>, key: &str) -> Option<Node> {
    let i = fields.iter().rposition(|(k, _)| k == key)?;
    Some(fields.remove(i).1)
}

impl<'de> serde::Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

/// A mapping key as a field name (YAML scalars spelt as written: `1`, `true`, `null`).
struct Key(String);

impl<'de> serde::Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key, D::Error> {
        match d.deserialize_any(NodeVisitor)? {
            Node::String(s) => Ok(Key(s)),
            Node::Null => Ok(Key("null".into())),
            Node::Bool(b) => Ok(Key(b.to_string())),
            Node::Number(n) => Ok(Key(n.to_string())),
            Node::Array(_) | Node::Object(_) => Err(de::Error::custom(
                "expected a field name as a mapping key, found a list or a mapping",
            )),
        }
    }
}

struct NodeVisitor;

/// A float as a number; JSON has no NaN or infinity, so YAML's `.nan`/`.inf` stay text.
fn float(v: f64) -> Node {
    serde_json::Number::from_f64(v).map_or_else(|| Node::String(v.to_string()), Node::Number)
}

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a plain JSON or YAML value (no tags)")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
        Ok(Node::Number(v.into()))
    }

    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(float(v as f64))
    }

    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(float(v as f64))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::String(v))
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        d.deserialize_any(NodeVisitor)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(v) = seq.next_element()? {
            items.push(v);
        }
        items.shrink_to_fit();
        Ok(Node::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut fields = Vec::new();
        while let Some(Key(k)) = map.next_key()? {
            fields.push((k, map.next_value()?));
        }
        fields.shrink_to_fit();
        Ok(Node::Object(fields))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_and_yaml_give_the_same_nodes() {
        let json: Node = serde_json::from_str(
            r#"{"a": [1, -2, 1.5, null, true, "x"], "b": 18446744073709551616}"#,
        )
        .unwrap();
        let yaml: Node =
            yaml_serde::from_str("a: [1, -2, 1.5, ~, true, x]\nb: 18446744073709551616\n").unwrap();
        assert_eq!(json, yaml);
        assert!(matches!(json.get("b"), Some(Node::Number(n)) if n.is_f64()));
    }

    #[test]
    fn the_last_of_repeated_keys_counts() {
        let mut n: Node = serde_json::from_str(r#"{"a": 1, "b": 1, "b": 2, "a": 2}"#).unwrap();
        assert_eq!(n.get("a"), Some(&Node::Number(2.into())));
        assert_eq!(n.take("a"), Some(Node::Number(2.into())));
        assert_eq!(n.take("b"), Some(Node::Number(2.into())));
        assert_eq!(n.take("b"), Some(Node::Number(1.into())));
    }
}
