use super::*;

fn infer(csv: &str) -> Inference {
    Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new()).unwrap()
}

#[test]
fn words_split_camel_case_and_punctuation() {
    assert_eq!(words("CustomerID"), ["customer", "id"]);
    assert_eq!(words("customerId"), ["customer", "id"]);
    assert_eq!(words("Annual Income (k$)"), ["annual", "income", "k"]);
    assert_eq!(words("total_spend"), ["total", "spend"]);
}

#[test]
fn each_rule_fires() {
    let inf = infer(
        "CustomerID,Age,Region,Member,Channels,Notes,TotalCharges,Empty,Spend\n\
         c1,34,north,yes,web;app,hello there,10.5,,1\n\
         c2,51,south,no,store,second note,20,,2\n\
         c3,28,north,yes,web,third,30,NA,1\n\
         c4,45,south,no,app;store,fourth,40,,3\n\
         c5,38,north,yes,web,fifth,50,,2\n\
         c6,61,east,no,store,sixth,60,,1\n\
         c7,23,north,yes,web,seventh,70,,1\n\
         c8,33,south,yes,app,eighth,80,,500\n",
    );
    let s = inf.schema();
    let kind = |n: &str| s.get(n).unwrap().kind.name();
    let role = |n: &str| s.get(n).unwrap().role;
    assert_eq!(role("CustomerID"), Role::Identifier);
    assert_eq!(kind("Age"), "numeric");
    assert_eq!(s.get("Age").unwrap().facet, Facet::Demographic);
    assert_eq!(s.get("Age").unwrap().unit(), Some("years"));
    assert_eq!(kind("Region"), "categorical");
    assert_eq!(s.get("Region").unwrap().facet, Facet::Geographic);
    assert_eq!(kind("Member"), "boolean");
    assert_eq!(kind("Channels"), "tags");
    assert_eq!(role("Notes"), Role::Ignored);
    assert_eq!(role("TotalCharges"), Role::Value);
    assert_eq!(role("Empty"), Role::Ignored);
    assert!(s.get("Spend").unwrap().log1p, "{inf}");
    assert!(!s.get("Age").unwrap().log1p);
    assert_eq!(inf.guesses().len(), 9);
    let report = inf.to_string();
    assert!(
        report.contains("CustomerID") && report.contains("identifier"),
        "{report}"
    );
}

#[test]
fn zero_one_columns_are_boolean_and_numeric_ids_need_an_id_name() {
    let inf = infer("row,flag,score\n1,0,5\n2,1,7\n3,1,5\n");
    let s = inf.schema();
    assert_eq!(s.get("flag").unwrap().kind.name(), "boolean");
    assert_eq!(s.get("row").unwrap().kind.name(), "numeric");
    assert_eq!(s.get("row").unwrap().role, Role::Feature);
}

#[test]
fn repeated_ids_and_postal_codes_are_not_features() {
    let inf = infer("customer_id,zip,spend\n1,10115,5\n1,10117,7\n2,10115,9\n");
    let s = inf.schema();
    assert_eq!(s.get("customer_id").unwrap().role, Role::Ignored);
    assert!(
        inf.guesses()[0].reason.contains("`1` appears 2 times"),
        "{inf}"
    );
    assert_eq!(s.get("zip").unwrap().kind.name(), "categorical");
    assert_eq!(s.get("zip").unwrap().facet, Facet::Geographic);
}

