//! Folding parsed order lines into one record per customer, and the customer table built from
//! them; the join with a customer attribute table.

use super::names;
use super::read::{Chunk, Layout};
use super::{Aggregate, ColumnRole, JoinSummary, TransactionOptions, TransactionReport};
use crate::dates::DateFormat;
use crate::error::{Error, Result};
use crate::hash::FastMap;
use crate::schema::{Attribute, AttributeKind, Facet, Role, Schema};
use crate::table::{Column, CustomerTable, Value};

use crate::hash::FastSet;

/// What is known of one customer so far.
#[derive(Debug, Clone, Copy)]
struct Customer {
    first: f64,
    last: f64,
    orders: u32,
    /// The key of the last order counted, so that the next line of the same order skips the
    /// order set.
    last_order: Option<u64>,
    /// The channel of the last line ([`NO_CHANNEL`] for none), so that the next line of the
    /// same order and channel skips the order map.
    last_channel: u32,
    purchases: f64,
    returns: f64,
    items: f64,
    discounted: u32,
}

impl Customer {
    const NEW: Customer = Customer {
        first: f64::INFINITY,
        last: f64::NEG_INFINITY,
        orders: 0,
        last_order: None,
        last_channel: NO_CHANNEL,
        purchases: 0.0,
        returns: 0.0,
        items: 0.0,
        discounted: 0,
    };
}

/// Marks the kind of key in the order map: an order id's hash, or a purchase day.
const DAY_KEY: u64 = 1 << 63;

/// In the order map's value: the order has a discounted line.
const DISCOUNTED: u32 = 1 << 31;
/// In the order map's value (below [`DISCOUNTED`]): no channel seen for the order yet.
const NO_CHANNEL: u32 = DISCOUNTED - 1;

/// Folds chunks of parsed lines, in file order, into per-customer state.
pub(crate) struct Folder {
    reference: Option<f64>,
    index: FastMap<String, u32>,
    ids: Vec<String>,
    customers: Vec<Customer>,
    /// Every order counted, by `(customer, order key)`: the first channel it was seen in
    /// ([`NO_CHANNEL`] for none) and the [`DISCOUNTED`] bit.
    orders: FastMap<(u32, u64), u32>,
    /// `(customer, order key, channel)` of the orders also seen in a channel other than their
    /// first (rare: an order is usually placed in one channel).
    more_channels: FastSet<(u32, u64, u32)>,
    has_orders: bool,
    has_discount: bool,
    has_quantity: bool,
    categories: Levels,
    channels: Levels,
    /// Purchase amount per category and customer: a category becomes an attribute, one number
    /// per customer, so it is held densely (a column grows when a customer is first written).
    category_spend: Vec<Vec<f64>>,
    /// Orders per channel and customer, likewise.
    channel_orders: Vec<Vec<u32>>,
    lines: usize,
    purchase_lines: usize,
    return_lines: usize,
    zero_quantity: usize,
    missing: [usize; 3],
    after_reference: usize,
    last_seen: f64,
    /// The newest date before `last_seen`.
    before_last: f64,
}

/// Levels seen across chunks, numbered in order of first appearance.
#[derive(Default)]
struct Levels {
    names: Vec<String>,
    index: FastMap<String, u32>,
}

impl Levels {
    /// The global numbers of a chunk's local levels.
    fn absorb(&mut self, local: &[String]) -> Vec<u32> {
        local
            .iter()
            .map(|l| match self.index.get(l) {
                Some(&i) => i,
                None => {
                    let i = self.names.len() as u32;
                    self.names.push(l.clone());
                    self.index.insert(l.clone(), i);
                    i
                }
            })
            .collect()
    }
}

impl Folder {
    pub(crate) fn new(layout: &Layout, reference: Option<f64>) -> Self {
        Folder {
            reference,
            index: FastMap::default(),
            ids: Vec::new(),
            customers: Vec::new(),
            orders: FastMap::default(),
            more_channels: FastSet::default(),
            has_orders: layout.has(ColumnRole::OrderId),
            has_discount: layout.has(ColumnRole::Discount),
            has_quantity: layout.has(ColumnRole::Quantity),
            categories: Levels::default(),
            channels: Levels::default(),
            category_spend: Vec::new(),
            channel_orders: Vec::new(),
            lines: 0,
            purchase_lines: 0,
            return_lines: 0,
            zero_quantity: 0,
            missing: [0; 3],
            after_reference: 0,
            last_seen: f64::NEG_INFINITY,
            before_last: f64::NEG_INFINITY,
        }
    }

