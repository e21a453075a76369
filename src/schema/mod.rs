//! The schema: what each customer attribute is and how it takes part in segmentation.
//!
//! A [`Schema`] is an ordered list of [`Attribute`]s. Each attribute has a [`AttributeKind`]
//! (numeric, categorical, ordinal, boolean, tags or date), a [`Facet`] (which part of a persona it
//! describes), a [`Role`] (clustered on, identifier, reported value, outcome, descriptor, or
//! ignored), a weight, a human label, the encoding choices for it ([`Scaling`], `log1p`,
//! [`MissingPolicy`]), and, for an attribute computed from others, its [`Derived`] formula.
//!
//! Schemas are written in Rust with the `Attribute` constructors and `with_*` setters, read from
//! and written to JSON, or inferred from a CSV file (see [`crate::infer`]).
//!
//! ```
//! use personas::{Attribute, Facet, Role, Schema};
//!
//! let schema = Schema::new(vec![
//!     Attribute::identifier("customer_id"),
//!     Attribute::numeric("age").with_unit("years").with_facet(Facet::Demographic),
//!     Attribute::categorical("region", ["north", "south"]).with_facet(Facet::Geographic),
//!     Attribute::numeric("revenue").with_unit("EUR").with_role(Role::Value),
//! ])?;
//! assert_eq!(schema.features().count(), 2);
//! let back = personas::Schema::from_json(&schema.to_json()?)?;
//! assert_eq!(back, schema);
//! # Ok::<(), personas::Error>(())
//! ```

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::derive::Derived;
use crate::error::{Error, Result};
use crate::hash::FastMap;

mod attribute;
pub use attribute::{
    Attribute, AttributeKind, Facet, MissingPolicy, Role, Scaling, MAX_WEIGHT, MIN_WEIGHT,
    REFERENCE_YEARS,
};

/// The ordered attributes of a customer data set.
///
/// In JSON, `{"attributes": [...]}`; any other key is an error naming it (see [`Attribute`] for
/// the keys of an attribute). Deserialising a schema validates it as [`Schema::new`] does.
///
/// Names are looked up through a hash index, so a schema of 100,000 attributes costs no more per
/// lookup than one of ten.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(try_from = "SchemaData")]
pub struct Schema {
    attributes: Vec<Attribute>,
    #[serde(skip)]
    index: FastMap<String, usize>,
}

impl PartialEq for Schema {
    fn eq(&self, other: &Self) -> bool {
        self.attributes == other.attributes
    }
}

/// A schema as written in JSON, before it is validated.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SchemaData {
    attributes: Vec<Attribute>,
}

impl TryFrom<SchemaData> for Schema {
    type Error = Error;

    fn try_from(data: SchemaData) -> Result<Self> {
        Schema::new(data.attributes)
    }
}

impl Schema {
    /// A schema of these attributes, in column order.
    ///
    /// # Errors
    /// [`Error::EmptySchema`] for no attributes; [`Error::InvalidSchema`] when two attributes
    /// share a name, more than one is the identifier, a weight is outside [`MIN_WEIGHT`] to
    /// [`MAX_WEIGHT`], levels repeat, an ordinal has fewer than two levels, or a derived formula
    /// does not fit the schema.
    pub fn new(attributes: Vec<Attribute>) -> Result<Self> {
        let index = attributes
            .iter()
            .enumerate()
            .map(|(i, a)| (a.name.clone(), i))
            .collect();
        let schema = Schema { attributes, index };
        schema.validate()?;
        Ok(schema)
    }