#[test]
fn empty_header_names_are_named_by_position_and_repeated_ones_are_errors() {
    // A trailing delimiter, or pandas' unnamed index: the column is named by its position; an
    // empty one is never clustered.
    let inf = infer("a,b,\n1,x,\n2,y,\n3,x,\n");
    let third = inf.schema().get("column_3").expect("column_3");
    assert_eq!(third.role, Role::Ignored, "{inf}");
    let err =
        Inference::from_csv_reader("a,b,a\n1,2,3\n".as_bytes(), &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidHeader { column: 3, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("column 1"));
}

#[test]
fn a_unit_in_parentheses_is_kept() {
    let inf = infer("Annual Income (k$),x\n15,a\n16,b\n15,a\n");
    assert_eq!(
        inf.schema().get("Annual Income (k$)").unwrap().unit(),
        Some("k$")
    );
}

/// A retail loyalty file of the kind analysts meet: a birth year, a registration date, spend per
/// category, purchases per channel, campaign flags, outcomes, constant bookkeeping columns, a
/// calendar week, a store code, an add-on answer where `none` is an answer, and minutes with the
/// charge computed from them.
fn loyalty_csv(rows: usize) -> String {
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: u64| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) % m
    };
    let mut out = String::from(
        "ID,Year_Birth,Marital_Status,Income,Dt_Customer,MntWines,MntFruits,MntMeatProducts,\
         MntGoldProds,NumDealsPurchases,NumWebPurchases,NumCatalogPurchases,NumStorePurchases,\
         NumWebVisitsMonth,AcceptedCmp1,AcceptedCmp2,AcceptedCmp3,Complain,Z_CostContact,\
         Z_Revenue,Response,Week,StoreCode,AddOns,DayMins,DayCharge\n",
    );
    for i in 0..rows {
        let mins = 50 + next(250);
        out.push_str(&format!(
            "{},{},{},{},{:02}-{:02}-{},{},{},{},{},{},{},{},{},{},{},{},{},{},3,11,{},{},{},{},{},{:.2}\n",
            5000 + i,
            1940 + next(60),
            ["Single", "Married", "Together"][next(3) as usize],
            if i % 17 == 0 { String::new() } else { (20_000 + next(80_000)).to_string() },
            1 + next(28),
            1 + next(12),
            2012 + next(3),
            next(1000),
            next(100),
            next(800),
            next(200),
            next(10),
            next(10),
            next(10),
            1 + next(12),
            next(20),
            next(2),
            next(2),
            next(2),
            u64::from(next(10) == 0),
            next(2),
            1 + next(52),
            1 + next(5),
            ["none", "basic", "premium"][next(3) as usize],
            mins,
            mins as f64 * 0.17,
        ));
    }
    out
}