    pub(crate) fn add(&mut self, chunk: Chunk) -> Result<()> {
        self.lines += chunk.read;
        self.zero_quantity += chunk.zero_quantity;
        for (total, n) in self.missing.iter_mut().zip(chunk.missing) {
            *total += n;
        }
        let categories = self.categories.absorb(&chunk.categories);
        let channels = self.channels.absorb(&chunk.channels);
        if self.channels.names.len() >= NO_CHANNEL as usize {
            return Err(Error::InvalidParameter {
                name: "channels",
                value: self.channels.names.len().to_string(),
                reason: "at most 2,147,483,646 channels can be told apart",
            });
        }
        self.category_spend
            .resize_with(self.categories.names.len(), Vec::new);
        self.channel_orders
            .resize_with(self.channels.names.len(), Vec::new);
        let mut last: Option<(&str, u32)> = None;
        for line in &chunk.lines {
            if self.reference.is_some_and(|r| line.day > r) {
                self.after_reference += 1;
                continue;
            }
            let id = &chunk.ids[line.id.0..line.id.1];
            // Lines of one order, or of one customer's orders, usually follow each other.
            let known = match &last {
                Some((last_id, c)) if *last_id == id => Some(*c),
                _ => self.index.get(id).copied(),
            };
            let c = match known {
                Some(c) => c,
                None => {
                    let c = u32::try_from(self.ids.len()).map_err(|_| Error::InvalidParameter {
                        name: "customers",
                        value: self.ids.len().to_string(),
                        reason: "at most 4,294,967,295 customers can be aggregated",
                    })?;
                    self.index.insert(id.to_string(), c);
                    self.ids.push(id.to_string());
                    self.customers.push(Customer::NEW);
                    c
                }
            };
            last = Some((id, c));
            if line.day > self.last_seen {
                self.before_last = self.last_seen;
                self.last_seen = line.day;
            } else if line.day < self.last_seen && line.day > self.before_last {
                self.before_last = line.day;
            }
            let customer = &mut self.customers[c as usize];
            let is_return = line.amount < 0.0 || line.quantity.is_some_and(|q| q < 0.0);
            if is_return {
                self.return_lines += 1;
                customer.returns -= line.amount.abs();
                continue;
            }
            self.purchase_lines += 1;
            customer.purchases += line.amount;
            customer.first = customer.first.min(line.day);
            customer.last = customer.last.max(line.day);
            if let Some(q) = line.quantity {
                customer.items += q;
            }
            // An order: its id where the file has one (a missing id: the day's order), else the
            // calendar day.
            let key = match line.order {
                Some(hash) if self.has_orders => hash & !DAY_KEY,
                _ => DAY_KEY | (line.day.floor() as i64 as u64 & !DAY_KEY),
            };
            let same_order = customer.last_order == Some(key);
            let discounted = line.discounted == Some(true);
            let channel = line.channel.map(|ch| channels[ch as usize]);
            let new_channel = channel.is_some_and(|ch| !same_order || customer.last_channel != ch);
            customer.last_order = Some(key);
            customer.last_channel = channel.unwrap_or(NO_CHANNEL);
            // A later line of the order just counted, in the same channel and without a
            // discount, changes nothing: skip the map.
            if !same_order || discounted || new_channel {
                let state = match self.orders.entry((c, key)) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        customer.orders += 1;
                        v.insert(NO_CHANNEL)
                    }
                    std::collections::hash_map::Entry::Occupied(o) => o.into_mut(),
                };
                if discounted && *state & DISCOUNTED == 0 {
                    *state |= DISCOUNTED;
                    customer.discounted += 1;
                }
                if let Some(ch) = channel {
                    let first = *state & !DISCOUNTED;
                    let counts = if first == NO_CHANNEL {
                        *state = (*state & DISCOUNTED) | ch;
                        true
                    } else {
                        first != ch && self.more_channels.insert((c, key, ch))
                    };
                    if counts {
                        let column = &mut self.channel_orders[ch as usize];
                        if column.len() <= c as usize {
                            column.resize(self.customers.len(), 0);
                        }
                        column[c as usize] += 1;
                    }
                }
            }
            if let Some(cat) = line.category {
                let column = &mut self.category_spend[categories[cat as usize] as usize];
                if column.len() <= c as usize {
                    column.resize(self.customers.len(), 0.0);
                }
                column[c as usize] += line.amount;
            }
        }
        Ok(())
    }

    /// The schema, the table and the report.
    pub(crate) fn finish(
        mut self,
        layout: Layout,
        options: &TransactionOptions,
    ) -> Result<(Schema, CustomerTable, TransactionReport)> {
        let kept: Vec<usize> = (0..self.customers.len())
            .filter(|&c| self.customers[c].orders > 0)
            .collect();
        if kept.is_empty() {
            return Err(Error::NoPurchases {
                lines: self.lines,
                returns: self.return_lines,
                zero_quantity: self.zero_quantity,
                incomplete: self.missing.iter().sum(),
                after_reference: self.after_reference,
            });
        }
        // The order keys and the id index are done with: free them before the table is built.
        let orders_counted = self.orders.len();
        self.orders = FastMap::default();
        self.more_channels = FastSet::default();
        self.index = FastMap::default();
        let reference = self.reference.unwrap_or(self.last_seen);
        let (mut first_day, mut last_day) = (f64::INFINITY, f64::NEG_INFINITY);
        for &c in &kept {
            first_day = first_day.min(self.customers[c].first);
            last_day = last_day.max(self.customers[c].last);
        }
        let currency = options.csv_currency();
        let behaviour = |a: Attribute| a.with_facet(Facet::Behavioural);
        let numeric = |name: &str, unit: Option<&str>| {
            let a = Attribute::new(
                name,
                AttributeKind::Numeric {
                    unit: unit.map(str::to_string),
                },
            );
            behaviour(a)
        };
        let mut attributes = vec![
            Attribute::identifier(names::CUSTOMER),
            numeric(names::RECENCY, Some("days"))
                .with_label("Days since last order")
                .with_description("Days from the last order to the reference date"),
            numeric(names::FREQUENCY, Some("orders"))
                .with_label("Orders")
                .with_description(if self.has_orders {
                    "Orders: distinct order ids"
                } else {
                    "Orders: distinct days with a purchase"
                })
                .with_log1p(true),
            numeric(names::MONETARY, currency)
                .with_label("Total spend")
                .with_description("Purchases minus returns")
                .with_role(Role::Value),
            numeric(names::AVERAGE_ORDER_VALUE, currency)
                .with_label("Average order value")
                .with_description("Total spend over orders")
                .with_log1p(true),
            numeric(names::TENURE, Some("days"))
                .with_label("Days as a customer")
                .with_description("Days from the first order to the reference date"),
            numeric(names::INTERVAL, Some("days"))
                .with_label("Days between orders")
                .with_description(
                    "Mean days between consecutive orders; missing for one-order customers",
                ),
        ];
        if self.has_quantity {
            attributes.push(
                numeric(names::ITEMS_PER_ORDER, Some("items"))
                    .with_label("Items per order")
                    .with_description("Items bought over orders"),
            );
        }
        if self.has_discount {
            attributes.push(
                numeric(names::DISCOUNT_SHARE, None)
                    .with_label("Discount share")
                    .with_description("Share of orders with a discounted line"),
            );
        }
        let category_order = sorted_levels(&self.categories.names);
        let category_names = share_names(
            names::CATEGORY_SHARE_PREFIX,
            &category_order,
            &self.categories.names,
        );
        for (&l, name) in category_order.iter().zip(&category_names) {
            let level = &self.categories.names[l as usize];
            attributes.push(
                numeric(name, None)
                    .with_label(format!("Share of {level}"))
                    .with_description(format!("Share of purchases spent on {level}")),
            );
        }
        let channel_order = sorted_levels(&self.channels.names);
        let channel_names = share_names(
            names::CHANNEL_SHARE_PREFIX,
            &channel_order,
            &self.channels.names,
        );
        for (&l, name) in channel_order.iter().zip(&channel_names) {
            let level = &self.channels.names[l as usize];
            attributes.push(
                numeric(name, None)
                    .with_label(format!("Share in channel {level}"))
                    .with_description(format!("Share of orders placed in {level}")),
            );
        }
        let schema = Schema::new(attributes)?;

        let number = |x: f64| Value::Number(x);
        let rows = kept.iter().map(|&c| {
            let s = &self.customers[c];
            let orders = f64::from(s.orders);
            let monetary = s.purchases + s.returns;
            let mut row = vec![
                Value::Text(self.ids[c].clone()),
                number(reference - s.last),
                number(orders),
                number(monetary),
                number(monetary / orders),
                number(reference - s.first),
                if s.orders > 1 {
                    number((s.last - s.first) / (orders - 1.0))
                } else {
                    Value::Missing
                },
            ];
            if self.has_quantity {
                row.push(number(s.items / orders));
            }
            if self.has_discount {
                row.push(number(f64::from(s.discounted) / orders));
            }
            for &l in &category_order {
                let spend = self.category_spend[l as usize]
                    .get(c)
                    .copied()
                    .unwrap_or(0.0);
                row.push(if s.purchases > 0.0 {
                    number(spend / s.purchases)
                } else {
                    Value::Missing
                });
            }
            for &l in &channel_order {
                let n = self.channel_orders[l as usize].get(c).copied().unwrap_or(0);
                row.push(number(f64::from(n) / orders));
            }
            row
        });
        let table = CustomerTable::from_rows(&schema, rows)?;
        let report = TransactionReport {
            format: layout.format,
            delimiter: layout.delimiter,
            columns: layout.choices,
            date_format: layout.date_format,
            date_format_ambiguous: layout.ambiguous,
            lines: self.lines,
            purchase_lines: self.purchase_lines,
            return_lines: self.return_lines,
            zero_quantity_lines: self.zero_quantity,
            missing: self.missing,
            after_reference: self.after_reference,
            customers: kept.len(),
            return_only_customers: self.customers.len() - kept.len(),
            orders: orders_counted,
            orders_by_id: self.has_orders,
            first_day,
            last_day,
            reference_day: reference,
            reference_given: self.reference.is_some(),
            date_before_last: (self.before_last.is_finite()
                && self.last_seen - self.before_last > super::LONE_LAST_DATE_GAP)
                .then_some(self.before_last),
            join: None,
        };
        Ok((schema, table, report))
    }
}

