//! Generated order lines, streamed as CSV text: a `Read` that writes lines as they are read, so
//! that a file of ten million lines costs no memory. Shared by `benches/transactions.rs` and
//! `examples/transactions_scale.rs`.
//!
//! Each order has one to five lines, all of one customer, date and channel; customers, dates,
//! amounts and categories come from a seeded SplitMix64 stream, so the same arguments give the
//! same bytes. About one line in fifty is a return (a negative amount).

use std::io::Read;

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const CATEGORIES: [&str; 6] = ["Books", "Music", "Films", "Games", "Garden", "Kitchen"];
const CHANNELS: [&str; 3] = ["web", "store", "app"];

/// `lines` order lines of `customers` customers, header first.
pub struct OrderLines {
    lines: usize,
    customers: u64,
    written: usize,
    state: u64,
    order: u64,
    /// Lines left in the current order, its customer, day and channel.
    left: u64,
    customer: u64,
    day: u64,
    channel: usize,
    pending: Vec<u8>,
    at: usize,
}

impl OrderLines {
    pub fn new(lines: usize, customers: usize, seed: u64) -> Self {
        OrderLines {
            lines,
            customers: customers as u64,
            written: 0,
            state: seed,
            order: 0,
            left: 0,
            customer: 0,
            day: 0,
            channel: 0,
            pending: b"order_id,customer_id,order_date,amount,quantity,category,channel,discount\n"
                .to_vec(),
            at: 0,
        }
    }

    fn next_line(&mut self) {
        use std::io::Write;
        if self.left == 0 {
            self.order += 1;
            let r = splitmix(&mut self.state);
            self.left = 1 + r % 5;
            self.customer = (r >> 8) % self.customers;
            self.day = (r >> 40) % 730;
            self.channel = ((r >> 20) % 3) as usize;
        }
        self.left -= 1;
        let r = splitmix(&mut self.state);
        let cents = 100 + r % 20_000;
        let sign = if r % 50 == 0 { "-" } else { "" };
        let (month, day) = (1 + self.day % 365 / 31, 1 + self.day % 28);
        let year = 2022 + self.day / 365;
        self.pending.clear();
        self.at = 0;
        let _ = writeln!(
            self.pending,
            "O{},C{},{year}-{month:02}-{day:02},{sign}{}.{:02},{},{},{},{}",
            self.order,
            self.customer,
            cents / 100,
            cents % 100,
            1 + (r >> 16) % 4,
            CATEGORIES[((r >> 24) % 6) as usize],
            CHANNELS[self.channel],
            if (r >> 32) % 5 == 0 { "0.2" } else { "0" }
        );
        self.written += 1;
    }
}

impl Read for OrderLines {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut n = 0;
        while n < buf.len() {
            if self.at == self.pending.len() {
                if self.written == self.lines {
                    break;
                }
                self.next_line();
            }
            let take = (self.pending.len() - self.at).min(buf.len() - n);
            buf[n..n + take].copy_from_slice(&self.pending[self.at..self.at + take]);
            self.at += take;
            n += take;
        }
        Ok(n)
    }
}