#[test]
fn a_loyalty_file_is_read_as_an_analyst_would() {
    let csv = loyalty_csv(300);
    let inf = infer(&csv);
    let s = inf.schema();
    let role = |n: &str| {
        s.get(n)
            .unwrap_or_else(|| panic!("{n} missing\n{inf}"))
            .role
    };
    let kind = |n: &str| s.get(n).unwrap().kind.name();
    // An id is never clustered.
    assert_eq!(role("ID"), Role::Identifier, "{inf}");
    // Dates and birth years become durations and ages; the raw columns are not clustered.
    assert_eq!(kind("Dt_Customer"), "date", "{inf}");
    assert_eq!(role("Dt_Customer"), Role::Ignored);
    assert_eq!(role("Year_Birth"), Role::Ignored);
    let derived = |op: &str| -> Vec<&crate::Attribute> {
        s.attributes()
            .iter()
            .filter(|a| {
                a.derived.as_ref().is_some_and(|d| {
                    serde_json::to_value(d).unwrap()["op"] == serde_json::json!(op)
                })
            })
            .collect()
    };
    let tenure = derived("days_since");
    assert_eq!(tenure.len(), 1, "{inf}");
    assert_eq!(tenure[0].role, Role::Feature);
    assert_eq!(tenure[0].unit(), Some("days"));
    let age = derived("years_since");
    assert_eq!(age.len(), 1, "{inf}");
    assert_eq!(age[0].facet, Facet::Demographic);
    assert!(inf.reference_date().is_some_and(|d| d.starts_with("201")));
    // Spend per category adds up to the value measure; the members stay features.
    let totals = derived("sum");
    let spend: Vec<_> = totals.iter().filter(|a| a.role == Role::Value).collect();
    assert_eq!(spend.len(), 1, "{inf}");
    assert_eq!(
        spend[0].derived.as_ref().unwrap().inputs(),
        ["MntWines", "MntFruits", "MntMeatProducts", "MntGoldProds"]
    );
    assert_eq!(role("MntWines"), Role::Feature);
    // Purchases per channel become a total and a mix, with the deal share; not clustered twice.
    for member in [
        "NumDealsPurchases",
        "NumWebPurchases",
        "NumCatalogPurchases",
        "NumStorePurchases",
    ] {
        assert_eq!(role(member), Role::Ignored, "{member}\n{inf}");
    }
    assert_eq!(role("NumWebVisitsMonth"), Role::Feature, "{inf}");
    let shares = derived("share");
    assert_eq!(shares.len(), 4, "{inf}");
    assert!(shares.iter().all(|a| a.role == Role::Feature));
    let deal = shares
        .iter()
        .find(|a| a.derived.as_ref().unwrap().inputs()[0] == "NumDealsPurchases")
        .expect("a deal share");
    assert!(!deal.derived.as_ref().unwrap().inputs()[1..].contains(&"NumDealsPurchases"));
    // Campaign flags become campaigns accepted, an outcome; responses and complaints too.
    let accepted = derived("count_true");
    assert_eq!(accepted.len(), 1, "{inf}");
    assert_eq!(accepted[0].role, Role::Outcome);
    assert_eq!(role("AcceptedCmp1"), Role::Ignored);
    assert_eq!(role("Response"), Role::Outcome);
    assert_eq!(role("Complain"), Role::Outcome);
    // Constant columns are dropped, even named like revenue; a calendar week is no quantity.
    assert_eq!(role("Z_Revenue"), Role::Ignored);
    assert_eq!(role("Z_CostContact"), Role::Ignored);
    assert_eq!(role("Week"), Role::Ignored, "{inf}");
    // Codes are categories; `none` is an answer here; a charge computed from minutes is once.
    assert_eq!(kind("StoreCode"), "categorical", "{inf}");
    assert_eq!(s.get("AddOns").unwrap().not_missing, ["none"], "{inf}");
    assert_eq!(role("DayCharge"), Role::Ignored, "{inf}");
    assert_eq!(role("DayMins"), Role::Feature);
    assert!(inf.notes().iter().any(|n| n.contains("DayCharge")), "{inf}");
    assert!(inf.repeated_rows().is_none());
    // Every derived attribute is in the report, and the schema JSON round-trips.
    for a in s.attributes().iter().filter(|a| a.is_derived()) {
        assert!(inf
            .guesses()
            .iter()
            .any(|g| g.attribute == a.name && g.reason.starts_with("derived")));
    }
    assert_eq!(&Schema::from_json(&s.to_json().unwrap()).unwrap(), s);
}

#[test]
fn the_table_computes_what_the_schema_derives() {
    let csv = loyalty_csv(120);
    let inf = infer(&csv);
    let table =
        crate::CustomerTable::from_csv_reader(csv.as_bytes(), inf.schema(), &CsvOptions::new())
            .unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let num = |r: &csv::StringRecord, name: &str| r[col(name)].parse::<f64>().unwrap();
    let spend = inf
        .schema()
        .attributes()
        .iter()
        .find(|a| a.role == Role::Value)
        .unwrap();
    let crate::Column::Numeric(values) = table.column(&spend.name).unwrap() else {
        panic!("numeric");
    };
    for (r, v) in records.iter().zip(values.iter()) {
        let expected = ["MntWines", "MntFruits", "MntMeatProducts", "MntGoldProds"]
            .iter()
            .map(|n| num(r, n))
            .sum::<f64>();
        assert_eq!(v, Some(expected));
    }
    // `none` loads as a level, not as missing.
    let crate::Column::Levels(codes) = table.column("AddOns").unwrap() else {
        panic!("levels");
    };
    assert!(codes.levels().iter().any(|l| l == "none"));
    assert_eq!(codes.validity().missing_count(), 0);
}