impl TransactionOptions {
    fn csv_currency(&self) -> Option<&str> {
        self.currency.as_deref()
    }
}

/// Level numbers in the order of their names, so attributes come out the same whatever the
/// order of the lines.
fn sorted_levels(names: &[String]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..names.len() as u32).collect();
    order.sort_by(|&a, &b| names[a as usize].cmp(&names[b as usize]));
    order
}

/// Attribute names `<prefix><level>`, the level lower-cased with runs of other characters as
/// one underscore; a name already taken gets `_2`, `_3`, ….
fn share_names(prefix: &str, order: &[u32], levels: &[String]) -> Vec<String> {
    let mut taken: FastSet<String> = FastSet::default();
    order
        .iter()
        .map(|&l| {
            let mut slug = String::new();
            for ch in levels[l as usize].chars().flat_map(char::to_lowercase) {
                if ch.is_alphanumeric() {
                    slug.push(ch);
                } else if !slug.ends_with('_') {
                    slug.push('_');
                }
            }
            let slug = slug.trim_matches('_');
            let base = format!("{prefix}{}", if slug.is_empty() { "level" } else { slug });
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert(name.clone()) {
                name = format!("{base}_{n}");
                n += 1;
            }
            name
        })
        .collect()
}

/// A date as its attribute's format writes it, with the time of day when it has one.
fn date_text(day: f64, format: DateFormat) -> String {
    let (y, m, d) = crate::dates::civil(day);
    let date = match format {
        DateFormat::Ymd => format!("{y:04}-{m:02}-{d:02}"),
        DateFormat::Dmy => format!("{d:02}-{m:02}-{y:04}"),
        DateFormat::Mdy => format!("{m:02}/{d:02}/{y:04}"),
        DateFormat::YmdCompact => format!("{y:04}{m:02}{d:02}"),
    };
    let seconds = ((day - day.floor()) * 86_400.0).round() as i64;
    if seconds == 0 || format == DateFormat::YmdCompact {
        date
    } else {
        let (h, mi, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        format!("{date} {h:02}:{mi:02}:{s:02}")
    }
}

/// One customer's value of an attribute table column, as the table builder reads it back.
fn value_of(column: &Column, attribute: &Attribute, row: usize) -> Value {
    match column {
        Column::Numeric(v) => match (v.get(row), &attribute.kind) {
            (None, _) => Value::Missing,
            (Some(day), AttributeKind::Date { format }) => Value::Text(date_text(day, *format)),
            (Some(x), _) => Value::Number(x),
        },
        Column::Levels(c) => c.get(row).map_or(Value::Missing, |code| {
            Value::Text(c.levels()[code as usize].clone())
        }),
        Column::Boolean(f) => f.get(row).map_or(Value::Missing, Value::Bool),
        Column::Tags(t) => t.get(row).map_or(Value::Missing, |set| {
            Value::Tags(
                set.iter()
                    .map(|&code| t.levels()[code as usize].clone())
                    .collect(),
            )
        }),
        Column::Omitted { .. } => Value::Missing,
    }
}

/// See [`Aggregate::join`].
pub(crate) fn join(aggregate: Aggregate, attributes: &CustomerTable) -> Result<Aggregate> {
    let Aggregate {
        schema,
        table,
        mut report,
    } = aggregate;
    let theirs = attributes.schema();
    // Their inputs (not their identifier, nor attributes whose values were not kept), and their
    // derived attributes, which the new table computes again.
    let joined: Vec<usize> = theirs
        .attributes()
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            a.role != Role::Identifier
                && (a.is_derived() || !matches!(attributes.columns()[*i], Column::Omitted { .. }))
        })
        .map(|(i, _)| i)
        .collect();
    let mut all: Vec<Attribute> = schema.attributes().to_vec();
    for &i in &joined {
        let a = &theirs.attributes()[i];
        if schema.get(&a.name).is_some() {
            return Err(Error::InvalidSchema {
                attribute: a.name.clone(),
                reason: "the customer attribute table has an attribute of this name, which \
                         the order-line aggregate computes; rename it in that table's schema"
                    .into(),
            });
        }
        all.push(a.clone());
    }
    let joined_schema = Schema::new(all)?;
    let row_of: FastMap<&str, usize> = attributes
        .ids()
        .iter()
        .enumerate()
        .map(|(r, id)| (id, r))
        .collect();
    let mut matched = 0;
    let ours = schema.attributes();
    let rows: Vec<Vec<Value>> = table
        .ids()
        .iter()
        .enumerate()
        .map(|(r, id)| {
            let mut row: Vec<Value> = ours
                .iter()
                .zip(table.columns())
                .map(|(a, column)| match a.role {
                    Role::Identifier => Value::Text(id.to_string()),
                    _ => value_of(column, a, r),
                })
                .collect();
            let theirs_row = row_of.get(id).copied();
            matched += usize::from(theirs_row.is_some());
            for &i in &joined {
                let a = &theirs.attributes()[i];
                if a.is_derived() {
                    continue;
                }
                row.push(match theirs_row {
                    Some(t) => value_of(&attributes.columns()[i], a, t),
                    None => Value::Missing,
                });
            }
            row
        })
        .collect();
    let joined_table = CustomerTable::from_rows(&joined_schema, rows)?;
    let ours_ids: FastSet<&str> = table.ids().iter().collect();
    report.join = Some(JoinSummary {
        matched,
        without_attributes: table.n_customers() - matched,
        without_orders: attributes
            .ids()
            .iter()
            .filter(|id| !ours_ids.contains(id))
            .count(),
    });
    Ok(Aggregate {
        schema: joined_schema,
        table: joined_table,
        report,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn share_names_are_slugs_and_unique() {
        let levels: Vec<String> = ["Office Supplies", "office-supplies", "Ünïcode", "!!"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let order = sorted_levels(&levels);
        let names = share_names("category_share_", &order, &levels);
        assert_eq!(
            names,
            [
                "category_share_level",
                "category_share_office_supplies",
                "category_share_office_supplies_2",
                "category_share_ünïcode",
            ]
        );
    }

    #[test]
    fn dates_are_written_back_in_their_format() {
        let day = crate::dates::day_number(2014, 12, 6).unwrap() as f64;
        assert_eq!(date_text(day, DateFormat::Dmy), "06-12-2014");
        assert_eq!(
            date_text(day + 0.75, DateFormat::Ymd),
            "2014-12-06 18:00:00"
        );
        assert_eq!(
            DateFormat::Mdy.parse(&date_text(day, DateFormat::Mdy)),
            Some(day)
        );
    }
}
