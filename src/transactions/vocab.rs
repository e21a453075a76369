//! The names columns of order lines go by, per part (customer, date, amount, …): what
//! recognition matches column names against.

use super::ColumnRole;

/// Names that say what part a column plays: patterns of words (every word of a pattern among the
/// column's words; earlier patterns are better), and words that rule a column out.
pub(crate) struct Names {
    pub(crate) role: ColumnRole,
    pub(crate) patterns: &'static [&'static [&'static str]],
    pub(crate) unless: &'static [&'static str],
}

pub(crate) const NAMES: [Names; 8] = [
    Names {
        role: ColumnRole::Customer,
        patterns: &[
            &["customer", "id"],
            &["customer", "no"],
            &["customer", "number"],
            &["customer", "key"],
            &["customer", "code"],
            &["cust", "id"],
            &["client", "id"],
            &["household", "key"],
            &["household", "id"],
            &["member", "id"],
            &["account", "id"],
            &["user", "id"],
            &["buyer", "id"],
            &["shopper", "id"],
            &["customer"],
            &["client"],
            &["household"],
            &["member"],
            &["buyer"],
            &["shopper"],
            &["user"],
        ],
        unless: &[
            "name", "date", "since", "type", "segment", "age", "city", "state", "country",
        ],
    },
    Names {
        role: ColumnRole::Date,
        patterns: &[
            &["order", "date"],
            &["invoice", "date"],
            &["purchase", "date"],
            &["transaction", "date"],
            &["sale", "date"],
            &["sales", "date"],
            &["date"],
            &["datetime"],
            &["timestamp"],
            &["ordered", "at"],
            &["created", "at"],
            &["day"],
            &["time"],
        ],
        unless: &[
            "ship", "shipping", "shipped", "delivery", "birth", "due", "return", "signup",
        ],
    },
    Names {
        role: ColumnRole::Amount,
        patterns: &[
            &["amount"],
            &["sales"],
            &["line", "total"],
            &["revenue"],
            &["dollar", "value"],
            &["order", "value"],
            &["total"],
            &["value"],
            &["spend"],
            &["monetary"],
            &["net"],
            &["paid"],
            &["payment"],
        ],
        unless: &[
            "id", "discount", "tax", "shipping", "profit", "cost", "quantity", "qty", "date",
        ],
    },
    Names {
        role: ColumnRole::OrderId,
        patterns: &[
            &["order", "id"],
            &["order", "no"],
            &["order", "number"],
            &["order", "key"],
            &["invoice", "id"],
            &["invoice", "no"],
            &["invoice", "number"],
            &["transaction", "id"],
            &["basket", "id"],
            &["receipt", "id"],
            &["invoice"],
            &["receipt"],
            &["basket"],
            &["order"],
        ],
        unless: &[
            "date", "day", "time", "value", "amount", "total", "status", "line", "priority",
            "quantity", "type", "channel",
        ],
    },
    Names {
        role: ColumnRole::Category,
        patterns: &[
            &["category"],
            &["product", "category"],
            &["department"],
            &["commodity"],
            &["product", "group"],
            &["product", "type"],
        ],
        unless: &["id", "sub", "code"],
    },
    Names {
        role: ColumnRole::Channel,
        patterns: &[
            &["channel"],
            &["sales", "channel"],
            &["order", "channel"],
            &["platform"],
            &["store", "type"],
            &["source"],
        ],
        unless: &["id", "code"],
    },
    Names {
        role: ColumnRole::Quantity,
        patterns: &[
            &["quantity"],
            &["qty"],
            &["units"],
            &["items"],
            &["number", "of"],
        ],
        unless: &["id", "price", "amount", "value"],
    },
    Names {
        role: ColumnRole::Discount,
        patterns: &[
            &["discount"],
            &["promo"],
            &["promotion"],
            &["coupon"],
            &["voucher"],
            &["deal"],
        ],
        unless: &["id", "code"],
    },
];