#[test]
fn repeated_household_numbers_mean_rows_are_not_customers() {
    let mut csv = String::from("household_key,WEEK_NO,SALES_VALUE,QUANTITY\n");
    for i in 0..200 {
        csv.push_str(&format!(
            "{},{},{}.5,{}\n",
            1000 + i % 40,
            1 + i % 50,
            i % 13,
            i % 4
        ));
    }
    let inf = infer(&csv);
    let repeated = inf.repeated_rows().expect("rows are events");
    assert_eq!((repeated.rows, repeated.distinct), (200, 40));
    assert_eq!(repeated.column, "household_key");
    assert_eq!(
        inf.schema().get("household_key").unwrap().role,
        Role::Ignored
    );
    assert_eq!(
        inf.schema().get("WEEK_NO").unwrap().role,
        Role::Ignored,
        "{inf}"
    );
    assert!(inf.to_string().contains("not customers"));
}

#[test]
fn month_first_dates_are_told_from_the_values_and_a_reference_date_is_used() {
    let csv = "id,signup_date,last_order\n1,12/31/2020,2021-03-01\n2,01/15/2021,2021-02-01\n\
               3,02/01/2021,2021-01-01\n";
    let inf = Inference::from_csv_reader_with(
        csv.as_bytes(),
        &CsvOptions::new(),
        &InferOptions::new().with_reference_date("2021-12-31"),
    )
    .unwrap();
    let s = inf.schema();
    assert!(matches!(
        s.get("signup_date").unwrap().kind,
        crate::AttributeKind::Date {
            format: DateFormat::Mdy
        }
    ));
    assert_eq!(inf.reference_date(), Some("2021-12-31"));
    let table =
        crate::CustomerTable::from_csv_reader(csv.as_bytes(), s, &CsvOptions::new()).unwrap();
    let tenure = s
        .attributes()
        .iter()
        .find(|a| {
            a.derived
                .as_ref()
                .is_some_and(|d| d.inputs() == ["signup_date"])
        })
        .unwrap();
    assert_eq!(
        table.column(&tenure.name),
        Some(&crate::Column::Numeric(
            vec![Some(365.0), Some(350.0), Some(333.0)].into()
        ))
    );
    let bad = Inference::from_csv_reader_with(
        csv.as_bytes(),
        &CsvOptions::new(),
        &InferOptions::new().with_reference_date("31/12/2021"),
    );
    assert!(matches!(
        bad,
        Err(Error::InvalidParameter {
            name: "reference_date",
            ..
        })
    ));
}

#[test]
fn identity_traits_are_described_not_clustered_and_codes_of_levels_are_dropped() {
    let mut csv = String::from("id,Gender,is_female,education,education_num,spend,visits\n");
    for i in 0..60 {
        let (level, number) = [("basic", 1), ("graduate", 3), ("master", 4)][i % 3];
        csv.push_str(&format!(
            "{i},{},{},{level},{number},{},{}\n",
            ["Female", "Male"][i % 2],
            i % 2 == 0,
            10 + i * 7 % 13,
            i % 5
        ));
    }
    let inf = infer(&csv);
    let s = inf.schema();
    assert_eq!(s.get("Gender").unwrap().role, Role::Descriptor, "{inf}");
    assert_eq!(s.get("is_female").unwrap().role, Role::Descriptor, "{inf}");
    assert_eq!(s.get("education").unwrap().role, Role::Feature);
    assert_eq!(s.get("education_num").unwrap().role, Role::Ignored, "{inf}");
    assert_eq!(s.get("spend").unwrap().role, Role::Feature);
}