    fn validate(&self) -> Result<()> {
        if self.attributes.is_empty() {
            return Err(Error::EmptySchema);
        }
        let mut names = HashSet::new();
        for a in &self.attributes {
            a.validate()?;
            if !names.insert(a.name.as_str()) {
                return Err(Error::InvalidSchema {
                    attribute: a.name.clone(),
                    reason: "two attributes have this name".into(),
                });
            }
        }
        let ids: Vec<_> = self
            .attributes
            .iter()
            .filter(|a| a.role == Role::Identifier)
            .collect();
        if ids.len() > 1 {
            return Err(Error::InvalidSchema {
                attribute: ids[1].name.clone(),
                reason: format!(
                    "only one identifier is allowed, `{}` is one already",
                    crate::error::shorten(&ids[0].name)
                ),
            });
        }
        for a in &self.attributes {
            if let Some(formula) = &a.derived {
                formula
                    .validate(self)
                    .map_err(|reason| Error::InvalidSchema {
                        attribute: a.name.clone(),
                        reason,
                    })?;
            }
        }
        Ok(())
    }

    /// The attributes read from the input (every attribute that is not derived), in order.
    pub fn inputs(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(|a| !a.is_derived())
    }

    /// All attributes in column order.
    pub fn attributes(&self) -> &[Attribute] {
        &self.attributes
    }

    /// The attribute with this name.
    pub fn get(&self, name: &str) -> Option<&Attribute> {
        self.position(name).map(|i| &self.attributes[i])
    }

    /// The position of the attribute with this name.
    pub fn position(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The attributes clustered on (role `feature`).
    pub fn features(&self) -> impl Iterator<Item = &Attribute> {
        self.attributes.iter().filter(|a| a.role == Role::Feature)
    }

    /// The identifier attribute, if any.
    pub fn identifier(&self) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.role == Role::Identifier)
    }

    /// The number of attributes.
    pub fn len(&self) -> usize {
        self.attributes.len()
    }

    /// Whether the schema has no attributes.
    pub fn is_empty(&self) -> bool {
        self.attributes.is_empty()
    }

    /// Mutable access to one attribute, to adjust an inferred schema. The schema is validated
    /// again by [`Schema::new`] when it matters; use [`Schema::with_attribute`] to replace one
    /// attribute with checks.
    ///
    /// # Errors
    /// [`Error::InvalidSchema`] when the replacement would make the schema invalid, or no
    /// attribute has the replacement's name.
    pub fn with_attribute(mut self, attribute: Attribute) -> Result<Self> {
        let Some(i) = self.position(&attribute.name) else {
            return Err(Error::InvalidSchema {
                attribute: attribute.name,
                reason: "no attribute of this name to replace".into(),
            });
        };
        self.attributes[i] = attribute;
        self.validate()?;
        Ok(self)
    }

    /// Reads a schema from JSON (`{"attributes": [...]}`), as written by [`Schema::to_json`].
    ///
    /// # Errors
    /// [`Error::Json`] for malformed JSON and for an unknown key (naming the key, with line and
    /// column), [`Error::EmptySchema`] for no attributes, [`Error::InvalidSchema`] for an
    /// inconsistent schema.
    pub fn from_json(json: &str) -> Result<Self> {
        // Read the plain form first, so that a schema that parses but does not validate gets
        // its own error (`EmptySchema`, `InvalidSchema`) rather than a JSON one.
        let data: SchemaData = serde_json::from_str(json)?;
        Schema::new(data.attributes)
    }

    /// Reads a schema from a JSON file.
    ///
    /// # Errors
    /// [`Error::Io`] when the file cannot be read, [`Error::JsonFile`] (naming the file, line and
    /// column) for malformed JSON or an unknown key, [`Error::EmptySchema`] and
    /// [`Error::InvalidSchema`] as [`Schema::from_json`].
    pub fn from_json_file(path: impl AsRef<Path>) -> Result<Self> {
        crate::error::read_json_file(path.as_ref(), Self::from_json)
    }

    /// The schema as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::Json`] if serialisation fails (it does not for valid schemas).
    pub fn to_json(&self) -> Result<String> {
        Ok(serde_json::to_string_pretty(self)?)
    }

    /// The attributes, to fill in learned levels. Names must not change (the index keeps them).
    pub(crate) fn attributes_mut(&mut self) -> &mut [Attribute] {
        &mut self.attributes
    }
}

#[cfg(test)]
mod tests;