#[test]
fn a_header_row_of_numbers_is_refused_as_data() {
    let csv = "39,State-gov,77516,Bachelors,13\n50,Private,83311,Masters,14\n";
    let err = Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new()).unwrap_err();
    assert!(
        matches!(err, Error::InvalidHeader { column: 1, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("looks like data"), "{err}");
    // Named columns read it whole: no customer lost.
    let named = CsvOptions::new().with_column_names(["age", "work", "weight", "edu", "years"]);
    let inf = Inference::from_csv_reader(csv.as_bytes(), &named).unwrap();
    assert_eq!(inf.schema().len(), 5);
    // A header with one number among words is a header.
    let csv = "id,2023_spend,region\na,1,n\nb,2,s\n";
    assert!(Inference::from_csv_reader(csv.as_bytes(), &CsvOptions::new()).is_ok());
}

#[test]
fn birth_and_renewal_dates_never_set_the_reference_date() {
    // Birth dates only: no past event to measure ages to, so none is made up.
    let csv = "PolicyNumber,DOB,Annual_Premium\np1,03/15/1980,300\np2,07/01/2001,450\n\
               p3,12/24/1975,520\n";
    let inf = infer(csv);
    assert_eq!(inf.reference_date(), None, "{inf}");
    assert!(
        inf.schema().attributes().iter().all(|a| !a.is_derived()),
        "{inf}"
    );
    // A start date and a renewal date ahead: durations run to the newest start, and the
    // renewal gives no duration.
    let csv = "account_id,contract_start_date,renewal_date,birth_date\n\
               a,2022-01-10,2027-01-10,1990-05-01\nb,2023-06-01,2026-06-01,2001-02-03\n\
               c,2021-03-15,2026-03-15,1985-11-30\n";
    let inf = infer(csv);
    assert_eq!(inf.reference_date(), Some("2023-06-01"), "{inf}");
    let derived: Vec<&str> = inf
        .schema()
        .attributes()
        .iter()
        .filter_map(|a| a.derived.as_ref())
        .flat_map(|d| d.inputs())
        .collect();
    assert!(derived.contains(&"contract_start_date") && derived.contains(&"birth_date"));
    assert!(!derived.contains(&"renewal_date"), "{inf}");
}

#[test]
fn costs_and_channel_codes_are_never_the_value_measure() {
    let mut csv = String::from("id,Claim_Amount_Total,Policy_Sales_Channel,Annual_Premium\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "{i},{},{},{}\n",
            i * 37 % 500,
            26 + i % 4,
            200 + i * 13 % 300
        ));
    }
    let inf = infer(&csv);
    let s = inf.schema();
    assert_eq!(
        s.get("Claim_Amount_Total").unwrap().role,
        Role::Feature,
        "{inf}"
    );
    assert_eq!(
        s.get("Policy_Sales_Channel").unwrap().kind.name(),
        "categorical"
    );
    assert_eq!(s.get("Annual_Premium").unwrap().role, Role::Value, "{inf}");
}

#[test]
fn a_few_duplicated_ids_are_duplicated_records_not_events() {
    let mut csv = String::from("customer_id,spend\n");
    for i in 0..100 {
        csv.push_str(&format!("{},{}\n", 1000 + i, i % 7));
    }
    csv.push_str("1003,3\n1007,0\n");
    let inf = infer(&csv);
    assert!(inf.repeated_rows().is_none(), "{inf}");
    let guess = &inf.guesses()[0];
    assert_eq!(guess.role, Role::Ignored);
    assert!(guess.reason.contains("2 rows repeat"), "{inf}");
}

#[test]
fn a_negative_count_or_duration_is_noted_with_its_column_and_lowest_value() {
    let mut csv = String::from("id,tenure_months,balance_change,orders\n");
    for i in 0..40 {
        let tenure = if i == 7 { -3 } else { i % 24 };
        csv.push_str(&format!("c{i},{tenure},{},{}\n", i as i64 - 20, i % 9));
    }
    let inf = infer(&csv);
    let notes: Vec<&String> = inf
        .notes()
        .iter()
        .filter(|n| n.contains("cannot be negative"))
        .collect();
    // The tenure is noted; a signed change and a clean count are not.
    assert_eq!(notes.len(), 1, "{inf}");
    assert!(notes[0].contains("`tenure_months`"), "{inf}");
    assert!(notes[0].contains("-3"), "{inf}");
    assert!(notes[0].contains("1 value read is negative"), "{inf}");
    // It is a note, not a drop: the column is still clustered.
    assert!(inf.schema().get("tenure_months").is_some());
}
